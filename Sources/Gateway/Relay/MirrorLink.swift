import Foundation
import NIOCore
import OCPP
import OCPPWebSocket

/// A read-only copy of one pile's traffic for a secondary backend (an operator moving
/// between backends): the pile's CALLs are sent to it as they went to the backend, its
/// answers are ignored, its own CALLs refused. Lost while the mirror is away; reconnects
/// with the same back-off as the backend.
final class MirrorLink: RPCConnectionDelegate {
    let url: String
    private weak var session: RelaySession?
    private var connection: RPCConnection?
    private var metrics: RelayMetrics?
    private var failures = 0
    private var closed = false

    init(url: String, session: RelaySession) {
        self.url = url
        self.session = session
    }

    func connect(metrics: RelayMetrics) {
        self.metrics = metrics
        guard let session, !closed else { return }
        let loop = session.eventLoop
        let bound = NIOLoopBound(self, eventLoop: loop)
        loop.assumeIsolated().scheduleTask(in: session.relay.pacer.reserve()) {
            guard let session = self.session, !self.closed else { return }
            session.relay.connect(
                self.url, identity: session.identity, subprotocols: [session.version.subprotocol], authorization: session.authorization,
                on: loop, configure: { connection in bound.value.adopt(connection) }
            ).assumeIsolated().whenComplete { result in
                switch result {
                case .success:
                    self.failures = 0
                    metrics.connected.increment()
                    if self.closed { self.connection?.close(code: .normalClosure, reason: "the pile disconnected") }
                case .failure:
                    metrics.error("connect")
                    self.retry()
                }
            }
        }
    }

    private func adopt(_ connection: RPCConnection) {
        self.connection = connection
        connection.delegate = self
    }

    private func retry() {
        guard let session, !closed else { return }
        let settings = session.relay.settings
        let seconds = min(settings.reconnectMaxSeconds, settings.reconnectMinSeconds * pow(2, Double(min(failures, 30)))) * (1 + Double.random(in: 0...0.5))
        failures += 1
        session.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(seconds * 1e9))) {
            if let metrics = self.metrics { self.connect(metrics: metrics) }
        }
    }

    /// The pile's CALL, as the backend got it.
    func copy(_ call: IncomingCall, _ bytes: [UInt8]) {
        connection?.send(raw: bytes, messageType: 2, messageId: call.messageId, action: call.action, latency: nil)
    }

    func close() {
        closed = true
        connection?.close(code: .normalClosure, reason: "the pile disconnected")
    }

    // MARK: RPCConnectionDelegate

    func rpcConnection(_ connection: RPCConnection, didReceive call: IncomingCall) {
        connection.reply(to: call, error: RPCError(.notSupported, "this is a read-only mirror of \(connection.identity)'s traffic"))
    }

    /// Its answers and everything else it does are not the relay's concern.
    func rpcConnection(_ connection: RPCConnection, didObserve event: RPCEvent) {}

    func rpcConnectionDidClose(_ connection: RPCConnection) {
        guard self.connection === connection else { return }
        self.connection = nil
        metrics?.connected.decrement()
        if !closed { retry() }
    }
}
