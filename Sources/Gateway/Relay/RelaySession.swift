import Foundation
import Logging
import NIOCore
import OCPP
import OCPPWebSocket
import SessionStore

/// The relay's side of one pile: the pile's connection and the backend's, under the same
/// identity, on the same event loop (no lock between them). Frames pass both ways as they
/// came unless the pile's policy repairs them; every frame of both legs is recorded, and
/// both sides are judged. While the backend is away, the pile stays connected: Heartbeat
/// and StatusNotification are answered here, transactional messages are answered once
/// they are in the durable queue and delivered in order when the backend is back.
final class RelaySession: RPCConnectionDelegate {
    let identity: String
    let version: OCPPVersion
    let eventLoop: any EventLoop
    let relay: Relay
    let services: GatewayServices
    /// Judges and records the pile's leg as the gateway does (frame log, RPC and wire
    /// rules, connection state); nil while draining a queue for a pile that is not here.
    let judge: ChargePointSession?
    private(set) weak var pile: RPCConnection?
    /// The handshake's Authorization header, passed on to the backend on every reconnect.
    let authorization: String?
    var upstream: RPCConnection?
    /// True until `start` and while a connect is under way: the pile's CALLs wait.
    var connecting = true
    var reconnect: Scheduled<Void>?
    var failedConnects = 0
    /// The pile's CALLs that came while the first connect to the backend was under way.
    var held: [(call: IncomingCall, bytes: [UInt8])] = []
    /// Transactional CALLs stored and not yet answered by the backend, oldest first.
    var queue: [QueuedCall] = []
    var delivering = false
    /// Transactional CALLs sent straight on (backend up, queue empty), not yet answered.
    var directInFlight = 0
    /// OCPP 1.6: transactions started here while the backend was away, local id → the backend's.
    var transactionIds: [Int64: Int64] = [:]
    var mirrors: [MirrorLink] = []
    /// Told to stop: a newer connection of the pile has taken over.
    var retired = false

    init(
        identity: String, version: OCPPVersion, eventLoop: any EventLoop, relay: Relay, services: GatewayServices,
        judge: ChargePointSession?, pile: RPCConnection?, authorization: String?
    ) {
        self.identity = identity
        self.version = version
        self.eventLoop = eventLoop
        self.relay = relay
        self.services = services
        self.judge = judge
        self.pile = pile
        self.authorization = authorization
    }

    var store: any SessionStore { services.store }
    var callTimeout: TimeAmount { .nanoseconds(Int64(services.configuration.callTimeout * 1e9)) }

    var logger: Logger {
        var logger = services.logger
        logger[metadataKey: "chargePoint"] = "\(identity)"
        return logger
    }

    // MARK: The pile's leg

    func rpcConnection(_ connection: RPCConnection, didReceive call: IncomingCall) {
        let bytes = checked(call)
        for mirror in mirrors { mirror.copy(call, bytes) }
        if call.action == "BootNotification" { noteBoot(call) }
        if Self.isTransactional(call.action) {
            if let upstream, queue.isEmpty, !delivering, directInFlight == 0, transactionIds.isEmpty {
                // The backend's confirmation is then the pile's (durable there); only what it
                // leaves unanswered is stored here, confirmed, and delivered again later.
                directInFlight += 1
                forward(call, bytes, over: upstream) { error in
                    self.directInFlight -= 1
                    if let error { self.enqueue(call, bytes, triedOnce: error) }
                }
            } else {
                enqueue(call, bytes)
            }
        } else if let upstream {
            forward(call, bytes, over: upstream) { error in if error != nil { self.answerWithoutBackend(call) } }
        } else if connecting && held.count < 64 {
            held.append((call, bytes))
        } else {
            answerWithoutBackend(call)
        }
    }

    func rpcConnection(_ connection: RPCConnection, didObserve event: RPCEvent) {
        judge?.rpcConnection(connection, didObserve: event)
    }

    func rpcConnectionDidClose(_ connection: RPCConnection) {
        judge?.rpcConnectionDidClose(connection)
        pile = nil
        for mirror in mirrors { mirror.close() }
        mirrors = []
        held = []
        for index in queue.indices { queue[index].call = nil }
        finishIfIdle()
    }

    /// Judges a pile's CALL and returns the bytes the backend gets: the frame as it came,
    /// or repaired when the pile's policy says so (each repair a finding).
    private func checked(_ call: IncomingCall) -> [UInt8] {
        let bytes = Array(call.text.utf8)
        guard let judge else { return bytes }
        if call.messageId.count > RPCFrame.maximumMessageIdLength {
            judge.record(.messageIdTooLong, "message id of \(call.messageId.count) characters", messageId: call.messageId)
        }
        guard let type = version.catalog[call.action], type.initiator != .centralSystem else {
            judge.record(
                .unknownAction, "\(call.action) is no charge point's CALL in OCPP \(version.label); passed on to the backend",
                messageId: call.messageId)
            return bytes
        }
        do {
            let (repaired, deviations) = try type.repairedRequest(call.payload)
            let repairing = judge.policy.repairs && !deviations.isEmpty
            for deviation in deviations where judge.policy.checks(.deviation(deviation.kind)) {
                judge.record(
                    .deviation(deviation.kind), "\(call.action) \(deviation.description)\(repairing ? "; repaired for the backend" : "")",
                    messageId: call.messageId)
            }
            if repairing { return RPCFrame.call(messageId: call.messageId, action: call.action, payload: repaired).encoded(for: version) }
        } catch {
            judge.record(.schemaViolation, "\(call.action): \(error); passed on to the backend unchanged", messageId: call.messageId)
        }
        return bytes
    }

    /// The pile named its model: its policy (repairs included) may be the model's.
    private func noteBoot(_ call: IncomingCall) {
        let model = version == .v16 ? call.payload["chargePointModel"] : call.payload["chargingStation"]?["model"]
        if case .string(let name)? = model { judge?.modelBooted(name) }
    }

    /// Passes a CALL to the backend and its answer, as it came, back to the pile; `done`
    /// hears nil then, or why the backend gave none (the pile is not answered yet).
    func forward(_ call: IncomingCall, _ bytes: [UInt8], over upstream: RPCConnection, done: @escaping ((any Error)?) -> Void) {
        let started = NIODeadline.now()
        upstream.relay(messageId: call.messageId, action: call.action, raw: bytes, timeout: callTimeout).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let reply):
                self.relay.metrics.latency.recordNanoseconds((NIODeadline.now() - started).nanoseconds)
                self.checkBackendReply(reply, to: call.action)
                self.pile?.reply(to: call, raw: Array(reply.text.utf8), messageType: reply.frame.messageTypeId)
                done(nil)
            case .failure(let error):
                self.backendFailed(error, action: call.action, messageId: call.messageId)
                done(error)
            }
        }
    }

    /// What the relay answers itself while the backend is away: the time to a Heartbeat,
    /// an empty confirmation to a StatusNotification, a CALLERROR to the rest (they need
    /// the backend's decision). Transactional CALLs are answered from the queue instead.
    func answerWithoutBackend(_ call: IncomingCall) {
        guard let pile else { return }
        switch call.action {
        case "Heartbeat":
            pile.reply(to: call, result: ["currentTime": .string(OCPPTimestamp.format(Date()))])
        case "StatusNotification":
            pile.reply(to: call, result: .object(JSONObject()))
        default:
            let error = RPCError(.internalError, "the operator's backend (\(relay.settings.url)) is unreachable; retry later")
            services.metrics.callError(error.code.wireName(for: version), direction: "out")
            pile.reply(to: call, error: error)
        }
    }

    // MARK: The backend's CALLs

    /// A CALL from the backend goes to the pile as it came; its answer goes back the same
    /// way. With the pile away, the backend hears so at once.
    func backendCalled(_ call: IncomingCall, on upstream: RPCConnection) {
        checkBackendCall(call)
        guard let pile, pile.isOpen else {
            upstream.reply(to: call, error: RPCError(.genericError, "\(identity) is offline: it is not connected to the relay"))
            return
        }
        let bytes = rewrittenForPile(call)
        pile.relay(messageId: call.messageId, action: call.action, raw: bytes, timeout: callTimeout).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let reply):
                upstream.reply(to: call, raw: Array(reply.text.utf8), messageType: reply.frame.messageTypeId)
            case .failure(RPCCallError.timedOut(_, let after)):
                upstream.reply(to: call, error: RPCError(.internalError, "\(self.identity) did not answer \(call.action) within \(after) s"))
            case .failure:
                upstream.reply(to: call, error: RPCError(.genericError, "\(self.identity) disconnected before answering \(call.action)"))
            }
        }
    }

    /// OCPP 1.6: a RemoteStopTransaction for a transaction the pile knows by the relay's
    /// local id names that id.
    private func rewrittenForPile(_ call: IncomingCall) -> [UInt8] {
        guard version == .v16, call.action == "RemoteStopTransaction", !transactionIds.isEmpty,
            case .object(var body) = call.payload, case .integer(let backendId)? = body["transactionId"],
            let local = transactionIds.first(where: { $0.value == backendId })?.key
        else { return Array(call.text.utf8) }
        body["transactionId"] = .integer(local)
        return RPCFrame.call(messageId: call.messageId, action: call.action, payload: .object(body)).encoded(for: version)
    }

    // MARK: Ending

    /// A newer connection of the pile takes over: let go of the backend (the queue stays
    /// in the store for the new session).
    func retire() -> EventLoopFuture<Void> {
        retired = true
        if !queue.isEmpty { relay.keepsState(identity) }
        reconnect?.cancel()
        reconnect = nil
        for mirror in mirrors { mirror.close() }
        mirrors = []
        guard let upstream else { return eventLoop.makeSucceededVoidFuture() }
        self.upstream = nil
        relay.metrics.connected.decrement()
        upstream.close(code: .goingAway, reason: "the pile reconnected to the relay")
        return upstream.channel?.closeFuture ?? eventLoop.makeSucceededVoidFuture()
    }

    /// With the pile gone and the queue delivered, the backend's connection closes too.
    func finishIfIdle() {
        guard pile == nil, queue.isEmpty || retired else { return }
        if !queue.isEmpty { relay.keepsState(identity) }
        reconnect?.cancel()
        reconnect = nil
        if let upstream {
            self.upstream = nil
            relay.metrics.connected.decrement()
            upstream.close(code: .normalClosure, reason: "the pile disconnected")
        }
        relay.finished(self)
    }
}
