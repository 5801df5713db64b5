import Foundation
import Gateway
import NIOCore
import OCPP
import OCPPWebSocket
import SessionStore
import XCTest

/// Commands the central system sends to piles: typed results, the request the pile really
/// got, and what happens when the pile is silent, refuses, or is not there.
///
/// Each pile boots before it is sent anything: the gateway registers a connection just
/// after its 101 answer has gone out, so a command issued the instant the client sees the
/// 101 may still find the pile not connected. The boot round trip settles that.
final class RemoteCommandTests: XCTestCase {
    /// The one CALL the pile received for `action`, failing the test if there is not exactly one.
    private func request(_ pile: TestChargePoint, _ action: String, file: StaticString = #filePath, line: UInt = #line) throws -> JSON {
        let calls = pile.received.filter { $0.action == action }
        XCTAssertEqual(calls.count, 1, "\(action) calls received", file: file, line: line)
        return try XCTUnwrap(calls.first, file: file, line: line).payload
    }

    func testEveryRemoteCommandRoundTripsWithThePilesAnswerAndTheRightRequest() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("REMOTE-1")
            _ = try await pile.boot()
            let gateway = harness.gateway
            let bound = TimeAmount.seconds(2)
            pile.respond(to: "RemoteStartTransaction", with: ["status": "Accepted"])
            pile.respond(to: "RemoteStopTransaction", with: ["status": "Rejected"])
            pile.respond(to: "Reset", with: ["status": "Accepted"])
            pile.respond(to: "ChangeConfiguration", with: ["status": "RebootRequired"])
            pile.respond(
                to: "GetConfiguration",
                with: [
                    "configurationKey": [["key": "HeartbeatInterval", "readonly": false, "value": "120"]],
                    "unknownKey": ["NoSuchKey"],
                ])
            pile.respond(to: "TriggerMessage", with: ["status": "Accepted"])
            pile.respond(to: "UnlockConnector", with: ["status": "UnlockFailed"])
            pile.respond(to: "ChangeAvailability", with: ["status": "Scheduled"])

            let remoteStart = try await gateway.remoteStartTransaction("REMOTE-1", idTag: "APP-USER-7", connectorId: 2, timeout: bound)
            XCTAssertEqual(remoteStart, .Accepted)
            let startRequest = try request(pile, "RemoteStartTransaction")
            XCTAssertEqual(startRequest["idTag"], "APP-USER-7")
            XCTAssertEqual(startRequest["connectorId"], 2)
            XCTAssertNil(startRequest["chargingProfile"], "absent optional fields are left out, not null")

            let remoteStop = try await gateway.remoteStopTransaction("REMOTE-1", transactionId: 4711, timeout: bound)
            XCTAssertEqual(remoteStop, .Rejected)
            XCTAssertEqual(try request(pile, "RemoteStopTransaction"), ["transactionId": 4711])

            let reset = try await gateway.reset("REMOTE-1", type: .Hard, timeout: bound)
            XCTAssertEqual(reset, .Accepted)
            XCTAssertEqual(try request(pile, "Reset"), ["type": "Hard"])

            let change = try await gateway.changeConfiguration("REMOTE-1", key: "HeartbeatInterval", value: "120", timeout: bound)
            XCTAssertEqual(change, .RebootRequired)
            let changeRequest = try request(pile, "ChangeConfiguration")
            XCTAssertEqual(changeRequest["key"], "HeartbeatInterval")
            XCTAssertEqual(changeRequest["value"], "120")

            let configuration = try await gateway.getConfiguration("REMOTE-1", keys: ["HeartbeatInterval", "NoSuchKey"], timeout: bound)
            XCTAssertEqual(configuration.configurationKey, [.init(key: "HeartbeatInterval", readonly: false, value: "120")])
            XCTAssertEqual(configuration.unknownKey, ["NoSuchKey"])
            XCTAssertEqual(try request(pile, "GetConfiguration"), ["key": ["HeartbeatInterval", "NoSuchKey"]])

            let trigger = try await gateway.triggerMessage("REMOTE-1", .StatusNotification, connectorId: 1, timeout: bound)
            XCTAssertEqual(trigger, .Accepted)
            let triggerRequest = try request(pile, "TriggerMessage")
            XCTAssertEqual(triggerRequest["requestedMessage"], "StatusNotification")
            XCTAssertEqual(triggerRequest["connectorId"], 1)

            let unlock = try await gateway.unlockConnector("REMOTE-1", connectorId: 1, timeout: bound)
            XCTAssertEqual(unlock, .UnlockFailed)
            XCTAssertEqual(try request(pile, "UnlockConnector"), ["connectorId": 1])

            let availability = try await gateway.changeAvailability("REMOTE-1", connectorId: 0, type: .Inoperative, timeout: bound)
            XCTAssertEqual(availability, .Scheduled)
            let availabilityRequest = try request(pile, "ChangeAvailability")
            XCTAssertEqual(availabilityRequest["connectorId"], 0)
            XCTAssertEqual(availabilityRequest["type"], "Inoperative")

            // Both directions of every command are in the message log.
            try await harness.store.flush()
            let frames = try await harness.store.frameCount()
            XCTAssertGreaterThanOrEqual(frames, 2 + 8 * 2)
        }
    }

    func testPileThatDoesNotAnswerTimesOutAndIsRecorded() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("SILENT-CMD-1")
            _ = try await pile.boot()
            let started = Date()
            do {
                _ = try await harness.gateway.reset("SILENT-CMD-1", type: .Soft, timeout: .milliseconds(300))
                XCTFail("a pile that never answers cannot produce a result")
            } catch let error as RPCCallError {
                guard case .timedOut(let action, let after) = error else { return XCTFail("expected .timedOut, got \(error)") }
                XCTAssertEqual(action, "Reset")
                XCTAssertEqual(after, 0.3, accuracy: 0.001)
            }
            XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.3)
            XCTAssertEqual(pile.received.map(\.action), ["Reset"], "the CALL did reach the pile")
            let finding = try await harness.finding("rpc.call-timeout", for: "SILENT-CMD-1")
            XCTAssertEqual(finding.severity, "error")

            // The timed-out CALL no longer blocks the connection: the next one goes out and is answered.
            pile.respond(to: "UnlockConnector", with: ["status": "Unlocked"])
            let unlock = try await harness.gateway.unlockConnector("SILENT-CMD-1", connectorId: 1, timeout: .seconds(2))
            XCTAssertEqual(unlock, .Unlocked)
        }
    }

    func testAnswerArrivingAfterTheTimeoutIsRecordedAsUnsolicited() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("LATE-1")
            _ = try await pile.boot()
            pile.respond(to: "Reset", with: ["status": "Accepted"], after: .milliseconds(400))
            do {
                _ = try await harness.gateway.reset("LATE-1", type: .Soft, timeout: .milliseconds(150))
                XCTFail("the answer comes too late")
            } catch RPCCallError.timedOut {
                // Expected.
            }
            let finding = try await harness.finding("rpc.unsolicited-reply", for: "LATE-1")
            XCTAssertEqual(finding.messageId, pile.received.first?.messageId)
        }
    }

    func testPileAnsweringCallErrorRejectsTheCommand() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("REFUSING-1")
            _ = try await pile.boot()
            pile.respond(to: "Reset", withError: RPCError(.notSupported, "resets are disabled on this unit"))
            do {
                _ = try await harness.gateway.reset("REFUSING-1", type: .Hard, timeout: .seconds(2))
                XCTFail("a CALLERROR is not a result")
            } catch let error as RPCCallError {
                guard case .rejected(let rpcError) = error else { return XCTFail("expected .rejected, got \(error)") }
                XCTAssertEqual(rpcError.code, .notSupported)
                XCTAssertEqual(rpcError.wireCode, "NotSupported")
                XCTAssertEqual(rpcError.description, "resets are disabled on this unit")
            }
        }
    }

    func testCommandForAPileThatIsNotConnectedFailsAtOnce() async throws {
        try await GatewayHarness.with { harness in
            do {
                _ = try await harness.gateway.reset("NOBODY-HERE", type: .Soft, timeout: .seconds(2))
                XCTFail("there is no one to ask")
            } catch let error as RPCCallError {
                XCTAssertEqual(error, .notConnected("NOBODY-HERE"))
            }
        }
    }

    func testTwoConcurrentCommandsAreBothAnsweredWithOneCallInFlightAtATime() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("BUSY-1")
            _ = try await pile.boot()
            // Each answer takes a while, so two CALLs in flight at once would be seen.
            pile.respond(to: "Reset", with: ["status": "Accepted"], after: .milliseconds(200))
            pile.respond(to: "UnlockConnector", with: ["status": "Unlocked"], after: .milliseconds(200))
            let gateway = harness.gateway
            let started = Date()
            async let reset = gateway.reset("BUSY-1", type: .Soft, timeout: .seconds(3))
            async let unlock = gateway.unlockConnector("BUSY-1", connectorId: 1, timeout: .seconds(3))
            let (resetStatus, unlockStatus) = try await (reset, unlock)
            XCTAssertEqual(resetStatus, .Accepted)
            XCTAssertEqual(unlockStatus, .Unlocked)
            XCTAssertEqual(Set(pile.received.map(\.action)), ["Reset", "UnlockConnector"])
            XCTAssertEqual(pile.mostUnanswered, 1, "the second CALL waits for the answer to the first")
            XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.4, "answered one after the other")
        }
    }
}
