import CoreMetrics
import Foundation
import Logging
import NIOCore
import NIOSSL
import OCPP
import OCPPWebSocket
import Synchronization

/// Relay mode's shared part: how to reach the backend (URL, TLS, pacing), the upstream
/// connections opened during piles' handshakes until their sessions take them, and the
/// relay sessions by pile (one per identity, also while it drains a queue for a pile
/// that left).
final class Relay: Sendable {
    let settings: UpstreamSettings
    let tls: NIOSSLContext?
    let pacer: ConnectPacer
    let metrics: RelayMetrics
    let mirrorMetrics: [RelayMetrics]
    let logger: Logger
    private let handoffs = Mutex<[String: Handoff]>([:])
    private let sessions = Mutex<[String: SessionEntry]>([:])
    /// Piles that may have queued messages or relay-issued transaction ids in the store
    /// (a new session reads them first); every other pile's connect costs no store read.
    private let withState = Mutex<Set<String>>([])

    /// What a handshake left for its session: the backend's connection, or the reason
    /// there is none yet.
    enum Handoff: Sendable {
        case connected(NIOLoopBound<RPCConnection>)
        case failed(String)
    }

    struct SessionEntry: Sendable {
        let session: NIOLoopBound<RelaySession>
        let token: ObjectIdentifier
    }

    init(settings: UpstreamSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        let needsTLS = settings.url.hasPrefix("wss://") || settings.mirrors.contains { $0.hasPrefix("wss://") }
        tls = needsTLS ? try TLSContexts.client(ca: settings.ca, certificate: settings.certificate, key: settings.key) : nil
        pacer = ConnectPacer(perSecond: settings.connectsPerSecond)
        metrics = RelayMetrics(upstream: settings.url)
        mirrorMetrics = settings.mirrors.map(RelayMetrics.init(upstream:))
    }

    /// Connects to `url` (the backend or a mirror) as `identity` on `eventLoop` (the
    /// pile's, so both legs share one thread and no lock).
    func connect(
        _ url: String, identity: String, subprotocols: [String]?, authorization: String?, on eventLoop: any EventLoop,
        configure: @escaping @Sendable (RPCConnection) -> Void
    ) -> EventLoopFuture<RPCPeer> {
        var client = OCPPClientConfiguration(endpoint: url, identity: identity)
        client.subprotocols = subprotocols
        client.authorization = authorization
        client.tls = tls
        client.connectTimeout = .seconds(5)
        let configuration = client
        return eventLoop.makeFutureWithTask { try await OCPPClient.connect(configuration, group: eventLoop, configure: configure) }
    }

    static func handoffKey(_ request: HandshakeRequest) -> String { "\(request.identity)\u{0}\(request.remoteAddress ?? "")" }

    /// Keeps what a handshake found for its session; a connection no session takes (the
    /// pile went away mid-handshake) is closed after `grace`.
    func leave(_ handoff: Handoff, for request: HandshakeRequest, on eventLoop: any EventLoop, grace: TimeAmount) {
        let key = Self.handoffKey(request)
        handoffs.withLock { $0[key] = handoff }
        eventLoop.scheduleTask(in: grace) { [self] in
            if case .connected(let connection)? = handoffs.withLock({ $0.removeValue(forKey: key) }) {
                connection.value.close(code: .goingAway, reason: "the pile's handshake did not finish")
            }
        }
    }

    func takeHandoff(for request: HandshakeRequest) -> Handoff? {
        handoffs.withLock { $0.removeValue(forKey: Self.handoffKey(request)) }
    }

    /// The session now relaying `identity`; the one before it (draining a queue for a pile
    /// that left) is told to stop, and the future completes once it has let go of the backend.
    func register(_ session: RelaySession) -> EventLoopFuture<Void> {
        let entry = SessionEntry(session: NIOLoopBound(session, eventLoop: session.eventLoop), token: ObjectIdentifier(session))
        let previous = sessions.withLock { $0.updateValue(entry, forKey: session.identity) }
        return previous.map(Self.retire) ?? session.eventLoop.makeSucceededVoidFuture()
    }

    /// Stops the session relaying `identity`, if any (a new connection of the pile comes).
    func retire(_ identity: String, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        guard let entry = sessions.withLock({ $0.removeValue(forKey: identity) }) else { return eventLoop.makeSucceededVoidFuture() }
        return Self.retire(entry).hop(to: eventLoop)
    }

    private static func retire(_ entry: SessionEntry) -> EventLoopFuture<Void> {
        let loop = entry.session.eventLoop
        return loop.flatSubmit { entry.session.value.retire() }
    }

    /// A session that has nothing more to relay leaves the table (unless replaced already).
    func finished(_ session: RelaySession) {
        sessions.withLock { table in
            if table[session.identity]?.token == ObjectIdentifier(session) { table[session.identity] = nil }
        }
    }

    var sessionCount: Int { sessions.withLock { $0.count } }

    /// Shutting down: every backend connection closes (queues stay in the store).
    func retireAll() async {
        let entries = sessions.withLock { table in
            defer { table.removeAll() }
            return Array(table.values)
        }
        for entry in entries { try? await Self.retire(entry).get() }
    }

    func keepsState(_ identity: String) { _ = withState.withLock { $0.insert(identity) } }
    func mayHaveState(_ identity: String) -> Bool { withState.withLock { $0.contains(identity) } }
}

/// Spaces connects to the backend at most `perSecond` apart, all piles together: the
/// delay before the next free slot.
final class ConnectPacer: Sendable {
    private let interval: Duration
    private let next = Mutex<ContinuousClock.Instant?>(nil)

    init(perSecond: Double) { interval = .nanoseconds(Int64(1e9 / max(1, perSecond))) }

    func reserve() -> TimeAmount {
        let now = ContinuousClock.now
        let slot = next.withLock { next -> ContinuousClock.Instant in
            let slot = max(now, next ?? now)
            next = slot + interval
            return slot
        }
        let wait = slot - now
        return .nanoseconds(wait.components.seconds * 1_000_000_000 + wait.components.attoseconds / 1_000_000_000)
    }
}

/// Per backend (the upstream or a mirror): connections, answer latency, queued messages, errors.
final class RelayMetrics: Sendable {
    let connected: Meter
    let latency: CoreMetrics.Timer
    let queued: Meter
    private let errors: [String: Counter]

    static let errorKinds = ["connect", "refused", "timeout", "closed", "callerror"]

    init(upstream: String) {
        let dimensions = [("upstream", upstream)]
        connected = Meter(label: "pilegate_relay_upstream_connected", dimensions: dimensions)
        latency = CoreMetrics.Timer(label: "pilegate_relay_upstream_latency_seconds", dimensions: dimensions)
        queued = Meter(label: "pilegate_relay_queued_messages", dimensions: dimensions)
        errors = Dictionary(
            Self.errorKinds.map { ($0, Counter(label: "pilegate_relay_upstream_errors_total", dimensions: dimensions + [("kind", $0)])) },
            uniquingKeysWith: { a, _ in a })
    }

    func error(_ kind: String) { errors[kind]?.increment() }
}
