import Foundation
import Gateway
import NIOCore
import OCPP
import OCPPWebSocket
import SessionStore
import XCTest

/// Relay mode over real loopback sockets: pile → relay → backend (a second gateway, or a
/// fake one that misbehaves on purpose).
final class RelayTests: XCTestCase {
    func testFramesPassByteForByteBothWaysAndBothLegsAreRecorded() async throws {
        try await GatewayHarness.with { backend in
            try await GatewayHarness.with(RelayRig.configuration(backendPort: backend.port)) { relay in
                let pile = try await relay.connect("CP-PASS")
                // Spaces and key order no encoder would produce: they must arrive as sent.
                let boot = #"[2, "boot-1", "BootNotification", { "chargePointModel": "M1",  "chargePointVendor": "V" }]"#
                pile.peer.sendRaw(boot)
                let reply = try await relay.reply(from: pile, to: "boot-1")
                XCTAssertEqual(reply.first, 3)
                let backendCalls = try await RelayRig.calls(in: backend.store, "CP-PASS")
                XCTAssertEqual(backendCalls.first?.text, boot, "the backend got the pile's frame unchanged")
                try await backend.store.flush()
                let backendReply = try await backend.store.frames(chargePointId: "CP-PASS", messageId: "boot-1").first { $0.messageType == 3 }
                XCTAssertEqual(pile.reply(to: "boot-1").map { JSON.array($0).text }, backendReply.map { try? JSONParser.parse($0.text).text } ?? nil)
                XCTAssertEqual(pile.incomingFrames.first { $0.messageId == "boot-1" }?.text, backendReply?.text, "the pile got the backend's answer unchanged")

                // The backend's CALL reaches the pile; the pile's answer reaches the backend.
                pile.respond(to: "GetConfiguration", with: ["configurationKey": [["key": "HeartbeatInterval", "readonly": false, "value": "77"]]])
                let peer = try XCTUnwrap(backend.gateway.peer("CP-PASS"))
                let answer = try await peer.call(action: "GetConfiguration", payload: ["key": ["HeartbeatInterval"]])
                XCTAssertEqual(answer["configurationKey"]?.arrayValue?.first?["value"], "77")

                try await relay.store.flush()
                let directions = Set(try await relay.store.frames(chargePointId: "CP-PASS", limit: 100).map(\.direction))
                XCTAssertEqual(directions, [.incoming, .outgoing, .toUpstream, .fromUpstream])
            }
        }
    }

    func testTheSubprotocolIsTheBackendsChoice() async throws {
        var backendConfiguration = GatewayConfiguration()
        backendConfiguration.preferredVersion = .v16
        try await GatewayHarness.with(backendConfiguration) { backend in
            // Alone, the relay would pick 2.0.1 (its preferred version) from this offer.
            try await GatewayHarness.with(RelayRig.configuration(backendPort: backend.port)) { relay in
                let pile = try await relay.connect("CP-BOTH", subprotocols: ["ocpp2.0.1", "ocpp1.6"])
                XCTAssertEqual(pile.peer.version, .v16)
            }
        }
    }

    func testTheBackendsRefusalAndCredentialsPassThrough() async throws {
        var backendConfiguration = GatewayConfiguration()
        backendConfiguration.unknownChargePoints = .refuse
        backendConfiguration.security.passwordHashCost = 10
        var known = GatewayConfiguration.KnownChargePoint(id: "CP-PW", password: "0123456789abcdef0123")
        known.securityProfile = 1
        var mapped = GatewayConfiguration.KnownChargePoint(id: "CP-MAPPED", password: "backend-side-password-01")
        mapped.securityProfile = 1
        backendConfiguration.chargePoints = [known, mapped]
        try await GatewayHarness.with(backendConfiguration) { backend in
            let relayConfiguration = RelayRig.configuration(backendPort: backend.port) { c in
                var entry = GatewayConfiguration.KnownChargePoint(id: "CP-MAPPED")
                entry.upstreamPassword = "backend-side-password-01"
                c.chargePoints = [entry]
            }
            try await GatewayHarness.with(relayConfiguration) { relay in
                func status(_ identity: String, password: String?) async throws -> Int? {
                    do {
                        let pile = try await relay.connect(identity, password: password)
                        pile.peer.close()
                        return nil
                    } catch OCPPClientError.upgradeRefused(_, let status, _) {
                        return status
                    }
                }
                let unknown = try await status("CP-UNKNOWN", password: nil)
                XCTAssertEqual(unknown, 404)
                let wrong = try await status("CP-PW", password: "wrong-password-00000")
                XCTAssertEqual(wrong, 401)
                let right = try await status("CP-PW", password: "0123456789abcdef0123")
                XCTAssertNil(right, "the pile's own password, passed on, lets it in")
                let mappedIn = try await status("CP-MAPPED", password: nil)
                XCTAssertNil(mappedIn, "the relay logs in to the backend with the mapped password")
            }
        }
    }

    func testBackendOutageQueuesTransactionsAndDeliversEachExactlyOnceInOrder() async throws {
        let backend = try await GatewayHarness.start()
        let backendPort = backend.port
        let backendDirectory = backend.directory
        try await GatewayHarness.with(RelayRig.configuration(backendPort: backendPort)) { relay in
            let pile = try await relay.connect("CP-OUT")
            _ = try await pile.boot()
            let online = try await pile.call(
                V16.StartTransaction.self, .init(connectorId: 1, idTag: "TAG-1", meterStart: 1000, timestamp: Date()))
            XCTAssertLessThan(online.transactionId, 1_900_000_000, "started online: the backend's own id")

            try await backend.shutdown(keepFiles: true)
            var sent: [String] = []
            var count = 0
            func send(_ action: String, _ payload: JSON) async throws -> [JSON] {
                count += 1
                let id = "out-\(count)"
                sent.append(id)
                pile.peer.sendRaw(JSON.array([2, .string(id), .string(action), payload]).text)
                return try await relay.reply(from: pile, to: id)
            }
            let sample: (Int64) -> JSON = { wh in [["timestamp": .string(OCPPTimestamp.format(Date())), "sampledValue": [["value": .string("\(wh)")]]]] }
            for wh in [1500, 2000, 2500] as [Int64] {
                let reply = try await send("MeterValues", ["connectorId": 1, "transactionId": .integer(Int64(online.transactionId)), "meterValue": sample(wh)])
                XCTAssertEqual(reply.first, 3, "answered by the relay once stored")
            }
            let stop = try await send("StopTransaction", ["transactionId": .integer(Int64(online.transactionId)), "meterStop": 3000, "timestamp": .string(OCPPTimestamp.format(Date()))])
            XCTAssertEqual(stop.first, 3)
            let heartbeat = try await pile.peer.call(action: "Heartbeat", payload: [:])
            XCTAssertNotNil(heartbeat["currentTime"], "Heartbeat answered by the relay")
            let authorize = try await send("Authorize", ["idTag": "TAG-2"])
            XCTAssertEqual(authorize.first, 4, "Authorize needs the backend: CALLERROR")
            sent.removeLast()
            let start = try await send("StartTransaction", ["connectorId": 1, "idTag": "TAG-2", "meterStart": 3000, "timestamp": .string(OCPPTimestamp.format(Date()))])
            let localId = try XCTUnwrap(start.last?["transactionId"]?.intValue)
            XCTAssertGreaterThanOrEqual(localId, 1_900_000_000, "started while the backend was away: the relay's id")
            _ = try await send("MeterValues", ["connectorId": 1, "transactionId": .integer(localId), "meterValue": sample(3500)])
            _ = try await send("StopTransaction", ["transactionId": .integer(localId), "meterStop": 4000, "timestamp": .string(OCPPTimestamp.format(Date()))])

            // The backend returns on its port with its store.
            let back = try await GatewayHarness.start(directory: backendDirectory, tweak: { $0.port = backendPort })
            do {
                let delivered = try await back.eventually(15) { try await RelayRig.calls(in: back.store, "CP-OUT").filter { $0.messageId?.hasPrefix("out-") == true }.count >= sent.count }
                XCTAssertTrue(delivered, "every acknowledged message reached the backend")
                let calls = try await RelayRig.calls(in: back.store, "CP-OUT").compactMap(\.messageId).filter { $0.hasPrefix("out-") }
                XCTAssertEqual(calls, sent, "each exactly once, in the pile's order")
                let sessions = try await back.store.sessions(chargePointId: "CP-OUT", status: nil, limit: 10)
                XCTAssertEqual(sessions.count, 2)
                XCTAssertTrue(sessions.allSatisfy { $0.status == .completed }, "the offline session's stop named the backend's id: \(sessions.map(\.status))")
                // The relay lets each go from its store once the backend's answer is in.
                let emptied = try await relay.eventually(5) { try await relay.store.relayQueue(chargePointId: nil).isEmpty }
                XCTAssertTrue(emptied, "the relay's queue is empty once all is delivered")
            } catch {
                try await back.shutdown()
                throw error
            }
            try await back.shutdown()
        }
    }

    func testABackendRemoteStopForATransactionStartedInAnOutageNamesThePilesId() async throws {
        let backend = try await GatewayHarness.start()
        let port = backend.port
        let backendDirectory = backend.directory
        try await backend.shutdown(keepFiles: true)
        try await GatewayHarness.with(RelayRig.configuration(backendPort: port)) { relay in
            let pile = try await relay.connect("CP-REMOTE")
            pile.respond(to: "RemoteStopTransaction", with: ["status": "Accepted"])
            let start = try await pile.call(V16.StartTransaction.self, .init(connectorId: 1, idTag: "TAG-1", meterStart: 0, timestamp: Date()))
            XCTAssertGreaterThanOrEqual(start.transactionId, 1_900_000_000)
            let back = try await GatewayHarness.start(directory: backendDirectory, tweak: { $0.port = port })
            do {
                var backendId: Int64?
                _ = try await back.eventually(10) {
                    backendId = try await back.store.sessions(chargePointId: "CP-REMOTE", status: .active, limit: 1).first?.id
                    return backendId != nil
                }
                let peer = try XCTUnwrap(back.gateway.peer("CP-REMOTE"))
                _ = try await peer.call(action: "RemoteStopTransaction", payload: ["transactionId": .integer(try XCTUnwrap(backendId))])
                let asked = pile.received.first { $0.action == "RemoteStopTransaction" }
                XCTAssertEqual(asked?.payload["transactionId"]?.intValue, Int64(start.transactionId), "the pile hears its own id")
            } catch {
                try await back.shutdown()
                throw error
            }
            try await back.shutdown()
        }
    }

    func testARepairingPolicyMakesADeviantPileWorkAgainstAStrictBackend() async throws {
        var strict = GatewayConfiguration()
        strict.validation = .strict
        try await GatewayHarness.with(strict) { backend in
            let configuration = RelayRig.configuration(backendPort: backend.port) { c in
                c.chargePoints = [.init(id: "CP-FIXED", network: "Deviant"), .init(id: "CP-ASIS", network: "Plain")]
                c.policies = [.init(network: "Deviant", repair: true)]
            }
            try await GatewayHarness.with(configuration) { relay in
                // A number as a string and a timestamp without zone: a strict backend refuses both.
                let zoneless = String(OCPPTimestamp.format(Date()).prefix(19))
                let deviant = #"{"connectorId": 1, "idTag": "TAG-1", "meterStart": "1200", "timestamp": "\#(zoneless)"}"#
                for id in ["CP-FIXED", "CP-ASIS"] {
                    let pile = try await relay.connect(id)
                    _ = try await pile.boot()
                    pile.peer.sendRaw(#"[2, "start-1", "StartTransaction", \#(deviant)]"#)
                    let reply = try await relay.reply(from: pile, to: "start-1")
                    XCTAssertEqual(reply.first, id == "CP-FIXED" ? 3 : 4, "\(id): \(reply)")
                }
                let repaired = try await relay.finding("payload.number-as-string", for: "CP-FIXED")
                XCTAssertTrue(repaired.detail.contains("repaired for the backend"), repaired.detail)
                _ = try await relay.finding("payload.timestamp-off-spec", for: "CP-FIXED")
                let asIs = try await relay.finding("payload.number-as-string", for: "CP-ASIS")
                XCTAssertFalse(asIs.detail.contains("repaired"), "without the policy the frame passes unchanged")
            }
        }
    }
}
