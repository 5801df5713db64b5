import Foundation
import NIOCore
import OCPP
import OCPPWebSocket
import Synchronization

/// Plays a recorded pile's side of a conversation against a gateway: sends each frame
/// the pile sent, in order, and compares each answer with the recorded one. Ids the
/// gateway assigns (transaction ids) are mapped from the recording to the replay.
struct ReplayPlayer {
    let replay: Replay
    let identity: String
    let endpoint: String
    let eventLoop: any EventLoop
    var answerTimeout: Double = 10

    /// Differences from the recording, one line each; empty when it reproduced.
    func play() async throws -> [String] {
        let inbox = ReplayInbox()
        var configuration = OCPPClientConfiguration(endpoint: endpoint, identity: identity)
        configuration.subprotocols = [(replay.ocppVersion ?? .v16).subprotocol]
        configuration.callTimeout = .seconds(30)
        let peer = try await OCPPClient.connect(configuration, group: eventLoop) { connection in
            connection.delegate = inbox
            connection.owner = inbox
            inbox.attach(connection)
        }
        let loop = peer.eventLoop
        var failures: [String] = []
        var transactionIds: [Int64: Int64] = [:]
        let frames = replay.frames
        var i = 0
        while i < frames.count {
            defer { i += 1 }
            guard let text = frames[i].send, let items = (try? JSONParser.parse(text))?.arrayValue, items.count >= 3,
                items[0].intValue == 2, let messageId = items[1].stringValue, let action = items[2].stringValue
            else { continue }  // the gateway's CALLs and the pile's answers to them are not replayed
            let payload = items.count > 3 ? Self.mapTransactionIds(items[3], transactionIds) : .object(JSONObject())
            let frame = JSON.array([.integer(2), .string(messageId), .string(action), payload]).text
            _ = try await loop.submit { inbox.send(frame, messageId: messageId, action: action) }.get()
            guard let answer = await inbox.answer(to: messageId, within: answerTimeout) else {
                failures.append("frame \(i + 1) (\(action)): no answer within \(Int(answerTimeout)) s")
                continue
            }
            let recorded = frames[(i + 1)...].first { entry in
                guard let text = entry.receive, let reply = (try? JSONParser.parse(text))?.arrayValue, reply.count >= 2 else { return false }
                return reply[1].stringValue == messageId && (reply[0].intValue == 3 || reply[0].intValue == 4)
            }?.receive.flatMap { try? JSONParser.parse($0) }?.arrayValue
            guard let recorded else { continue }
            if action == "StartTransaction", recorded.count > 2, answer.count > 2,
                let old = recorded[2]["transactionId"]?.intValue, let new = answer[2]["transactionId"]?.intValue
            {
                transactionIds[old] = new
            }
            if let difference = Self.difference(recorded: recorded, replayed: answer, transactionIds: transactionIds) {
                failures.append("frame \(i + 1) (\(action)): \(difference)")
            }
        }
        _ = try? await loop.submit { inbox.close() }.get()
        return failures
    }

    /// Replaces recorded transaction ids with the replay's.
    static func mapTransactionIds(_ json: JSON, _ map: [Int64: Int64]) -> JSON {
        guard case .object(var object) = json else { return json }
        if let id = object["transactionId"]?.intValue, let mapped = map[id] { object["transactionId"] = .integer(mapped) }
        return .object(object)
    }

    /// How the replayed answer differs from the recorded one, ignoring clock readings and mapped ids.
    static func difference(recorded: [JSON], replayed: [JSON], transactionIds: [Int64: Int64]) -> String? {
        guard recorded.first == replayed.first else {
            return "recorded \(JSON.array(recorded).text), replayed \(JSON.array(replayed).text)"
        }
        if recorded.first?.intValue == 4 {
            return recorded.count > 2 && replayed.count > 2 && recorded[2] != replayed[2]
                ? "recorded CALLERROR \(recorded[2].text), replayed \(replayed[2].text)" : nil
        }
        guard recorded.count > 2, replayed.count > 2 else { return nil }
        let a = normalize(recorded[2], transactionIds: transactionIds)
        let b = normalize(replayed[2], transactionIds: [:])
        return a == b ? nil : "recorded \(a.text), replayed \(b.text)"
    }

    static func normalize(_ json: JSON, transactionIds: [Int64: Int64]) -> JSON {
        guard case .object(var object) = json else { return json }
        // Clock readings and the heartbeat interval (the gateway's configuration) are not behaviour.
        object["currentTime"] = nil
        object["interval"] = nil
        if let id = object["transactionId"]?.intValue, let mapped = transactionIds[id] { object["transactionId"] = .integer(mapped) }
        return .object(object)
    }
}

/// The replaying connection's delegate: sends frames and collects the gateway's answers.
final class ReplayInbox: RPCConnectionDelegate, @unchecked Sendable {
    // Confined to the connection's event loop except `answers`, which is locked.
    private var connection: RPCConnection?
    private let answers = Mutex<[String: [JSON]]>([:])

    func attach(_ connection: RPCConnection) { self.connection = connection }

    func send(_ text: String, messageId: String, action: String) {
        connection?.send(raw: Array(text.utf8), messageType: 2, messageId: messageId, action: action, latency: nil)
    }

    func close() { connection?.close() }

    func answer(to messageId: String, within seconds: Double) async -> [JSON]? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let answer = answers.withLock({ $0[messageId] }) { return answer }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return answers.withLock { $0[messageId] }
    }

    func rpcConnection(_ connection: RPCConnection, didReceive call: IncomingCall) {
        // Nothing in a replay asks the pile to do anything; answer what the gateway asks with a polite refusal.
        connection.reply(to: call, error: RPCError(.notSupported, "replayed pile"))
    }

    func rpcConnection(_ connection: RPCConnection, didObserve event: RPCEvent) {
        guard case .frame(let tap) = event, tap.direction == .incoming, tap.messageType == 3 || tap.messageType == 4,
            let id = tap.messageId, let items = (try? JSONParser.parse(tap.text))?.arrayValue
        else { return }
        answers.withLock { $0[id] = items }
    }

    func rpcConnectionDidClose(_ connection: RPCConnection) {}
}
