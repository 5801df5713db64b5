import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

/// A 2.0.1 charging station against the gateway over loopback: its transactions land in
/// the same session model as a 1.6 pile's, whatever order and repetition its events come in.
final class V201SessionTests: XCTestCase {
    func station(_ harness: GatewayHarness, _ id: String) async throws -> TestChargePoint {
        let pile = try await harness.connect(id, subprotocols: ["ocpp2.0.1"])
        let boot = try await pile.call(
            V201.BootNotification.self, .init(chargingStation: .init(model: "S201", vendorName: "TestVendor", firmwareVersion: "2.0"), reason: .powerUp))
        XCTAssertEqual(boot.status, .accepted)
        return pile
    }

    static func energy(_ wh: Double, at time: Date = Date(), context: V201.ReadingContextEnum = .samplePeriodic) -> V201.MeterValue {
        V201.MeterValue(
            sampledValue: [V201.SampledValue(value: wh, context: context, measurand: .energyActiveImportRegister, unitOfMeasure: .init(unit: "Wh"))],
            timestamp: time)
    }

    static func event(
        _ type: V201.TransactionEventEnum, _ ref: String, seqNo: Int, trigger: V201.TriggerReasonEnum = .meterValuePeriodic,
        wh: Double? = nil, evse: Int? = nil, token: String? = nil, state: V201.ChargingStateEnum? = nil, reason: V201.ReasonEnum? = nil,
        offline: Bool? = nil, remoteStartId: Int? = nil
    ) -> V201.TransactionEvent.Request {
        V201.TransactionEvent.Request(
            eventType: type, timestamp: Date(), triggerReason: trigger, seqNo: seqNo,
            transactionInfo: .init(transactionId: ref, chargingState: state, stoppedReason: reason, remoteStartId: remoteStartId),
            meterValue: wh.map { [energy($0)] }, offline: offline, evse: evse.map { V201.EVSE(id: $0, connectorId: 1) },
            idToken: token.map { V201.IdToken(idToken: $0, type: .iso14443) })
    }

    func testAFullTransactionIsOneSessionInTheSharedModel() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await station(harness, "V201-FULL")
            _ = try await pile.call(V201.StatusNotification.self, .init(timestamp: Date(), connectorStatus: .occupied, evseId: 1, connectorId: 1))
            let auth = try await pile.call(V201.Authorize.self, .init(idToken: .init(idToken: "TAG-201", type: .iso14443)))
            XCTAssertEqual(auth.idTokenInfo.status, .accepted)
            let started = try await pile.call(
                V201.TransactionEvent.self, Self.event(.started, "tx-a", seqNo: 0, trigger: .authorized, wh: 1000, evse: 1, token: "TAG-201", state: .charging))
            XCTAssertEqual(started.idTokenInfo?.status, .accepted)
            _ = try await pile.call(V201.TransactionEvent.self, Self.event(.updated, "tx-a", seqNo: 1, wh: 5000, state: .charging))
            _ = try await pile.call(
                V201.TransactionEvent.self, Self.event(.ended, "tx-a", seqNo: 2, trigger: .evDeparted, wh: 9000, reason: .evDisconnected))
            let sessions = try await harness.storedSessions(chargePoint: "V201-FULL")
            let session = try XCTUnwrap(sessions.first, "\(sessions)")
            XCTAssertEqual(sessions.count, 1)
            XCTAssertEqual(session.status, .completed)
            XCTAssertEqual(session.ocppVersion, "2.0.1")
            XCTAssertEqual(session.transactionRef, "tx-a")
            XCTAssertEqual(session.idTag, "TAG-201")
            XCTAssertEqual(session.meterStartWh, 1000)
            XCTAssertEqual(session.meterStopWh, 9000)
            XCTAssertEqual(session.energyWh, 8000)
            XCTAssertEqual(session.stopReason, "EVDisconnected")
            let view = await harness.sessionView(session.id)
            XCTAssertEqual(view["transactionRef"], "tx-a")
            let findings = try await harness.findings("V201-FULL").map(\.rule)
            XCTAssertEqual(findings.filter { $0.hasPrefix("txevent.") }, [], "a clean transaction breaks no 2.0.1 rule")
        }
    }

    func testARetriedEventIsAcknowledgedAgainAndStoredOnce() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await station(harness, "V201-RETRY")
            _ = try await pile.call(V201.TransactionEvent.self, Self.event(.started, "tx-r", seqNo: 0, trigger: .cablePluggedIn, wh: 0, evse: 1, token: "T"))
            let update = Self.event(.updated, "tx-r", seqNo: 1, wh: 2000)
            _ = try await pile.call(V201.TransactionEvent.self, update)
            _ = try await pile.call(V201.TransactionEvent.self, update)
            let stored = try await harness.storedSessions(chargePoint: "V201-RETRY")
            let id = try XCTUnwrap(stored.first?.id)
            let samples = try await harness.store.samples(sessionId: id).filter { $0.value == 2000 }
            XCTAssertEqual(samples.count, 1, "the retry is not stored twice")
        }
    }

    func testATokenThatComesInALaterEventAuthorizesTheSession() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await station(harness, "V201-LATE")
            let started = try await pile.call(V201.TransactionEvent.self, Self.event(.started, "tx-l", seqNo: 0, trigger: .cablePluggedIn, wh: 0, evse: 1))
            XCTAssertNil(started.idTokenInfo, "no token, no verdict")
            let authorized = try await pile.call(
                V201.TransactionEvent.self, Self.event(.updated, "tx-l", seqNo: 1, trigger: .authorized, token: "LATE-TAG", state: .charging))
            XCTAssertEqual(authorized.idTokenInfo?.status, .accepted)
            try await harness.store.flush()
            let stored = try await harness.storedSessions(chargePoint: "V201-LATE")
            let session = try XCTUnwrap(stored.first)
            XCTAssertEqual(session.idTag, "LATE-TAG")
            XCTAssertEqual(session.authorizationStatus, "Accepted")
        }
    }

    func testEventsAfterAReconnectContinueTheSameSession() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await station(harness, "V201-RECONNECT")
            _ = try await pile.call(V201.TransactionEvent.self, Self.event(.started, "tx-o", seqNo: 0, trigger: .authorized, wh: 100, evse: 1, token: "T"))
            try await pile.vanish()
            let again = try await station(harness, "V201-RECONNECT")
            _ = try await again.call(V201.TransactionEvent.self, Self.event(.updated, "tx-o", seqNo: 1, wh: 700, offline: true))
            _ = try await again.call(V201.TransactionEvent.self, Self.event(.ended, "tx-o", seqNo: 2, trigger: .stopAuthorized, reason: .local))
            let sessions = try await harness.storedSessions(chargePoint: "V201-RECONNECT")
            XCTAssertEqual(sessions.count, 1, "\(sessions)")
            XCTAssertEqual(sessions.first?.status, .completed)
            XCTAssertEqual(sessions.first?.meterStopWh, 700, "an Ended event without a register ends at the highest reading")
            let rules = try await harness.findings("V201-RECONNECT").map(\.rule)
            XCTAssertFalse(rules.contains("txevent.event-without-started"), "the store knew the transaction: \(rules)")
            XCTAssertFalse(rules.contains("txevent.evse-missing"), "its first event, on the earlier connection, named the evse: \(rules)")
            XCTAssertFalse(rules.contains("session.duplicate-start"), "\(rules)")
        }
    }

    func testTheTransactionRulesFireOnTheirCases() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await station(harness, "V201-RULES")
            _ = try await pile.call(V201.TransactionEvent.self, Self.event(.started, "tx-1", seqNo: 0, trigger: .remoteStop, wh: 0))
            _ = try await harness.finding("txevent.evse-missing", for: "V201-RULES")
            _ = try await harness.finding("txevent.trigger-inconsistent", for: "V201-RULES")
            _ = try await pile.call(V201.TransactionEvent.self, Self.event(.updated, "tx-1", seqNo: 3, wh: 10))
            _ = try await harness.finding("txevent.seqno-gap", for: "V201-RULES")
            _ = try await pile.call(V201.TransactionEvent.self, Self.event(.ended, "tx-1", seqNo: 4, wh: 20, reason: .local))
            _ = try await pile.call(V201.TransactionEvent.self, Self.event(.updated, "tx-1", seqNo: 5, wh: 30))
            _ = try await harness.finding("txevent.event-after-ended", for: "V201-RULES")
            var changed = Self.event(.updated, "tx-1", seqNo: 5, wh: 31)
            changed.timestamp = Date().addingTimeInterval(1)
            _ = try await pile.call(V201.TransactionEvent.self, changed)
            _ = try await harness.finding("txevent.seqno-repeated", for: "V201-RULES")
            _ = try await pile.call(V201.TransactionEvent.self, Self.event(.ended, "tx-2", seqNo: 0, wh: 5, evse: 1, reason: .local))
            _ = try await harness.finding("txevent.event-without-started", for: "V201-RULES")
            _ = try await pile.call(V201.TransactionEvent.self, Self.event(.started, "tx-3", seqNo: 0, trigger: .authorized, wh: 100, evse: 1, token: "T"))
            _ = try await pile.call(V201.TransactionEvent.self, Self.event(.updated, "tx-3", seqNo: 1, wh: 50))
            _ = try await harness.finding("session.energy-register-decreased", for: "V201-RULES")
            _ = try await pile.call(V201.TransactionEvent.self, Self.event(.updated, "tx-3", seqNo: 2, wh: 150, evse: 2))
            _ = try await harness.finding("txevent.evse-repeated", for: "V201-RULES")
        }
    }

    func testBadInputGetsTheErrorCodesAs201SpellsThem() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await station(harness, "V201-BAD")
            pile.peer.sendRaw(#"[2,"bad-1","Heartbeat",{"broken":]"#)
            let reply1 = try await harness.reply(from: pile, to: "bad-1")
            assertCallError(reply1, id: "bad-1", code: "RpcFrameworkError")
            pile.peer.sendRaw(#"[2,"bad-6","Heartbeat","not an object"]"#)
            let reply6 = try await harness.reply(from: pile, to: "bad-6")
            assertCallError(reply6, id: "bad-6", code: "RpcFrameworkError")
            pile.peer.sendRaw(#"[2,"bad-2","StatusNotification",{"timestamp":"2026-01-01T00:00:00Z","connectorStatus":"Available","evseId":1}]"#)
            let reply2 = try await harness.reply(from: pile, to: "bad-2")
            assertCallError(reply2, id: "bad-2", code: "OccurrenceConstraintViolation")
            pile.peer.sendRaw(#"[2,"bad-3","StartTransaction",{"connectorId":1,"idTag":"T","meterStart":0,"timestamp":"2026-01-01T00:00:00Z"}]"#)
            let reply3 = try await harness.reply(from: pile, to: "bad-3")
            assertCallError(reply3, id: "bad-3", code: "NotImplemented")
            XCTAssertEqual(reply3[3], "StartTransaction is an OCPP 1.6 message; this connection speaks 2.0.1")
            _ = try await harness.finding("rpc.other-version-action", for: "V201-BAD", messageId: "bad-3")
            // A 1.6 action of a profile beyond Core is named as such too, now that 1.6 types it.
            pile.peer.sendRaw(#"[2,"bad-7","DiagnosticsStatusNotification",{"status":"Idle"}]"#)
            let reply7 = try await harness.reply(from: pile, to: "bad-7")
            assertCallError(reply7, id: "bad-7", code: "NotImplemented")
            XCTAssertEqual(reply7[3], "DiagnosticsStatusNotification is an OCPP 1.6 message; this connection speaks 2.0.1")
            _ = try await harness.finding("rpc.other-version-action", for: "V201-BAD", messageId: "bad-7")
            pile.peer.sendRaw(#"[2,"bad-4","ReserveNow",{}]"#)
            let reply4 = try await harness.reply(from: pile, to: "bad-4")
            assertCallError(reply4, id: "bad-4", code: "NotSupported")
            pile.peer.sendRaw(#"[7,"bad-5"]"#)
            let reply5 = try await harness.reply(from: pile, to: "bad-5")
            assertCallError(reply5, id: "bad-5", code: "MessageTypeNotSupported")
            let heartbeat = try await pile.call(V201.Heartbeat.self, .init())
            XCTAssertLessThan(abs(heartbeat.currentTime.timeIntervalSinceNow), 60, "the connection stays up")
        }
    }

    func testAStationOfferingBothVersionsGetsThePreferredOneAndAPinnedPileOnlyItsOwn() async throws {
        var configuration = GatewayConfiguration()
        var pinned = GatewayConfiguration.KnownChargePoint(id: "PINNED-16")
        pinned.ocppVersion = .v16
        configuration.chargePoints = [pinned, .init(id: "BOTH-1"), .init(id: "BOTH-2")]
        try await GatewayHarness.with(configuration) { harness in
            let both = try await harness.connect("BOTH-1", subprotocols: ["ocpp1.6", "ocpp2.0.1"])
            XCTAssertEqual(both.peer.version, .v201, "2.0.1 is preferred by default")
            let pin = try await harness.connect("PINNED-16", subprotocols: ["ocpp2.0.1", "ocpp1.6"])
            XCTAssertEqual(pin.peer.version, .v16, "the registry pins the pile to 1.6")
        }
        configuration.preferredVersion = .v16
        try await GatewayHarness.with(configuration) { harness in
            let both = try await harness.connect("BOTH-2", subprotocols: ["ocpp2.0.1", "ocpp1.6"])
            XCTAssertEqual(both.peer.version, .v16, "the configuration prefers 1.6")
        }
    }
}
