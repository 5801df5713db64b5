import Foundation
import Gateway
import NIOCore
import OCPP
import OCPPWebSocket
import SessionStore
import XCTest

/// boot.repeated-on-connection, boot.reconnect-loop, rpc.reply-schema-violation,
/// rpc.unknown-error-code and rpc.overlapping-call: each fires on its deviation, in either
/// version, and its clean look-alike (a resend, a requested boot, a Pending pile's retry,
/// a pile that reconnects once, a version's own error codes) raises nothing.
final class RPCDisciplineRuleTests: XCTestCase {
    private static let boot201 = #"{"chargingStation":{"model":"S201","vendorName":"TestVendor"},"reason":"PowerUp"}"#

    private func rules(_ harness: GatewayHarness, _ identity: String) async throws -> [String] {
        try await harness.findings(identity).map(\.rule)
    }

    // MARK: boot.repeated-on-connection

    func testASecondBootAfterAcceptedIsFlaggedOnceButAResendOrARequestedBootIsNot() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("BOOT-AGAIN-1")
            pile.respond(to: "TriggerMessage", with: ["status": "Accepted"])
            pile.respond(to: "Reset", with: ["status": "Accepted"])
            let boot = Frames.boot
            try await Script([.call("BootNotification", Self.payload(boot), id: "b1"), .call("BootNotification", Self.payload(boot), id: "b1")])
                .play(on: harness, as: pile)
            _ = try await harness.gateway.triggerMessage("BOOT-AGAIN-1", .BootNotification, timeout: .seconds(2))
            try await Script([.call("BootNotification", Self.payload(boot), id: "triggered")]).play(on: harness, as: pile)
            _ = try await harness.gateway.reset("BOOT-AGAIN-1", type: .Soft, timeout: .seconds(2))
            try await Script([.call("BootNotification", Self.payload(boot), id: "after-reset")]).play(on: harness, as: pile)
            let stored = try await rules(harness, "BOOT-AGAIN-1")
            XCTAssertFalse(stored.contains("boot.repeated-on-connection"), "a resend or a requested boot")
            try await Script([.call("BootNotification", Self.payload(boot), id: "unasked"), .call("BootNotification", Self.payload(boot), id: "unasked-2")])
                .play(on: harness, as: pile)
            let flagged = try await harness.findings("BOOT-AGAIN-1").filter { $0.rule == "boot.repeated-on-connection" }
            XCTAssertEqual(flagged.compactMap(\.messageId), ["unasked"], "once per connection, naming the first unasked boot")
        }
    }

    func testAPendingPileRetryingItsBootOnTheSameConnectionIsNoFinding() async throws {
        var configuration = GatewayConfiguration()
        configuration.unknownChargePoints = .pending
        configuration.chargePoints = [.init(id: "SOMEONE-ELSE")]
        try await GatewayHarness.with(configuration) { harness in
            let pile = try await harness.connect("BOOT-PENDING-1")
            let replies = try await Script([Frames.boot, Frames.boot, Frames.boot]).play(on: harness, as: pile)
            XCTAssertEqual(replies.map { $0.last?["status"]?.stringValue }, ["Pending", "Pending", "Pending"])
            let stored2 = try await rules(harness, "BOOT-PENDING-1")
            XCTAssertEqual(stored2.filter { $0.hasPrefix("boot.") }, [])
        }
    }

    func testA201StationBootingAgainAfterAcceptedIsFlagged() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("BOOT-AGAIN-201", subprotocols: ["ocpp2.0.1"])
            try await Script([.call("BootNotification", Self.boot201, id: "first"), .call("BootNotification", Self.boot201, id: "second")])
                .play(on: harness, as: pile)
            _ = try await harness.finding("boot.repeated-on-connection", for: "BOOT-AGAIN-201", messageId: "second")
        }
    }

    // MARK: boot.reconnect-loop

    /// Connects `identity` anew, boots with message id `id` and closes the socket.
    private func bootOnNewConnection(_ harness: GatewayHarness, _ identity: String, id: String, v201: Bool = false) async throws {
        let pile = try await harness.connect(identity, subprotocols: [v201 ? "ocpp2.0.1" : "ocpp1.6"])
        try await Script([.call("BootNotification", v201 ? Self.boot201 : Self.payload(Frames.boot), id: id)]).play(on: harness, as: pile)
        pile.peer.close()
        try await pile.peer.closeFuture.get()
    }

    func testThreeBootsOnNewConnectionsWithinAMinuteAreOneLoopFinding() async throws {
        try await GatewayHarness.with { harness in
            for index in 1...4 { try await bootOnNewConnection(harness, "LOOP-1", id: "boot-\(index)") }
            let loops = try await harness.findings("LOOP-1").filter { $0.rule == "boot.reconnect-loop" }
            XCTAssertEqual(loops.compactMap(\.messageId), ["boot-3"], "the third boot makes the loop; the fourth is the same episode")
        }
    }

    func testA201StationInABootLoopIsFlagged() async throws {
        try await GatewayHarness.with { harness in
            for index in 1...3 { try await bootOnNewConnection(harness, "LOOP-201", id: "boot-\(index)", v201: true) }
            _ = try await harness.finding("boot.reconnect-loop", for: "LOOP-201", messageId: "boot-3")
        }
    }

    func testTwoRebootsOrAResetInBetweenAreNoLoop() async throws {
        try await GatewayHarness.with { harness in
            // Boot, one reboot: two boots, under the default count of three.
            for index in 1...2 { try await bootOnNewConnection(harness, "RECONNECT-ONCE", id: "boot-\(index)") }
            // Boot, reboot, then the gateway's Reset asks for the third.
            for index in 1...2 { try await bootOnNewConnection(harness, "RESET-ASKED", id: "boot-\(index)") }
            let pile = try await harness.connect("RESET-ASKED")
            pile.respond(to: "Reset", with: ["status": "Accepted"])
            try await Script([Frames.heartbeat]).play(on: harness, as: pile)
            _ = try await harness.gateway.reset("RESET-ASKED", type: .Hard, timeout: .seconds(2))
            pile.peer.close()
            try await pile.peer.closeFuture.get()
            try await bootOnNewConnection(harness, "RESET-ASKED", id: "boot-3")
            let stored3 = try await rules(harness, "RECONNECT-ONCE")
            XCTAssertFalse(stored3.contains("boot.reconnect-loop"))
            let stored4 = try await rules(harness, "RESET-ASKED")
            XCTAssertFalse(stored4.contains("boot.reconnect-loop"))
        }
    }

    func testTheLoopCountIsATolerance() async throws {
        var configuration = GatewayConfiguration()
        configuration.tolerances.bootLoopCount = 5
        try await GatewayHarness.with(configuration) { harness in
            for index in 1...4 { try await bootOnNewConnection(harness, "LOOP-TOLERANT", id: "boot-\(index)") }
            let stored5 = try await rules(harness, "LOOP-TOLERANT")
            XCTAssertFalse(stored5.contains("boot.reconnect-loop"), "four boots, five allowed")
            try await bootOnNewConnection(harness, "LOOP-TOLERANT", id: "boot-5")
            _ = try await harness.finding("boot.reconnect-loop", for: "LOOP-TOLERANT", messageId: "boot-5")
        }
    }

    // MARK: rpc.reply-schema-violation

    func testAnAnswerBreakingItsSchemaIsFlaggedWithOurCallsId() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("REPLY-SCHEMA-1")
            _ = try await pile.boot()
            pile.respond(to: "ChangeConfiguration", with: ["result": "Accepted"])
            do {
                _ = try await harness.gateway.changeConfiguration("REPLY-SCHEMA-1", key: "HeartbeatInterval", value: "60", timeout: .seconds(2))
                XCTFail("an answer without status cannot be used")
            } catch RPCCallError.invalidResponse {}
            let callId = try XCTUnwrap(pile.received.last { $0.action == "ChangeConfiguration" }?.messageId)
            let found = try await harness.finding("rpc.reply-schema-violation", for: "REPLY-SCHEMA-1", messageId: callId)
            XCTAssertTrue(found.detail.contains("ChangeConfiguration"), found.detail)
        }
    }

    func testAValidAnswerIsCleanAndALenientDeviationIsAPayloadFindingOnly() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("REPLY-SCHEMA-2")
            _ = try await pile.boot()
            pile.respond(to: "ChangeConfiguration", with: ["status": "Accepted"])
            _ = try await harness.gateway.changeConfiguration("REPLY-SCHEMA-2", key: "HeartbeatInterval", value: "60", timeout: .seconds(2))
            let stored6 = try await rules(harness, "REPLY-SCHEMA-2")
            XCTAssertEqual(stored6, [], "a valid answer")
            pile.respond(to: "ChangeConfiguration", with: ["status": "accepted"])
            let status = try await harness.gateway.changeConfiguration("REPLY-SCHEMA-2", key: "HeartbeatInterval", value: "90", timeout: .seconds(2))
            XCTAssertEqual(status, .Accepted, "read leniently")
            let callId = try XCTUnwrap(pile.received.last { $0.action == "ChangeConfiguration" }?.messageId)
            _ = try await harness.finding("payload.enum-letter-case", for: "REPLY-SCHEMA-2", messageId: callId)
            let stored7 = try await rules(harness, "REPLY-SCHEMA-2")
            XCTAssertFalse(stored7.contains("rpc.reply-schema-violation"))
        }
    }

    func testA201AnswerToAnOperatorCommandBreakingItsSchemaIsFlagged() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("REPLY-SCHEMA-201", subprotocols: ["ocpp2.0.1"])
            try await Script([.call("BootNotification", Self.boot201)]).play(on: harness, as: pile)
            pile.respond(to: "Reset", with: ["status": 1])
            _ = try? await harness.gateway.command("REPLY-SCHEMA-201", action: "Reset", payload: ["type": "OnIdle"], issuedBy: "test")
            let callId = try XCTUnwrap(pile.received.last { $0.action == "Reset" }?.messageId)
            _ = try await harness.finding("rpc.reply-schema-violation", for: "REPLY-SCHEMA-201", messageId: callId)
        }
    }

    // MARK: rpc.unknown-error-code

    /// Sends ChangeConfiguration (1.6) or Reset (2.0.1) and answers it raw with CALLERROR `code`; returns our CALL's id.
    private func answer(_ harness: GatewayHarness, _ pile: TestChargePoint, _ identity: String, withErrorCode code: String) async throws -> String {
        let v201 = pile.peer.version == .v201
        let action = v201 ? "Reset" : "ChangeConfiguration"
        let before = pile.received.count
        let payload: JSON = v201 ? ["type": "OnIdle"] : ["key": "HeartbeatInterval", "value": "60"]
        async let sent = try? harness.gateway.command(identity, action: action, payload: payload, issuedBy: "test", timeout: .seconds(3))
        _ = try await harness.eventually(3) { pile.received.count > before }
        let id = try XCTUnwrap(pile.received.last?.messageId)
        pile.peer.sendRaw(#"[4,"\#(id)","\#(code)","cannot",{}]"#)
        _ = await sent
        return id
    }

    func testAMadeUpOrOtherVersionErrorCodeIsFlaggedAndTheVersionsOwnCodesAreNot() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("ERROR-CODE-1")
            _ = try await pile.boot()
            for code in ["NotSupported", "NotImplemented", "FormationViolation", "OccurenceConstraintViolation", "GenericError"] {
                _ = try await answer(harness, pile, "ERROR-CODE-1", withErrorCode: code)
            }
            let stored8 = try await rules(harness, "ERROR-CODE-1")
            XCTAssertEqual(stored8, [], "1.6's own codes, its typos included")
            let madeUp = try await answer(harness, pile, "ERROR-CODE-1", withErrorCode: "UnknownAction")
            let corrected = try await answer(harness, pile, "ERROR-CODE-1", withErrorCode: "FormatViolation")
            _ = try await harness.finding("rpc.unknown-error-code", for: "ERROR-CODE-1", messageId: madeUp)
            let other = try await harness.finding("rpc.unknown-error-code", for: "ERROR-CODE-1", messageId: corrected)
            XCTAssertTrue(other.detail.contains("2.0.1"), other.detail)
        }
    }

    func testA201StationUsingThe16SpellingIsFlagged() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("ERROR-CODE-201", subprotocols: ["ocpp2.0.1"])
            try await Script([.call("BootNotification", Self.boot201)]).play(on: harness, as: pile)
            for code in ["RpcFrameworkError", "FormatViolation", "OccurrenceConstraintViolation", "MessageTypeNotSupported"] {
                _ = try await answer(harness, pile, "ERROR-CODE-201", withErrorCode: code)
            }
            let stored9 = try await rules(harness, "ERROR-CODE-201")
            XCTAssertEqual(stored9, [], "2.0.1's own codes")
            let typo = try await answer(harness, pile, "ERROR-CODE-201", withErrorCode: "OccurenceConstraintViolation")
            let found = try await harness.finding("rpc.unknown-error-code", for: "ERROR-CODE-201", messageId: typo)
            XCTAssertTrue(found.detail.contains("OccurrenceConstraintViolation"), found.detail)
        }
    }

    // MARK: rpc.overlapping-call

    func testACallSentBeforeTheAnswerToTheLastIsFlaggedButAResendIsNot() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("OVERLAP-1")
            try await Script([Frames.boot]).play(on: harness, as: pile)
            // The same StartTransaction again under its id before our answer: a resend.
            let start = #"{"connectorId":1,"idTag":"T1","meterStart":0,"timestamp":\#(Script.expand("$T(0)", transactionId: 0))}"#
            pile.peer.sendRaw(#"[2,"start-1","StartTransaction",\#(start)]"#)
            pile.peer.sendRaw(#"[2,"start-1","StartTransaction",\#(start)]"#)
            let both = try await harness.eventually(5) { pile.incomingFrames.filter { $0.messageId == "start-1" && $0.messageType == 3 }.count == 2 }
            XCTAssertTrue(both, "both copies answered")
            let stored10 = try await rules(harness, "OVERLAP-1")
            XCTAssertFalse(stored10.contains("rpc.overlapping-call"), "a resend under the same id")
            // A new CALL right behind a StartTransaction, whose answer waits for the store.
            pile.peer.sendRaw(#"[2,"start-2","StartTransaction",\#(start.replacingOccurrences(of: "\"connectorId\":1", with: "\"connectorId\":2"))]"#)
            pile.peer.sendRaw(#"[2,"status-2","StatusNotification",{"connectorId":2,"errorCode":"NoError","status":"Charging"}]"#)
            _ = try await harness.reply(from: pile, to: "status-2")
            // Once per connection: had the resend been taken for an overlap, this would not be recorded.
            let found = try await harness.finding("rpc.overlapping-call", for: "OVERLAP-1", messageId: "status-2")
            XCTAssertTrue(found.detail.contains("start-2"), found.detail)
        }
    }

    func testA201StationSendingWithoutWaitingIsFlagged() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("OVERLAP-201", subprotocols: ["ocpp2.0.1"])
            try await Script([.call("BootNotification", Self.boot201)]).play(on: harness, as: pile)
            // The Started event's answer waits for the store; the status does not wait for it.
            let started = V201.TransactionEvent.encode(
                V201SessionTests.event(.started, "tx-o", seqNo: 0, trigger: .authorized, wh: 1000, evse: 1, token: "TAG-201", state: .charging))
            pile.peer.sendRaw(#"[2,"started","TransactionEvent",\#(started.text)]"#)
            pile.peer.sendRaw(#"[2,"hb","Heartbeat",{}]"#)
            _ = try await harness.reply(from: pile, to: "hb")
            _ = try await harness.finding("rpc.overlapping-call", for: "OVERLAP-201", messageId: "hb")
        }
    }

    /// The payload of a scripted CALL.
    private static func payload(_ step: Script.Step) -> String {
        if case .call(_, let payload, _) = step { return payload }
        return "{}"
    }
}
