import EVModel
import Foundation
import Gateway
import OCPP
import XCTest

/// GET /api/recommend with the repository's vehicle profiles (Simulators/vehicles):
/// available piles ranked by time to the target, each estimate explained.
final class ScanToChargeRecommendTests: XCTestCase {
    func configuration() throws -> GatewayConfiguration {
        try ScanFixtures.configuration([
            ScanFixtures.pile("NIO-REC-1", network: "NIO", station: "nio-r1", city: "Beijing", latitude: 39.95, longitude: 116.40, kW: 640, amps: 765),
            ScanFixtures.pile(
                "TELD-REC-1", network: "Teld", station: "teld-r1", city: "Beijing", latitude: 39.9087, longitude: 116.4075, kW: 120, amps: 250,
                volts: 750),
            ScanFixtures.pile(
                "YKC-REC-1", network: "YKC", station: "ykc-r1", city: "Beijing", latitude: 39.91, longitude: 116.41, kW: 60, amps: 150, volts: 750),
            ScanFixtures.pile(
                "XJ-REC-1", network: "Xiaoju", station: "xj-r1", city: "Beijing", latitude: 39.92, longitude: 116.42, current: .ac, kW: 7, amps: 32,
                volts: 220),
            ScanFixtures.pile("NIO-REC-BUSY", network: "NIO", station: "nio-r2", city: "Beijing", latitude: 39.90, longitude: 116.40, kW: 640),
        ])
    }

    func withPiles(_ body: (GatewayHarness) async throws -> Void) async throws {
        try await GatewayHarness.with(try configuration()) { harness in
            XCTAssertNil(harness.gateway.vehicles.problem, "the shipped vehicle profiles load")
            var piles: [TestChargePoint] = []
            for id in ["NIO-REC-1", "TELD-REC-1", "YKC-REC-1", "XJ-REC-1"] { piles.append(try await harness.bootedPile(id)) }
            piles.append(try await harness.bootedPile("NIO-REC-BUSY", statuses: [.Charging]))
            try await body(harness)
            _ = piles
        }
    }

    func ranked(_ reply: APIReply) -> [String] {
        reply.json["recommendations"]?.arrayValue?.compactMap { $0["chargePointId"]?.stringValue } ?? []
    }

    func testAn800VoltCarIsNotSentToAPileBelowItsPackVoltage() async throws {
        try await withPiles { harness in
            let su7 = try XCTUnwrap(harness.gateway.vehicles.vehicles["su7-max"])
            XCTAssertGreaterThan(su7.packVoltageV, 750, "the SU7 Max pack is above the 750 V piles")
            let reply = await harness.api("GET", "/api/recommend?vehicle=su7-max&soc=20&target=80")
            XCTAssertEqual(reply.status, 200, reply.text)
            XCTAssertEqual(reply.json[path: "vehicle.id"], "su7-max")
            let ids = ranked(reply)
            XCTAssertTrue(ids.contains("NIO-REC-1"), "\(ids)")
            XCTAssertFalse(ids.contains("TELD-REC-1"), "750 V pile: \(ids)")
            XCTAssertFalse(ids.contains("YKC-REC-1"), "750 V pile: \(ids)")
            XCTAssertFalse(ids.contains("NIO-REC-BUSY"), "no free connector: \(ids)")
            XCTAssertEqual(ids.first, "NIO-REC-1", "the 640 kW pile is fastest")

            let items = reply.json["recommendations"]?.arrayValue ?? []
            let minutes = items.compactMap { $0["minutes"]?.doubleValue }
            XCTAssertEqual(minutes, minutes.sorted(), "ranked by time without a position")
            for item in items {
                XCTAssertGreaterThan(item["minutes"]?.doubleValue ?? 0, 0)
                // 60 % of a 99 kWh pack, give or take the curve's losses.
                XCTAssertEqual(item["energyKWh"]?.doubleValue ?? 0, 0.6 * su7.batteryKWh, accuracy: 0.05 * su7.batteryKWh, "\(item)")
                XCTAssertGreaterThan(item["costFen"]?.intValue ?? 0, 0)
                XCTAssertFalse((item["explanation"]?.stringValue ?? "").isEmpty)
                XCTAssertEqual(item["connectorId"], 1)
                XCTAssertNil(item["distanceKm"]?.doubleValue, "no distance without near=")
            }
            // The AC pile is slow: the car's onboard charger limits it.
            if let ac = items.first(where: { $0["chargePointId"] == "XJ-REC-1" }) {
                XCTAssertTrue(ac["explanation"]?.stringValue?.contains("onboard charger") ?? false, "\(ac)")
                XCTAssertEqual(ac, items.last, "7 kW AC comes last")
            }

            // A 400 V car can use the 750 V piles: they are left out for voltage, not for anything else.
            let standard = await harness.api("GET", "/api/recommend?vehicle=su7-standard&soc=20&target=80")
            XCTAssertEqual(standard.status, 200, standard.text)
            XCTAssertTrue(Set(ranked(standard)).isSuperset(of: ["NIO-REC-1", "TELD-REC-1", "YKC-REC-1"]), "\(ranked(standard))")
        }
    }

    func testNearAPointTheDriveCountsAndEachAnswerSaysHowFar() async throws {
        try await withPiles { harness in
            let reply = await harness.api("GET", "/api/recommend?vehicle=su7-standard&soc=30&target=60&near=39.9087,116.3975&limit=2")
            XCTAssertEqual(reply.status, 200, reply.text)
            let items = reply.json["recommendations"]?.arrayValue ?? []
            XCTAssertEqual(items.count, 2, "limit=2")
            for item in items {
                let distance = try XCTUnwrap(item["distanceKm"]?.doubleValue, "\(item)")
                XCTAssertGreaterThan(distance, 0)
                XCTAssertTrue(item["explanation"]?.stringValue?.contains("km away") ?? false, "\(item)")
            }
            let scores = items.compactMap { $0["score"]?.doubleValue }
            XCTAssertEqual(scores, scores.sorted(), "ranked by drive plus charge time")
        }
    }

    func testUnknownVehiclesAndImpossibleTargetsAreRefused() async throws {
        try await withPiles { harness in
            let unknown = await harness.api("GET", "/api/recommend?vehicle=model-t&soc=20&target=80")
            XCTAssertEqual(unknown.status, 404, unknown.text)
            XCTAssertEqual(unknown.errorCode, "vehicle_not_found")
            XCTAssertTrue(unknown.text.contains("su7-max"), "the message lists the known vehicles: \(unknown.text)")
            for query in ["soc=80&target=80", "soc=90&target=80", "soc=100&target=100"] {
                let reply = await harness.api("GET", "/api/recommend?vehicle=su7-max&\(query)")
                XCTAssertEqual(reply.status, 400, "\(query): \(reply.text)")
                XCTAssertEqual(reply.errorCode, "invalid_request", query)
            }
            let cases: [(String, String)] = [
                ("soc=20&target=80", "invalid_vehicle"),
                ("vehicle=su7-max&target=80", "invalid_soc"),
                ("vehicle=su7-max&soc=abc&target=80", "invalid_soc"),
                ("vehicle=su7-max&soc=20&target=101", "invalid_target"),
                ("vehicle=su7-max&soc=20&target=80&near=north", "invalid_near"),
                ("vehicle=su7-max&soc=20&target=80&limit=0", "invalid_limit"),
            ]
            for (query, code) in cases {
                let reply = await harness.api("GET", "/api/recommend?\(query)")
                XCTAssertEqual(reply.status, 400, "\(query): \(reply.text)")
                XCTAssertEqual(reply.errorCode, code, query)
            }
        }
    }
}
