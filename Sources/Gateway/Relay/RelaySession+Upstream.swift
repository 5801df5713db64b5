import Foundation
import NIOCore
import OCPP
import OCPPWebSocket
import SessionStore

/// The backend's leg: connecting (the first time during the pile's handshake, so the
/// subprotocol is the backend's choice), reconnecting with back-off and jitter, paced
/// across all piles, and recording and judging what the backend sends.
extension RelaySession {
    /// Begins relaying: with the connection the handshake made, or by connecting now.
    func start(_ handoff: Relay.Handoff?) {
        connecting = false
        for url in relay.settings.mirrors { mirrors.append(MirrorLink(url: url, session: self)) }
        for (mirror, metrics) in zip(mirrors, relay.mirrorMetrics) { mirror.connect(metrics: metrics) }
        switch handoff {
        case .connected(let connection)?:
            attach(connection.value)
        case .failed?:
            answerHeldWithoutBackend()
            scheduleReconnect()
        case nil:
            connectUpstream(after: relay.pacer.reserve())
        }
    }

    /// Connects after `delay` (the pacer's slot), offering the version the pile speaks.
    func connectUpstream(after delay: TimeAmount) {
        guard !retired, upstream == nil, !connecting else { return }
        connecting = true
        eventLoop.assumeIsolated().scheduleTask(in: delay) {
            let leg = UpstreamLeg()
            let bound = NIOLoopBound(leg, eventLoop: self.eventLoop)
            self.relay.connect(
                self.relay.settings.url, identity: self.identity, subprotocols: [self.version.subprotocol], authorization: self.authorization,
                on: self.eventLoop, configure: { connection in bound.value.adopt(connection) }
            ).assumeIsolated().whenComplete { result in
                self.connecting = false
                switch result {
                case .success:
                    guard let connection = leg.connection else { return self.scheduleReconnect() }
                    if self.retired || (self.pile == nil && self.queue.isEmpty) {
                        connection.close(code: .normalClosure, reason: "nothing to relay")
                    } else {
                        self.attach(connection)
                    }
                case .failure(let error):
                    self.relay.metrics.error(Self.errorKind(error))
                    self.logger.notice("backend not reachable: \(error)")
                    self.answerHeldWithoutBackend()
                    self.scheduleReconnect()
                }
            }
        }
    }

    /// The backend's connection is up: held and queued CALLs go to it now.
    func attach(_ connection: RPCConnection) {
        guard let leg = connection.owner as? UpstreamLeg else { return }
        leg.session = self
        upstream = connection
        failedConnects = 0
        relay.metrics.connected.increment()
        let held = self.held
        self.held = []
        for (call, bytes) in held {
            forward(call, bytes, over: connection) { error in if error != nil { self.answerWithoutBackend(call) } }
        }
        deliverNext()
    }

    /// Doubling back-off from reconnectMinSeconds to reconnectMaxSeconds, plus up to half
    /// again as jitter (piles that lost the backend together do not return together), then
    /// the pacer's slot.
    func scheduleReconnect() {
        guard !retired, reconnect == nil, pile != nil || !queue.isEmpty else { return finishIfIdle() }
        let settings = relay.settings
        let base = min(settings.reconnectMaxSeconds, settings.reconnectMinSeconds * pow(2, Double(min(failedConnects, 30))))
        failedConnects += 1
        let seconds = base * (1 + Double.random(in: 0...0.5))
        reconnect = eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(seconds * 1e9))) {
            self.reconnect = nil
            self.connectUpstream(after: self.relay.pacer.reserve())
        }
    }

    func answerHeldWithoutBackend() {
        let held = self.held
        self.held = []
        for (call, _) in held { answerWithoutBackend(call) }
    }

    // MARK: What the backend's leg reports

    func upstreamObserved(_ connection: RPCConnection, _ event: RPCEvent) {
        switch event {
        case .frame(let tap):
            store.append(
                frame: FrameRecord(
                    time: tap.time, direction: tap.direction == .incoming ? .fromUpstream : .toUpstream, chargePointId: identity,
                    messageType: tap.messageType, messageId: tap.messageId, action: tap.action,
                    text: tap.direction == .incoming ? Redaction.frame(action: tap.action, messageType: tap.messageType, text: tap.text) : tap.text,
                    latencyMs: tap.latency.map { $0 * 1000 }))
        case .malformedFrame(let error):
            recordBackend(.backendMalformedFrame, error.reason, messageId: error.messageId)
        case .unsolicitedReply(let id):
            recordBackend(.backendLateReply, "reply with id \(id) matches no CALL in flight (answered after its timeout, or never asked)", messageId: id)
        case .callTimedOut, .overlappingCall, .webSocket:
            break
        }
    }

    func upstreamClosed(_ connection: RPCConnection) {
        guard upstream === connection else { return }
        upstream = nil
        relay.metrics.connected.decrement()
        relay.metrics.error("closed")
        logger.notice("backend connection closed; the pile stays connected and its transactional messages are queued")
        scheduleReconnect()
    }

    // MARK: Judging the backend

    func checkBackendReply(_ reply: RelayedReply, to action: String) {
        switch reply.frame {
        case .callError(let id, let error):
            relay.metrics.error("callerror")
            if let detail = ChargePointSession.undefinedErrorCode(error, answering: action, in: version) {
                recordBackend(.backendUnknownErrorCode, detail, messageId: id)
            }
        case .callResult(let id, let payload):
            guard let type = version.catalog[action] else { return }
            do throws(ValidationError) {
                let deviations = try type.responseDeviations(payload)
                if !deviations.isEmpty {
                    recordBackend(
                        .backendReplySchemaViolation, "answer to \(action): \(deviations.map(\.description).joined(separator: "; "))", messageId: id)
                }
            } catch {
                recordBackend(.backendReplySchemaViolation, "answer to \(action): \(error)", messageId: id)
            }
        case .call:
            break
        }
    }

    func checkBackendCall(_ call: IncomingCall) {
        guard let type = version.catalog[call.action], type.initiator != .chargePoint else {
            recordBackend(
                .backendUnknownAction, "\(call.action) is no central system's CALL in OCPP \(version.label); passed on to the pile",
                messageId: call.messageId)
            return
        }
        do throws(ValidationError) {
            _ = try type.repairedRequest(call.payload)
        } catch {
            recordBackend(.backendSchemaViolation, "\(call.action): \(error)", messageId: call.messageId)
        }
    }

    func backendFailed(_ error: any Error, action: String, messageId: String) {
        guard case RPCCallError.timedOut(_, let after) = error else { return }
        relay.metrics.error("timeout")
        recordBackend(.backendCallTimeout, "\(action) was not answered within \(after) s", messageId: messageId)
    }

    func recordBackend(_ rule: FindingRule, _ detail: String, messageId: String?) {
        if let judge {
            judge.record(rule, detail, messageId: messageId)
            return
        }
        let record = FindingRecord(
            rule: rule.id, severity: rule.severity.rawValue, chargePointId: identity, sessionId: nil, messageId: messageId,
            detail: detail, time: Date())
        store.submit(.none, frame: nil, findings: [record]) { _ in }
    }

    static func errorKind(_ error: any Error) -> String {
        if case OCPPClientError.upgradeRefused = error { return "refused" }
        return "connect"
    }
}

/// The delegate of a backend connection: it exists before the pile's session does (the
/// handshake connects first), and hands everything to that session once attached.
final class UpstreamLeg: RPCConnectionDelegate {
    weak var session: RelaySession?
    private(set) weak var connection: RPCConnection?

    func adopt(_ connection: RPCConnection) {
        self.connection = connection
        connection.delegate = self
        connection.owner = self
    }

    func rpcConnection(_ connection: RPCConnection, didReceive call: IncomingCall) {
        guard let session else {
            connection.reply(to: call, error: RPCError(.genericError, "\(connection.identity) is still connecting to the relay"))
            return
        }
        session.backendCalled(call, on: connection)
    }

    func rpcConnection(_ connection: RPCConnection, didObserve event: RPCEvent) {
        session?.upstreamObserved(connection, event)
    }

    func rpcConnectionDidClose(_ connection: RPCConnection) {
        session?.upstreamClosed(connection)
    }
}
