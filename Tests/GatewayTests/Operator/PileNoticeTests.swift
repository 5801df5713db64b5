import Foundation
import Gateway
import HTTPAPI
import OCPP
import SessionStore
import XCTest

/// Firmware, diagnostics and log statuses and security events, from piles of both
/// versions: acknowledged once stored, listed per pile as each job's history, security
/// events counted in /metrics.
final class PileNoticeTests: XCTestCase {
    func testEveryReportOfBothVersionsIsANoticeInOrder() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("NOTICE-16")
            _ = try await pile.boot()
            for status in [V16.FirmwareStatus.Downloading, .Downloaded, .Installing, .Installed] {
                _ = try await pile.call(V16.FirmwareStatusNotification.self, .init(status: status))
            }
            _ = try await pile.call(V16.DiagnosticsStatusNotification.self, .init(status: .Uploaded))
            _ = try await pile.call(V16.LogStatusNotification.self, .init(status: .Uploaded, requestId: 12))
            _ = try await pile.call(
                V16.SecurityEventNotification.self, .init(type: "TamperDetectionActivated", timestamp: Date(), techInfo: "lid opened"))
            _ = try await pile.call(V16.SecurityEventNotification.self, .init(type: "SomethingOnlyThisVendorSays", timestamp: Date()))

            let station = try await harness.connect("NOTICE-201", subprotocols: ["ocpp2.0.1"])
            _ = try await station.call(V201.BootNotification.self, .init(chargingStation: .init(model: "S", vendorName: "V"), reason: .powerUp))
            _ = try await station.call(V201.FirmwareStatusNotification.self, .init(status: .installationFailed, requestId: 3))
            _ = try await station.call(V201.SecurityEventNotification.self, .init(type: "StartupOfTheDevice", timestamp: Date()))

            let firmware = await harness.api("GET", "/api/chargepoints/NOTICE-16/notices?kind=firmware")
            XCTAssertEqual(firmware.json.arrayValue?.compactMap { $0["status"]?.stringValue }, ["Installed", "Installing", "Downloaded", "Downloading"])
            let all = await harness.api("GET", "/api/chargepoints/NOTICE-16/notices").json.arrayValue ?? []
            XCTAssertEqual(all.count, 8)
            XCTAssertEqual(all.first?["kind"], "security")
            XCTAssertEqual(all.first(where: { $0["kind"] == "log" })?["requestId"], 12)
            XCTAssertEqual(all.first(where: { $0["status"] == "TamperDetectionActivated" })?["detail"], "lid opened")
            let station201 = await harness.api("GET", "/api/chargepoints/NOTICE-201/notices").json.arrayValue ?? []
            XCTAssertEqual(station201.compactMap { $0["status"]?.stringValue }, ["StartupOfTheDevice", "InstallationFailed"])
            XCTAssertEqual(station201.last?["requestId"], 3)
            XCTAssertEqual(station201.last?["ocppVersion"], "2.0.1")
            let bad = await harness.api("GET", "/api/chargepoints/NOTICE-16/notices?kind=weather")
            XCTAssertEqual(bad.status, 400)

            let metrics = await harness.api("GET", "/metrics").text
            XCTAssertTrue(metrics.contains(#"pilegate_security_events_total{type="TamperDetectionActivated"}"#), metrics)
            XCTAssertTrue(metrics.contains(#"pilegate_security_events_total{type="other"}"#), "an unknown type does not make a series of its own")
            XCTAssertFalse(metrics.contains("SomethingOnlyThisVendorSays"))
        }
    }
}
