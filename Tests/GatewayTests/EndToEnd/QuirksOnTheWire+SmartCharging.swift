import Foundation
import Gateway
import OCPP
import SessionStore
import Simulator
import XCTest

/// The smart-charging quirks, on a pile alone on a managed 30 kW site: the gateway pushes a
/// TxProfile after the start, and the pile's own MeterValues show whether it kept it.
extension QuirksOnTheWireTests {
    func site(_ quirk: Quirk) -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        var pile = GatewayConfiguration.KnownChargePoint(id: "Q-\(quirk.rawValue)".prefix(40).description, network: "NIO", model: "Power Charger 640")
        pile.station = "quirk-site"
        pile.maxPowerKW = 640
        configuration.chargePoints = [pile]
        var site = SiteSettings(id: "quirk-site", gridLimitKW: 30)
        site.toleranceSeconds = 1
        site.rebalanceSeconds = 1
        configuration.sites = [site]
        return configuration
    }

    /// The Power.Active.Import readings (W) of every MeterValues the pile sent, in order.
    func powerReadings(_ frames: [String]) -> [Double] {
        frames.filter { $0.contains("\"MeterValues\"") }.compactMap { text in
            guard let frame = try? JSONParser.parse(text).arrayValue, frame.count > 3, let values = frame[3]["meterValue"]?.arrayValue else { return nil }
            return values.flatMap { $0["sampledValue"]?.arrayValue ?? [] }
                .first { $0["measurand"]?.stringValue == "Power.Active.Import" }?["value"]?.stringValue.flatMap(Double.init)
        }
    }

    func testIgnoresChargingProfiles() async throws {
        // At 60× a sample interval is a wall second, so the site's one-second tolerance runs out.
        let (frames, findings) = try await run(.ignoresChargingProfiles, speed: 60, configuration: site(.ignoresChargingProfiles))
        XCTAssertGreaterThan(powerReadings(frames).max() ?? 0, 100_000, "the car drew its own rate")
        XCTAssertTrue(findings.contains("site.limit-exceeded"), "\(findings)")
    }

    func testWattsAsAmperes() async throws {
        let (frames, findings) = try await run(.wattsAsAmperes, speed: 60, configuration: site(.wattsAsAmperes))
        XCTAssertGreaterThan(powerReadings(frames).max() ?? 0, 100_000, "a W limit read as amperes limits nothing")
        XCTAssertTrue(findings.contains("site.limit-exceeded"), "\(findings)")
    }

    func testProfileAtNextMeterValues() async throws {
        // The first reading after the pile accepted its TxProfile: a compliant pile is already under it.
        func firstAfterPush(_ frames: [String]) throws -> Double? {
            let accepted = try XCTUnwrap(frames.firstIndex { $0.hasPrefix("[3,") && $0.contains("Accepted") }, "no push answered")
            return powerReadings(Array(frames[(accepted + 1)...])).first
        }
        let (frames, _) = try await run(.profileAtNextMeterValues, configuration: site(.profileAtNextMeterValues))
        XCTAssertGreaterThan(try firstAfterPush(frames) ?? 0, 30_000, "still the car's own rate until the next sample")
        XCTAssertLessThanOrEqual(powerReadings(frames).last ?? .infinity, 30_000, "then the pushed limit")
        let (compliant, _) = try await run(.profileAtNextMeterValues, configuration: site(.profileAtNextMeterValues), edit: { $0.quirks = [] })
        XCTAssertLessThanOrEqual(try firstAfterPush(compliant) ?? .infinity, 30_000, "without the quirk the next reading keeps the limit")
    }

    func testWholeAmpereRounding() async throws {
        _ = try await run(.wholeAmpereRounding, during: { harness, pile, id in
            // 15.6 A at the su7's 871 V pack: 13.59 kW; rounded to 16 A, 13.94 kW.
            let profile: JSON = [
                "chargingProfileId": 31, "stackLevel": 2, "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Relative",
                "chargingSchedule": ["chargingRateUnit": "A", "chargingSchedulePeriod": [["startPeriod": 0, "limit": 15.6]]],
            ]
            let set = try await harness.gateway.setChargingProfile(id, connectorId: 1, profile: profile, issuedBy: "test")
            XCTAssertEqual(set.answer["status"], "Accepted")
            let rounded = try await harness.eventually(10) { try await pile.run { abs(($0.session(on: 1)?.powerKW ?? 0) - 16 * 871 / 1000) < 0.01 } }
            XCTAssertTrue(rounded, "the pile applies 16 A")
            let composite = try await harness.gateway.call(id, V16.GetCompositeSchedule.self, .init(connectorId: 1, duration: 60, chargingRateUnit: .A))
            XCTAssertEqual(composite.chargingSchedule?.chargingSchedulePeriod.first?.limit, 15.6, "and still reports 15.6 A")
        })
    }

    func testRejectsRecurringProfiles() async throws {
        _ = try await run(.rejectsRecurringProfiles, during: { harness, _, id in
            func profile(_ kind: String) -> JSON {
                [
                    "chargingProfileId": 32, "stackLevel": 2, "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": .string(kind),
                    "recurrencyKind": "Daily",
                    "chargingSchedule": [
                        "startSchedule": "2026-01-01T00:00:00Z", "chargingRateUnit": "W", "chargingSchedulePeriod": [["startPeriod": 0, "limit": 50_000.0]],
                    ],
                ]
            }
            let recurring = try await harness.gateway.setChargingProfile(id, connectorId: 0, profile: profile("Recurring"), issuedBy: "test")
            XCTAssertEqual(recurring.answer["status"], "Rejected")
            let absolute = try await harness.gateway.setChargingProfile(id, connectorId: 0, profile: profile("Absolute"), issuedBy: "test")
            XCTAssertEqual(absolute.answer["status"], "Accepted")
        })
    }
}
