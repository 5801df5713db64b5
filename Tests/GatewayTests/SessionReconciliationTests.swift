import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

/// Sessions always end: one the pile has forgotten is closed as `abandoned` with a reason
/// and its last known register, unless the pile's own StopTransaction comes first; an
/// operator can close a stale one; the pile's late StopTransaction still counts.
final class SessionReconciliationTests: XCTestCase {
    func configuration(grace: Double = 0.5) -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        configuration.sessionReconcileGrace = grace
        return configuration
    }

    func reading(_ wh: Int, transactionId: Int) -> V16.MeterValues.Request {
        V16.MeterValues.Request(
            connectorId: 1, transactionId: transactionId,
            meterValue: [.init(timestamp: Date(), sampledValue: [.init(value: String(wh), measurand: .energyActiveImportRegister, unit: .Wh)])])
    }

    func testANewTransactionOnABusyConnectorAbandonsTheOldOneAtItsLastRegister() async throws {
        try await GatewayHarness.with(configuration(grace: 60)) { harness in
            let pile = try await harness.connect("REC-1")
            _ = try await pile.boot()
            let first = try await pile.call(V16.StartTransaction.self, .init(connectorId: 1, idTag: "TAG-A", meterStart: 1000, timestamp: Date()))
            _ = try await pile.call(V16.MeterValues.self, reading(4000, transactionId: first.transactionId))
            let second = try await pile.call(V16.StartTransaction.self, .init(connectorId: 1, idTag: "TAG-A", meterStart: 4200, timestamp: Date()))
            XCTAssertEqual(second.idTagInfo.status, .Accepted, "the old transaction no longer holds the tag")
            let old = try await harness.waitForSession(Int64(first.transactionId)) { $0["status"] == "abandoned" }
            XCTAssertEqual(old["stopReason"], "superseded", "\(old)")
            XCTAssertEqual(old["meterStopWh"], 4000)
            XCTAssertEqual(old["energyWh"], 3000)
            let active = try await harness.storedSessions(.active, chargePoint: "REC-1")
            XCTAssertEqual(active.map(\.id), [Int64(second.transactionId)], "one active session per connector")
        }
    }

    func testAPileThatRebootsAndNeverMentionsItsSessionHasItAbandoned() async throws {
        try await GatewayHarness.with(configuration()) { harness in
            let pile = try await harness.connect("REC-2")
            _ = try await pile.boot()
            let forgotten = try await pile.call(V16.StartTransaction.self, .init(connectorId: 1, idTag: "TAG-B", meterStart: 0, timestamp: Date()))
            let kept = try await pile.call(V16.StartTransaction.self, .init(connectorId: 2, idTag: "TAG-C", meterStart: 0, timestamp: Date()))
            try await pile.vanish()
            let again = try await harness.connect("REC-2")
            _ = try await again.boot()
            // The pile still knows one of them and says so.
            _ = try await again.call(V16.MeterValues.self, reading(500, transactionId: kept.transactionId))
            let closed = try await harness.waitForSession(Int64(forgotten.transactionId)) { $0["status"] == "abandoned" }
            XCTAssertEqual(closed["stopReason"], "pile_rebooted", "\(closed)")
            try await Task.sleep(for: .milliseconds(300))
            let alive = await harness.sessionView(Int64(kept.transactionId))
            XCTAssertEqual(alive["status"], "active", "a session the pile mentioned is not closed")
        }
    }

    func testTheRealStopTransactionAfterAnAbandonmentCompletesTheSession() async throws {
        try await GatewayHarness.with(configuration(grace: 0.3)) { harness in
            let pile = try await harness.connect("REC-3")
            _ = try await pile.boot()
            let tx = try await pile.call(V16.StartTransaction.self, .init(connectorId: 1, idTag: "TAG-D", meterStart: 0, timestamp: Date()))
            // The connector reports Available with the transaction still open: the stop was lost…
            _ = try await pile.call(V16.StatusNotification.self, .init(connectorId: 1, errorCode: .NoError, status: .Available))
            let closed = try await harness.waitForSession(Int64(tx.transactionId)) { $0["status"] == "abandoned" }
            XCTAssertEqual(closed["stopReason"], "connector_idle", "\(closed)")
            // …until it turns up from the pile's queue.
            _ = try await pile.call(V16.StopTransaction.self, .init(meterStop: 9000, timestamp: Date(), transactionId: tx.transactionId))
            let completed = try await harness.waitForSession(Int64(tx.transactionId)) { $0["status"] == "completed" }
            XCTAssertEqual(completed["meterStopWh"], 9000, "\(completed)")
            XCTAssertEqual(completed["stopReason"], "Local")
        }
    }

    func testAnOperatorClosesAStaleSessionOfAnOfflinePile() async throws {
        try await GatewayHarness.with(configuration(grace: 60)) { harness in
            let pile = try await harness.connect("REC-4")
            _ = try await pile.boot()
            let tx = try await pile.call(V16.StartTransaction.self, .init(connectorId: 1, idTag: "TAG-E", meterStart: 100, timestamp: Date()))
            _ = try await pile.call(V16.MeterValues.self, reading(700, transactionId: tx.transactionId))
            try await pile.vanish()
            let stop = await harness.api("POST", "/api/sessions/\(tx.transactionId)/stop")
            XCTAssertEqual(stop.status, 409, "the pile cannot be asked: \(stop.text)")
            let unauthorized = await harness.api("POST", "/api/sessions/\(tx.transactionId)/close", token: nil)
            XCTAssertEqual(unauthorized.status, 401, unauthorized.text)
            let close = await harness.api("POST", "/api/sessions/\(tx.transactionId)/close")
            XCTAssertEqual(close.status, 200, close.text)
            XCTAssertEqual(close.json["status"], "abandoned")
            XCTAssertEqual(close.json["stopReason"], "operator")
            XCTAssertEqual(close.json["meterStopWh"], 700)
            let twice = await harness.api("POST", "/api/sessions/\(tx.transactionId)/close")
            XCTAssertEqual(twice.status, 409, twice.text)
            XCTAssertEqual(twice.errorCode, "session_not_active")
            let missing = await harness.api("POST", "/api/sessions/999999/close")
            XCTAssertEqual(missing.status, 404, missing.text)
            // The tag may charge again.
            let other = try await harness.connect("REC-4B")
            _ = try await other.boot()
            let next = try await other.call(V16.StartTransaction.self, .init(connectorId: 1, idTag: "TAG-E", meterStart: 0, timestamp: Date()))
            XCTAssertEqual(next.idTagInfo.status, .Accepted)
        }
    }
}
