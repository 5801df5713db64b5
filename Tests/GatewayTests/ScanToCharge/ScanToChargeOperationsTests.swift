import Foundation
import Gateway
import OCPP
import XCTest

@testable import HTTPAPI

/// /metrics after some traffic.
final class ScanToChargeOperationsTests: XCTestCase {
    override func setUp() {
        super.setUp()
        // Metrics made before the one bootstrap are no-ops: bootstrap before any store exists.
        _ = MetricsExport.registry
    }

    func metrics(_ harness: GatewayHarness) async -> String {
        let reply = await harness.api("GET", "/metrics", token: nil)
        XCTAssertEqual(reply.status, 200)
        XCTAssertTrue(reply.header("Content-Type")?.hasPrefix("text/plain") ?? false)
        return reply.text
    }

    func testMetricsCountMessagesPilesSessionsErrorsRequestsAndCommits() async throws {
        let configuration = try ScanFixtures.configuration([
            ScanFixtures.pile("NIO-MET-1", network: "NIO", station: "nio-m", city: "Beijing", latitude: 39.9, longitude: 116.4, kW: 640)
        ])
        try await GatewayHarness.with(configuration) { harness in
            let before = await metrics(harness)
            let bootsBefore = prometheusValue(before, "pilegate_ocpp_messages_total", ["action": "BootNotification", "direction": "in"]) ?? 0
            let nioBefore = prometheusValue(before, "pilegate_connected_chargepoints", ["network": "NIO", "ocpp_version": "1.6"]) ?? 0
            let pile = try await harness.bootedPile("NIO-MET-1")
            _ = try await pile.call(V16.Heartbeat.self, .init())
            let connected = await metrics(harness)
            XCTAssertEqual(
                prometheusValue(connected, "pilegate_ocpp_messages_total", ["action": "BootNotification", "direction": "in"]), bootsBefore + 1)
            XCTAssertGreaterThanOrEqual(
                prometheusValue(connected, "pilegate_ocpp_messages_total", ["action": "BootNotification", "direction": "out"]) ?? 0, 1)
            XCTAssertEqual(
                prometheusValue(connected, "pilegate_connected_chargepoints", ["network": "NIO", "ocpp_version": "1.6"]), nioBefore + 1,
                "one more NIO pile on 1.6")

            // A session starts: the active-sessions gauge counts it.
            let active = prometheusValue(connected, "pilegate_active_sessions") ?? 0
            let start = try await pile.call(V16.StartTransaction.self, .init(connectorId: 1, idTag: "MIAPP-0001", meterStart: 0, timestamp: Date()))
            XCTAssertGreaterThan(start.transactionId, 0)
            let started = await metrics(harness)
            XCTAssertEqual(prometheusValue(started, "pilegate_active_sessions"), active + 1)

            // An action the gateway does not know: it answers with a CALLERROR, counted by code.
            let notImplemented = ["code": "NotImplemented", "direction": "out"]
            let errorsBefore = prometheusValue(await metrics(harness), "pilegate_ocpp_callerrors_total", notImplemented) ?? 0
            pile.peer.sendRaw(#"[2,"met-1","FlyToTheMoon",{}]"#)
            let reply = try await harness.reply(from: pile, to: "met-1")
            assertCallError(reply, id: "met-1", code: "NotImplemented")
            let answered = await metrics(harness)
            XCTAssertEqual(
                prometheusValue(answered, "pilegate_ocpp_callerrors_total", notImplemented), errorsBefore + 1)

            // HTTP requests are timed by route pattern, not by id.
            _ = await harness.api("GET", "/api/chargepoints/NIO-MET-1")
            let text = await metrics(harness)
            XCTAssertGreaterThanOrEqual(
                prometheusValue(text, "pilegate_http_request_duration_seconds_count", ["route": "/api/chargepoints/{id}"]) ?? 0, 1, text)
            XCTAssertFalse(text.contains("route=\"/api/chargepoints/NIO-MET-1\""), "ids do not become label values")
            XCTAssertNotNil(prometheusValue(text, "pilegate_http_request_duration_seconds_bucket", ["route": "/api/chargepoints/{id}"]))
            XCTAssertGreaterThan(prometheusValue(text, "pilegate_store_commit_duration_seconds_count") ?? 0, 0, "store commits are timed")
            XCTAssertTrue(text.contains("# TYPE pilegate_ocpp_messages_total counter"), "Prometheus exposition format")

            // The pile leaves: it is no longer counted as connected.
            try await pile.vanish()
            var afterwards = ""
            _ = try await harness.eventually(5) {
                afterwards = await metrics(harness)
                return prometheusValue(afterwards, "pilegate_connected_chargepoints", ["network": "NIO", "ocpp_version": "1.6"]) == nioBefore
            }
            XCTAssertEqual(prometheusValue(afterwards, "pilegate_connected_chargepoints", ["network": "NIO", "ocpp_version": "1.6"]), nioBefore)
        }
    }

    func testACallErrorFromThePileIsCountedByCode() async throws {
        let configuration = try ScanFixtures.configuration([
            ScanFixtures.pile("NIO-MET-2", network: "NIO", station: "nio-m", city: "Beijing", latitude: 39.9, longitude: 116.4, kW: 640)
        ])
        try await GatewayHarness.with(configuration) { harness in
            let pile = try await harness.bootedPile("NIO-MET-2")
            pile.respond(to: "RemoteStartTransaction", withError: RPCError(.internalError, "relay stuck"))
            let before = prometheusValue(await metrics(harness), "pilegate_ocpp_callerrors_total", ["code": "InternalError", "direction": "in"]) ?? 0
            let scan = await harness.api("POST", "/api/scan", json: ["qr": .string(ScanFixtures.qr("NIO", "NIO-MET-2")), "account": "mi-driver-1"])
            XCTAssertEqual(scan.errorCode, "pile_rejected")
            let after = prometheusValue(await metrics(harness), "pilegate_ocpp_callerrors_total", ["code": "InternalError", "direction": "in"])
            XCTAssertEqual(after, before + 1, "GatewayMetrics.callError says it counts CALLERRORs received as well as sent")
        }
    }
}
