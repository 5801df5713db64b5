import EVModel
import Foundation
import Gateway
import OCPP
import XCTest

/// The live map: GET /api/chargepoints joins the store's piles with the registry (station,
/// position, power) and the tariff, and filters by network, status, power class and distance.
final class ScanToChargeMapTests: XCTestCase {
    /// Tiananmen, Beijing.
    static let here = (latitude: 39.9087, longitude: 116.3975)

    func configuration() throws -> GatewayConfiguration {
        try ScanFixtures.configuration([
            ScanFixtures.pile(
                "NIO-MAP-1", network: "NIO", station: "nio-beijing-001", city: "Beijing", latitude: 39.9087, longitude: 116.4075, kW: 640,
                amps: 765),
            ScanFixtures.pile(
                "TELD-MAP-1", network: "Teld", station: "teld-beijing-007", city: "Beijing", latitude: 39.9900, longitude: 116.3000, kW: 120,
                volts: 750, connectors: 2),
            ScanFixtures.pile(
                "XJ-MAP-1", network: "Xiaoju", station: "xj-shanghai-002", city: "Shanghai", latitude: 31.2304, longitude: 121.4737,
                current: .ac, kW: 7, volts: 220),
        ])
    }

    /// Three connected piles: NIO all Available, Teld one Charging one Available, Xiaoju Faulted.
    func withMap(_ body: (GatewayHarness) async throws -> Void) async throws {
        try await GatewayHarness.with(try configuration()) { harness in
            let nio = try await harness.bootedPile("NIO-MAP-1")
            let teld = try await harness.bootedPile("TELD-MAP-1", statuses: [.Charging, .Available])
            let xj = try await harness.bootedPile("XJ-MAP-1", statuses: [.Faulted], errorCode: .GroundFailure)
            try await body(harness)
            _ = (nio, teld, xj)
        }
    }

    func ids(_ reply: APIReply) -> [String] { reply.json.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [] }

    func testEachPileCarriesItsStationPositionPowerPriceAndConnectorCodes() async throws {
        try await withMap { harness in
            let reply = await harness.api("GET", "/api/chargepoints")
            XCTAssertEqual(reply.status, 200, reply.text)
            XCTAssertEqual(Set(ids(reply)), ["NIO-MAP-1", "TELD-MAP-1", "XJ-MAP-1"])
            let piles = Dictionary(uniqueKeysWithValues: (reply.json.arrayValue ?? []).map { ($0["id"]?.stringValue ?? "", $0) })
            let nio = try XCTUnwrap(piles["NIO-MAP-1"])
            XCTAssertEqual(nio["network"], "NIO")
            XCTAssertEqual(nio["station"], "nio-beijing-001")
            XCTAssertEqual(nio["city"], "Beijing")
            XCTAssertEqual(nio["latitude"]?.doubleValue, 39.9087)
            XCTAssertEqual(nio["longitude"]?.doubleValue, 116.4075)
            XCTAssertEqual(nio["current"], "dc")
            XCTAssertEqual(nio["maxPowerKW"]?.doubleValue, 640)
            XCTAssertEqual(nio["connected"], true)
            XCTAssertNil(nio["distanceKm"], "distance only with near=")
            XCTAssertEqual(piles["NIO-MAP-1"]?["powerClass"], "ultra")
            XCTAssertEqual(piles["TELD-MAP-1"]?["powerClass"], "fast")
            XCTAssertEqual(piles["XJ-MAP-1"]?["powerClass"], "slow")

            // Price now: the tier of this half hour in Beijing time and that tier's prices.
            for (id, view) in piles {
                let plan = try XCTUnwrap(harness.gateway.tariffPlan(forChargePoint: id))
                let price = try XCTUnwrap(view["price"]?.objectValue, "\(id) has a price")
                let tier = try XCTUnwrap(price["tier"]?.stringValue.flatMap(Tariff.Tier.init(rawValue:)))
                XCTAssertEqual(tier, Self.beijingTier(plan.tariff, at: Date()), "\(id)")
                let expected = try XCTUnwrap(plan.tariff.tiers[tier])
                XCTAssertEqual(price["electricityFenPerKWh"]?.doubleValue, expected.electricity, "\(id)")
                XCTAssertEqual(price["serviceFenPerKWh"]?.doubleValue, expected.service, "\(id)")
                XCTAssertEqual(price["totalFenPerKWh"]?.doubleValue ?? 0, expected.electricity + expected.service, accuracy: 1e-9)
                let until = try XCTUnwrap(price["until"]?.stringValue.flatMap(OCPPTimestamp.parse)?.date)
                XCTAssertGreaterThan(until, Date())
                XCTAssertLessThanOrEqual(until, Date().addingTimeInterval(86_400))
            }
            // NIO has its own tariff; Teld and Xiaoju fall back to the default one.
            XCTAssertEqual(harness.gateway.tariffPlan(forChargePoint: "NIO-MAP-1")?.tariff.network, "NIO")
            XCTAssertNil(harness.gateway.tariffPlan(forChargePoint: "TELD-MAP-1")?.tariff.network)

            // Connectors with live status and the code printed on them.
            let teld = try XCTUnwrap(piles["TELD-MAP-1"]?["connectors"]?.arrayValue).filter { ($0["connectorId"]?.intValue ?? 0) > 0 }
            XCTAssertEqual(teld.map { $0["status"] }, ["Charging", "Available"])
            for connector in teld {
                let qr = try XCTUnwrap(connector["qr"]?.stringValue)
                let code = try QRCode(parsing: qr)
                XCTAssertEqual(code, QRCode(network: "Teld", chargePointId: "TELD-MAP-1", connectorId: Int(connector["connectorId"]?.intValue ?? 0)))
            }
            let xj = try XCTUnwrap(piles["XJ-MAP-1"]?[path: "connectors.0"])
            XCTAssertEqual(xj["status"], "Faulted")
            XCTAssertEqual(xj["errorCode"], "GroundFailure")

            // The single pile reads the same.
            let one = await harness.api("GET", "/api/chargepoints/NIO-MAP-1")
            XCTAssertEqual(one.json["station"], "nio-beijing-001")
            XCTAssertEqual(one.json[path: "connectors.0.qr"], "pilegate://charge/v1/NIO/NIO-MAP-1/1")
            let missing = await harness.api("GET", "/api/chargepoints/NOPE")
            XCTAssertEqual(missing.status, 404)
            XCTAssertEqual(missing.errorCode, "charge_point_not_found")
        }
    }

    func testFiltersByNetworkStatusPowerClassAndDistance() async throws {
        try await withMap { harness in
            var results: [String: [String]] = [:]
            let queries = [
                "network=NIO", "network=teld", "network=Nobody", "status=Available", "status=Charging", "status=Faulted", "powerClass=ultra",
                "powerClass=fast", "powerClass=slow", "network=Teld&status=Available&powerClass=fast", "network=Teld&powerClass=ultra",
                "near=\(Self.here.latitude),\(Self.here.longitude)&radiusKm=50", "near=\(Self.here.latitude),\(Self.here.longitude)&radiusKm=0.5",
                "near=\(Self.here.latitude),\(Self.here.longitude)&limit=1", "near=31.23,121.47&radiusKm=20&status=Faulted",
            ]
            for query in queries {
                let reply = await harness.api("GET", "/api/chargepoints?\(query)")
                XCTAssertEqual(reply.status, 200, "\(query): \(reply.text)")
                results[query] = self.ids(reply)
            }
            func ids(_ query: String) throws -> [String] { try XCTUnwrap(results[query], query) }
            XCTAssertEqual(try ids("network=NIO"), ["NIO-MAP-1"])
            XCTAssertEqual(try ids("network=teld"), ["TELD-MAP-1"], "networks match regardless of case")
            XCTAssertEqual(try ids("network=Nobody"), [])
            XCTAssertEqual(Set(try ids("status=Available")), ["NIO-MAP-1", "TELD-MAP-1"], "a pile with one free connector is listed")
            XCTAssertEqual(try ids("status=Charging"), ["TELD-MAP-1"])
            XCTAssertEqual(try ids("status=Faulted"), ["XJ-MAP-1"])
            XCTAssertEqual(try ids("powerClass=ultra"), ["NIO-MAP-1"])
            XCTAssertEqual(try ids("powerClass=fast"), ["TELD-MAP-1"])
            XCTAssertEqual(try ids("powerClass=slow"), ["XJ-MAP-1"])
            XCTAssertEqual(try ids("network=Teld&status=Available&powerClass=fast"), ["TELD-MAP-1"])
            XCTAssertEqual(try ids("network=Teld&powerClass=ultra"), [])

            // Near a point: nearest first, with the great-circle distance.
            let near = await harness.api("GET", "/api/chargepoints?near=\(Self.here.latitude),\(Self.here.longitude)")
            XCTAssertEqual(self.ids(near), ["NIO-MAP-1", "TELD-MAP-1", "XJ-MAP-1"])
            let distances = near.json.arrayValue?.compactMap { $0["distanceKm"]?.doubleValue } ?? []
            XCTAssertEqual(distances.count, 3)
            XCTAssertEqual(distances, distances.sorted())
            // 0.01° of longitude at 39.9° N is 0.853 km; Beijing to Shanghai about 1067 km.
            XCTAssertEqual(distances.first ?? 0, 0.853, accuracy: 0.01)
            XCTAssertEqual(distances.last ?? 0, 1068, accuracy: 10)
            XCTAssertEqual(try ids("near=\(Self.here.latitude),\(Self.here.longitude)&radiusKm=50"), ["NIO-MAP-1", "TELD-MAP-1"])
            XCTAssertEqual(try ids("near=\(Self.here.latitude),\(Self.here.longitude)&radiusKm=0.5"), [])
            XCTAssertEqual(try ids("near=\(Self.here.latitude),\(Self.here.longitude)&limit=1"), ["NIO-MAP-1"])
            XCTAssertEqual(try ids("near=31.23,121.47&radiusKm=20&status=Faulted"), ["XJ-MAP-1"])
        }
    }

    func testBadMapParametersAreRefusedWithTheirCodes() async throws {
        try await withMap { harness in
            let cases: [(String, String)] = [
                ("powerClass=huge", "invalid_powerClass"),
                ("powerClass=", "invalid_powerClass"),
                ("near=abc", "invalid_near"),
                ("near=39.9", "invalid_near"),
                ("near=95,116", "invalid_near"),
                ("near=39.9,200", "invalid_near"),
                ("near=39.9,116.4,1", "invalid_near"),
                ("radiusKm=5", "invalid_radiusKm"),
                ("near=39.9,116.4&radiusKm=-1", "invalid_radiusKm"),
                ("near=39.9,116.4&radiusKm=abc", "invalid_radiusKm"),
                ("limit=0", "invalid_limit"),
                ("limit=abc", "invalid_limit"),
                ("limit=-3", "invalid_limit"),
            ]
            for (query, code) in cases {
                let reply = await harness.api("GET", "/api/chargepoints?\(query)")
                XCTAssertEqual(reply.status, 400, "\(query): \(reply.text)")
                XCTAssertEqual(reply.errorCode, code, query)
            }
        }
    }

    func testCodesRoundTripWithCharactersThatNeedEncoding() throws {
        let code = QRCode(network: "Li Auto", chargePointId: "LI/5C#1", connectorId: 2)
        XCTAssertEqual(code.description, "pilegate://charge/v1/Li%20Auto/LI%2F5C%231/2")
        XCTAssertEqual(try QRCode(parsing: code.description), code)
    }

    /// The tier of `date` read off the tariff's schedule by hand (Beijing is UTC+8, no DST).
    static func beijingTier(_ tariff: Tariff, at date: Date) -> Tariff.Tier? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3600) ?? .gmt
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        func minutes(_ text: String) -> Int {
            let p = text.split(separator: ":").compactMap { Int($0) }
            return p.count == 2 ? p[0] * 60 + p[1] : -1
        }
        return tariff.schedule.first { minutes($0.from) <= minute && minute < minutes($0.to) }?.tier
    }
}
