import Foundation
import Gateway
import OCPP
import OCPPWebSocket
import SessionStore
import XCTest

/// Transactions, authorization and registration as piles in the field exercise them:
/// repeated and unknown messages are acknowledged, recorded, and never corrupt a session.
final class SessionSemanticsTests: XCTestCase {
    private let start = Date(timeIntervalSince1970: 1_800_000_000)

    func testDuplicateStartTransactionReturnsTheSameTransactionIdAndIsRecorded() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("DUP-START-1")
            _ = try await pile.boot()
            let request = V16.StartTransaction.Request(connectorId: 1, idTag: "TAG-1", meterStart: 500, timestamp: start)
            let first = try await pile.call(V16.StartTransaction.self, request)
            let again = try await pile.call(V16.StartTransaction.self, request)
            XCTAssertEqual(again.transactionId, first.transactionId)
            XCTAssertEqual(again.idTagInfo.status, .Accepted, "the repeat is not its own concurrent transaction")

            let finding = try await harness.finding("session.duplicate-start", for: "DUP-START-1")
            XCTAssertEqual(finding.sessionId, Int64(first.transactionId))
            let sessions = try await harness.store.sessions(chargePointId: "DUP-START-1", status: nil, limit: 10)
            XCTAssertEqual(sessions.map(\.id), [Int64(first.transactionId)], "one session, not two")

            // A start that differs (another meterStart) is a new transaction.
            let other = try await pile.call(
                V16.StartTransaction.self, .init(connectorId: 2, idTag: "TAG-2", meterStart: 700, timestamp: start))
            XCTAssertNotEqual(other.transactionId, first.transactionId)
        }
    }

    func testStopTransactionOfAnUnknownTransactionIsAcknowledgedAndRecorded() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("STOP-UNKNOWN-1")
            _ = try await pile.boot()
            pile.peer.sendRaw(
                #"[2,"stop-unknown","StopTransaction",{"meterStop":900,"timestamp":"2027-01-15T10:00:00Z","transactionId":987654}]"#)
            let reply = try await harness.reply(from: pile, to: "stop-unknown")
            XCTAssertEqual(assertCallResult(reply, id: "stop-unknown"), .object(JSONObject()), "acknowledged, without idTagInfo")
            let finding = try await harness.finding("session.stop-unknown-transaction", for: "STOP-UNKNOWN-1", messageId: "stop-unknown")
            XCTAssertEqual(finding.severity, "error")
            let session = try await harness.store.session(id: 987654)
            XCTAssertNil(session, "no session is made up")
        }
    }

    func testDuplicateStopTransactionIsAcknowledgedRecordedAndKeepsTheFirstStop() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("DUP-STOP-1")
            _ = try await pile.boot()
            let started = try await pile.call(
                V16.StartTransaction.self, .init(connectorId: 1, idTag: "TAG-1", meterStart: 1_000, timestamp: start))
            let stop = V16.StopTransaction.Request(
                meterStop: 4_000, timestamp: start.addingTimeInterval(600), transactionId: started.transactionId, reason: .Local)
            _ = try await pile.call(V16.StopTransaction.self, stop)
            var late = stop
            late.meterStop = 9_999
            _ = try await pile.call(V16.StopTransaction.self, late)

            let finding = try await harness.finding("session.duplicate-stop", for: "DUP-STOP-1")
            XCTAssertEqual(finding.sessionId, Int64(started.transactionId))
            let detail = try await harness.store.session(id: Int64(started.transactionId))
            XCTAssertEqual(detail?.session.status, .completed)
            XCTAssertEqual(detail?.session.meterStopWh, 4_000, "the repeat does not overwrite the first stop")
            XCTAssertEqual(detail?.session.energyWh, 3_000)
        }
    }

    func testMeterValuesForAnUnknownTransactionAreAcknowledgedAndRecorded() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("MV-UNKNOWN-1")
            let other = try await harness.connect("MV-UNKNOWN-2")
            _ = try await pile.boot()
            _ = try await other.boot()
            let othersTransaction = try await other.call(
                V16.StartTransaction.self, .init(connectorId: 1, idTag: "TAG-9", meterStart: 0, timestamp: start))
            let sample = V16.MeterValue(timestamp: start, sampledValue: [.init(value: "1500")])
            _ = try await pile.call(V16.MeterValues.self, .init(connectorId: 1, transactionId: 55_555, meterValue: [sample]))
            // Another pile's transaction id is unknown on this pile, too.
            _ = try await pile.call(
                V16.MeterValues.self, .init(connectorId: 1, transactionId: othersTransaction.transactionId, meterValue: [sample]))

            _ = try await harness.finding("session.meter-values-unknown-transaction", for: "MV-UNKNOWN-1")
            let findings = try await harness.findings("MV-UNKNOWN-1")
            XCTAssertEqual(findings.filter { $0.rule == "session.meter-values-unknown-transaction" }.count, 2)
            let detail = try await harness.store.session(id: Int64(othersTransaction.transactionId))
            XCTAssertEqual(detail?.samples ?? [], [], "the samples are not filed under the other pile's session")
        }
    }

    func testAuthorizeAnswersTheConfiguredVerdictsAndInvalidForUnknownTags() async throws {
        var configuration = GatewayConfiguration()
        configuration.acceptUnknownIdTags = false
        configuration.idTags = [
            .init(idTag: "GOOD-1", parentIdTag: "FLEET-1"),
            .init(idTag: "BLOCKED-1", status: .blocked),
            .init(idTag: "EXPIRED-1", status: .expired),
            .init(idTag: "INVALID-1", status: .invalid),
            .init(idTag: "LAPSED-1", expiryDate: Date(timeIntervalSinceNow: -3600)),
        ]
        try await GatewayHarness.with(configuration) { harness in
            let pile = try await harness.connect("AUTH-1")
            _ = try await pile.boot()
            func verdict(_ tag: String) async throws -> V16.IdTagInfo {
                try await pile.call(V16.Authorize.self, .init(idTag: tag)).idTagInfo
            }
            let good = try await verdict("GOOD-1")
            XCTAssertEqual(good.status, .Accepted)
            XCTAssertEqual(good.parentIdTag, "FLEET-1")
            let blocked = try await verdict("BLOCKED-1")
            XCTAssertEqual(blocked.status, .Blocked)
            let expired = try await verdict("EXPIRED-1")
            XCTAssertEqual(expired.status, .Expired)
            let invalid = try await verdict("INVALID-1")
            XCTAssertEqual(invalid.status, .Invalid)
            let lapsed = try await verdict("LAPSED-1")
            XCTAssertEqual(lapsed.status, .Expired, "an Accepted tag past its expiryDate is Expired")
            let stranger = try await verdict("STRANGER-1")
            XCTAssertEqual(stranger.status, .Invalid, "acceptUnknownIdTags = false")
            let differentCase = try await verdict("blocked-1")
            XCTAssertEqual(differentCase.status, .Blocked, "1.6 id tags compare case-insensitively")

            // StartTransaction carries the same verdict; the pile stops such a transaction itself.
            let blockedStart = try await pile.call(
                V16.StartTransaction.self, .init(connectorId: 1, idTag: "BLOCKED-1", meterStart: 0, timestamp: start))
            XCTAssertEqual(blockedStart.idTagInfo.status, .Blocked)
            let session = try await harness.store.session(id: Int64(blockedStart.transactionId))
            XCTAssertEqual(session?.session.authorizationStatus, "Blocked")
        }
    }

    func testATagChargingOnOneConnectorGetsConcurrentTxElsewhereUntilItStops() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("CTX-1")
            let otherPile = try await harness.connect("CTX-2")
            _ = try await pile.boot()
            _ = try await otherPile.boot()
            let first = try await pile.call(
                V16.StartTransaction.self, .init(connectorId: 1, idTag: "DRIVER-1", meterStart: 0, timestamp: start))
            XCTAssertEqual(first.idTagInfo.status, .Accepted)
            let sameTagOtherConnector = try await pile.call(
                V16.StartTransaction.self, .init(connectorId: 2, idTag: "driver-1", meterStart: 0, timestamp: start.addingTimeInterval(5)))
            XCTAssertEqual(sameTagOtherConnector.idTagInfo.status, .ConcurrentTx)
            let sameTagOtherPile = try await otherPile.call(
                V16.StartTransaction.self, .init(connectorId: 1, idTag: "DRIVER-1", meterStart: 0, timestamp: start.addingTimeInterval(6)))
            XCTAssertEqual(sameTagOtherPile.idTagInfo.status, .ConcurrentTx)

            _ = try await pile.call(
                V16.StopTransaction.self,
                .init(meterStop: 100, timestamp: start.addingTimeInterval(60), transactionId: first.transactionId, reason: .Local))
            let afterStop = try await otherPile.call(
                V16.StartTransaction.self, .init(connectorId: 1, idTag: "DRIVER-1", meterStart: 0, timestamp: start.addingTimeInterval(70)))
            XCTAssertEqual(afterStop.idTagInfo.status, .Accepted, "the tag is free again once its transaction stopped")
        }
    }

    func testDataTransferIsAcceptedForAConfiguredVendorAndUnknownVendorIdOtherwise() async throws {
        var configuration = GatewayConfiguration()
        configuration.dataTransferVendors = ["com.example.pilegate"]
        try await GatewayHarness.with(configuration) { harness in
            let pile = try await harness.connect("DT-1")
            _ = try await pile.boot()
            let known = try await pile.call(V16.DataTransfer.self, .init(vendorId: "com.example.pilegate", messageId: "Ping", data: "1"))
            XCTAssertEqual(known.status, .Accepted)
            let unknown = try await pile.call(V16.DataTransfer.self, .init(vendorId: "com.other.vendor", messageId: "Ping"))
            XCTAssertEqual(unknown.status, .UnknownVendorId)
        }
    }

    func testUnknownPileIsPendingWhenConfiguredSoWhileAKnownPileIsAccepted() async throws {
        var configuration = GatewayConfiguration()
        configuration.unknownChargePoints = .pending
        configuration.chargePoints = [.init(id: "KNOWN-1", network: "lab")]
        configuration.heartbeatInterval = 120
        configuration.bootRetryInterval = 42
        try await GatewayHarness.with(configuration) { harness in
            let stranger = try await harness.connect("STRANGER-1")
            let pending = try await stranger.boot()
            XCTAssertEqual(pending.status, .Pending)
            XCTAssertEqual(pending.interval, 42, "a pile not Accepted gets the retry interval")
            let known = try await harness.connect("KNOWN-1")
            let accepted = try await known.boot()
            XCTAssertEqual(accepted.status, .Accepted)
            XCTAssertEqual(accepted.interval, 120)

            // The registration is recorded without holding up the reply: wait for the writes.
            try await harness.store.flush()
            let storedStranger = try await harness.store.chargePoint(id: "STRANGER-1")
            XCTAssertEqual(storedStranger?.chargePoint.registrationStatus, "Pending")
            let storedKnown = try await harness.store.chargePoint(id: "KNOWN-1")
            XCTAssertEqual(storedKnown?.chargePoint.registrationStatus, "Accepted")
            XCTAssertEqual(storedKnown?.chargePoint.network, "lab")
        }
    }

    func testUnknownPileIsRejectedWhenConfiguredSoWhileAKnownPileIsAccepted() async throws {
        var configuration = GatewayConfiguration()
        configuration.unknownChargePoints = .reject
        configuration.chargePoints = [.init(id: "KNOWN-2")]
        configuration.bootRetryInterval = 17
        try await GatewayHarness.with(configuration) { harness in
            let stranger = try await harness.connect("STRANGER-2")
            let rejected = try await stranger.boot()
            XCTAssertEqual(rejected.status, .Rejected)
            XCTAssertEqual(rejected.interval, 17)
            let known = try await harness.connect("KNOWN-2")
            let accepted = try await known.boot()
            XCTAssertEqual(accepted.status, .Accepted)
            try await harness.store.flush()
            let storedStranger = try await harness.store.chargePoint(id: "STRANGER-2")
            XCTAssertEqual(storedStranger?.chargePoint.registrationStatus, "Rejected")
        }
    }

    func testPileVanishingMidTransactionLeavesTheSessionActiveAndThePileDisconnected() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("VANISH-1")
            _ = try await pile.boot()
            let started = try await pile.call(
                V16.StartTransaction.self, .init(connectorId: 1, idTag: "TAG-V", meterStart: 2_000, timestamp: start))
            _ = try await pile.call(
                V16.MeterValues.self,
                .init(
                    connectorId: 1, transactionId: started.transactionId,
                    meterValue: [.init(timestamp: start.addingTimeInterval(60), sampledValue: [.init(value: "2500")])]))
            try await harness.store.flush()
            let before = try await harness.store.chargePoint(id: "VANISH-1")
            XCTAssertEqual(before?.chargePoint.connected, true)

            try await pile.vanish()
            let offline = try await harness.eventually(5) {
                try await harness.store.flush()
                return try await harness.store.chargePoint(id: "VANISH-1")?.chargePoint.connected == false
            }
            XCTAssertTrue(offline, "the gateway notices the closed socket and marks the pile offline")
            let gone = try await harness.eventually(5) { harness.gateway.peer("VANISH-1") == nil }
            XCTAssertTrue(gone)
            XCTAssertNil(pile.closeCodes.first, "no close frame went either way")

            let detail = try await harness.store.session(id: Int64(started.transactionId))
            XCTAssertEqual(detail?.session.status, .active, "the session stays open for the StopTransaction the pile will send later")
            XCTAssertNil(detail?.session.stopTime)
            XCTAssertEqual(detail?.samples.map(\.value), [2_500])
        }
    }
}
