import Foundation
@testable import Gateway
import NIOCore
import OCPP
import OCPPWebSocket
import SessionStore
import XCTest

/// What the relay does when the backend gets things wrong, goes away or is several
/// backends: judged, answered, delivered later, mirrored.
final class RelayBackendTests: XCTestCase {
    /// A backend that answers Heartbeat with a 2.0.1 error code, never answers MeterValues,
    /// answers StatusNotification twice (the second time for no CALL) and accepts the rest.
    static func misbehaving(_ call: IncomingCall, _ connection: RPCConnection) {
        switch call.action {
        case "Heartbeat":
            connection.reply(to: call, errorCode: "FormatViolation", description: "2.0.1 spelling on a 1.6 link")
        case "MeterValues":
            break
        case "StatusNotification":
            connection.reply(to: call, result: [:])
            connection.send(.callResult(messageId: "never-asked", payload: [:]), action: nil, latency: nil)
        case "DataTransfer":
            connection.reply(to: call, result: ["status": 42])
        case "BootNotification":
            connection.reply(to: call, result: ["status": "Accepted", "currentTime": .string(OCPPTimestamp.format(Date())), "interval": 300])
        default:
            connection.reply(to: call, result: [:])
        }
    }

    func testTheBackendIsJudgedAndANeverAnsweredMessageIsGivenUpAfterThreeTries() async throws {
        let backend = FakeBackend(answer: Self.misbehaving)
        try await backend.start()
        defer { Task { try? await backend.stop() } }
        let configuration = RelayRig.configuration(backendPort: backend.port) { $0.callTimeout = 0.3 }
        try await GatewayHarness.with(configuration) { relay in
            let pile = try await relay.connect("CP-JUDGED")
            let boot = try await pile.boot()
            XCTAssertEqual(boot.interval, 300, "the backend's answer")
            pile.peer.sendRaw(#"[2, "hb-1", "Heartbeat", {}]"#)
            let heartbeat = try await relay.reply(from: pile, to: "hb-1")
            XCTAssertEqual(heartbeat[2], "FormatViolation", "passed on as the backend wrote it")
            _ = try await relay.finding("backend.unknown-error-code", for: "CP-JUDGED", messageId: "hb-1")

            pile.peer.sendRaw(#"[2, "st-1", "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available"}]"#)
            _ = try await relay.reply(from: pile, to: "st-1")
            _ = try await relay.finding("backend.late-reply", for: "CP-JUDGED", messageId: "never-asked")

            pile.peer.sendRaw(#"[2, "mv-1", "MeterValues", {"connectorId": 1, "meterValue": [{"timestamp": "2026-12-03T08:00:00Z", "sampledValue": [{"value": "1"}]}]}]"#)
            let meter = try await relay.reply(from: pile, to: "mv-1", timeout: 5)
            XCTAssertEqual(meter.first, 3, "answered by the relay when the backend did not")
            _ = try await relay.finding("backend.call-timeout", for: "CP-JUDGED", messageId: "mv-1")
            _ = try await relay.finding("backend.undelivered", for: "CP-JUDGED", messageId: "mv-1", timeout: 5)
            let gone = try await relay.eventually(5) { try await relay.store.relayQueue(chargePointId: "CP-JUDGED").isEmpty }
            XCTAssertTrue(gone, "given up, so it no longer blocks the pile's later messages")
            try await relay.store.flush()
            let sent = try await relay.store.frames(chargePointId: "CP-JUDGED", messageId: "mv-1").filter { $0.direction == .toUpstream }
            XCTAssertEqual(sent.count, 3, "three tries, each with the pile's message id")
        }
    }

    func testTheBackendsOwnCallsAndFramesAreJudged() async throws {
        let backend = FakeBackend(answer: Self.misbehaving)
        try await backend.start()
        defer { Task { try? await backend.stop() } }
        try await GatewayHarness.with(RelayRig.configuration(backendPort: backend.port) { $0.callTimeout = 1 }) { relay in
            let pile = try await relay.connect("CP-CALLED")
            pile.respond(to: "Reset", with: ["status": "Accepted"])
            _ = try await pile.boot()
            pile.peer.sendRaw(#"[2, "dt-1", "DataTransfer", {"vendorId": "X"}]"#)
            _ = try await relay.reply(from: pile, to: "dt-1")
            _ = try await relay.finding("backend.reply-schema-violation", for: "CP-CALLED", messageId: "dt-1")
            let peer = try XCTUnwrap(backend.peer("CP-CALLED"))
            peer.sendRaw(#"[2, "bad-reset", "Reset", {"type": "Gentle"}]"#)
            peer.sendRaw(#"[2, "cp-action", "StartTransaction", {"connectorId": 1}]"#)
            peer.sendRaw(#"[2, "broken"#)
            _ = try await relay.finding("backend.schema-violation", for: "CP-CALLED", messageId: "bad-reset")
            _ = try await relay.finding("backend.unknown-action", for: "CP-CALLED", messageId: "cp-action")
            _ = try await relay.finding("backend.malformed-frame", for: "CP-CALLED")
            XCTAssertTrue(pile.received.contains { $0.messageId == "bad-reset" }, "passed on to the pile unchanged")
        }
    }

    func testABackendCallForAPileThatLeftGetsAClearCallError() async throws {
        let backend = FakeBackend(answer: Self.misbehaving)
        try await backend.start()
        defer { Task { try? await backend.stop() } }
        try await GatewayHarness.with(RelayRig.configuration(backendPort: backend.port) { $0.callTimeout = 2 }) { relay in
            let pile = try await relay.connect("CP-LEAVES")
            _ = try await pile.boot()
            // An unanswered MeterValues keeps the backend's leg open after the pile leaves.
            pile.peer.sendRaw(#"[2, "mv-1", "MeterValues", {"connectorId": 1, "meterValue": [{"timestamp": "2026-12-03T08:00:00Z", "sampledValue": [{"value": "1"}]}]}]"#)
            _ = try await relay.reply(from: pile, to: "mv-1", timeout: 5)
            try await pile.vanish()
            let peer = try XCTUnwrap(backend.peer("CP-LEAVES"))
            do {
                _ = try await peer.call(action: "Reset", payload: ["type": "Soft"])
                XCTFail("a pile that is not connected cannot answer")
            } catch RPCCallError.rejected(let error) {
                XCTAssertEqual(error.code, .genericError)
                XCTAssertTrue(error.description.contains("offline"), error.description)
            }
        }
    }

    func testARestartedRelayDeliversWhatItQueuedBeforeThePileReturns() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-relay-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let backend = try await GatewayHarness.start()
        let port = backend.port
        let backendDirectory = backend.directory
        try await backend.shutdown(keepFiles: true)
        let relay = try await GatewayHarness.start(RelayRig.configuration(backendPort: port), directory: directory)
        let pile = try await relay.connect("CP-RESTART")
        for n in 1...3 {
            pile.peer.sendRaw(#"[2, "mv-\#(n)", "MeterValues", {"connectorId": 1, "meterValue": [{"timestamp": "2026-12-03T08:00:00Z", "sampledValue": [{"value": "\#(n)"}]}]}]"#)
            _ = try await relay.reply(from: pile, to: "mv-\(n)")
        }
        try await relay.shutdown(keepFiles: true)

        let back = try await GatewayHarness.start(directory: backendDirectory, tweak: { $0.port = port })
        let again = try await GatewayHarness.start(RelayRig.configuration(backendPort: port), directory: directory)
        await again.gateway.resumeRelayQueues(on: again.group)
        let delivered = try await back.eventually(10) { try await RelayRig.calls(in: back.store, "CP-RESTART").count == 3 }
        let ids = try await RelayRig.calls(in: back.store, "CP-RESTART").compactMap(\.messageId)
        try await again.shutdown()
        try await back.shutdown()
        XCTAssertTrue(delivered, "delivered without the pile: \(ids)")
        XCTAssertEqual(ids, ["mv-1", "mv-2", "mv-3"])
    }

    func testAMirrorGetsACopyOfThePilesCallsAndItsAnswersAreIgnored() async throws {
        try await GatewayHarness.with { backend in
            try await GatewayHarness.with { mirror in
                let configuration = RelayRig.configuration(backendPort: backend.port) { $0.upstream?.mirrors = [mirror.endpoint] }
                try await GatewayHarness.with(configuration) { relay in
                    let pile = try await relay.connect("CP-MIRRORED")
                    let joined = try await mirror.eventually(5) { mirror.gateway.peer("CP-MIRRORED") != nil }
                    XCTAssertTrue(joined, "the relay connects the pile to the mirror too")
                    _ = try await pile.boot()
                    _ = try await pile.call(V16.Heartbeat.self, .init())
                    let copied = try await mirror.eventually(5) { try await RelayRig.calls(in: mirror.store, "CP-MIRRORED").count == 2 }
                    XCTAssertTrue(copied, "the mirror saw the pile's Boot and Heartbeat")
                    XCTAssertEqual(pile.incomingFrames.filter { $0.messageType == 3 }.count, 2, "one answer per CALL: the mirror's are dropped")
                }
            }
        }
    }

    func testConnectsAreSpacedAcrossAllPiles() {
        let pacer = ConnectPacer(perSecond: 100)
        let delays = (0..<5).map { _ in Double(pacer.reserve().nanoseconds) / 1e6 }
        XCTAssertEqual(delays[0], 0, accuracy: 2)
        XCTAssertEqual(delays[4], 40, accuracy: 5, "\(delays)")
    }
}
