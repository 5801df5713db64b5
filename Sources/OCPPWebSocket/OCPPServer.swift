import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import OCPP
import Synchronization

/// Transport settings of the central-system side.
public struct OCPPServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8180
    /// Charge points connect to `{pathPrefix}/{identity}`.
    public var pathPrefix = "/ocpp"
    /// Largest WebSocket message accepted; longer frames are refused unread (close 1009).
    public var maxMessageSize = 64 * 1024
    public var callTimeout: TimeAmount = .seconds(30)
    /// Server-side keepalive pings; a peer silent for two intervals is closed. nil disables.
    public var pingInterval: TimeAmount? = .seconds(60)
    /// Connections beyond this are refused at once, keeping file descriptors for the store,
    /// the HTTP API and logs (a process that runs out of them stops serving everyone).
    public var maxConnections = OCPPServerConfiguration.defaultMaxConnections
    /// Several gateway processes may share one port (`SO_REUSEPORT`).
    public var reusePort = false
    /// A socket must finish its handshake (or send a whole HTTP request) this long after
    /// its accept, or after its previous response on a kept-alive connection; else it is
    /// closed. A total deadline, so slow sockets cannot use up the open-file limit.
    public var handshakeTimeout: TimeAmount = .seconds(30)
    /// Connections still in their handshake (or waiting for an HTTP request) beyond this
    /// are closed at accept: thousands of slow clients cannot take every file descriptor.
    public var maxPendingHandshakes = 2000
    /// Bytes an event stream (`text/event-stream`) may leave unread in the gateway before
    /// its reader is disconnected as too slow.
    public var eventStreamBufferLimit = 1 << 20

    public init() {}

    /// The open-file limit less a reserve of 100.
    public static var defaultMaxConnections: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1000 }
        return max(10, Int(min(limit.rlim_cur, 1 << 30)) - 100)
    }
}

/// Receives each accepted OCPP connection, on its event loop, before any frame is read.
public protocol OCPPConnectionAcceptor: Sendable {
    func accept(_ connection: RPCConnection, request: HandshakeRequest, subprotocolMissing: Bool)
}

/// The OCPP-J server: WebSocket upgrades on `/ocpp/{identity}`, plain HTTP for every other
/// path on the same port.
public final class OCPPServer: Sendable {
    public let configuration: OCPPServerConfiguration
    private let group: any EventLoopGroup
    private let policy: any HandshakePolicy
    private let acceptor: any OCPPConnectionAcceptor
    private let http: any HTTPResponder
    private let logger: Logger
    private let state = Mutex<(channel: (any Channel)?, open: Int)>((nil, 0))
    private let pending: PendingHandshakes
    private let work = HTTPWork()
    private let connectionRefusals: RefusalLog
    private let handshakeRefusals: RefusalLog

    public init(
        configuration: OCPPServerConfiguration, group: any EventLoopGroup, policy: any HandshakePolicy,
        acceptor: any OCPPConnectionAcceptor, http: any HTTPResponder, logger: Logger = Logger(label: "pilegate.transport")
    ) {
        self.configuration = configuration
        self.group = group
        self.policy = policy
        self.acceptor = acceptor
        self.http = http
        self.logger = logger
        pending = PendingHandshakes(limit: configuration.maxPendingHandshakes)
        connectionRefusals = RefusalLog(logger: logger)
        handshakeRefusals = RefusalLog(logger: logger)
    }

    /// Connections accepted that have not finished their handshake, or kept-alive HTTP
    /// connections waiting for their next request.
    public var pendingHandshakes: Int { pending.current }

    /// Binds and starts accepting; returns the bound address (useful with port 0).
    @discardableResult
    public func start() async throws -> SocketAddress {
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in self.initialize(channel) }
        if configuration.reusePort {
            bootstrap = bootstrap.serverChannelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
        }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        state.withLock { $0.channel = channel }
        guard let address = channel.localAddress else { throw ChannelError.unknownLocalAddress }
        return address
    }

    /// Stops accepting new connections; open ones stay until their owners close them.
    public func stopAccepting() async {
        let channel = state.withLock { state in
            defer { state.channel = nil }
            return state.channel
        }
        try? await channel?.close()
    }

    /// Ends every event stream and waits (at most `grace`) for the HTTP answers being made;
    /// HTTP requests after this are refused. Call it before the event loops shut down:
    /// what is still running then would try to write on a stopped loop.
    public func stopHTTP(grace: Duration = .seconds(5)) async {
        await work.shutdown(grace: grace)
    }

    private func initialize(_ channel: any Channel) -> EventLoopFuture<Void> {
        let admitted = state.withLock { state -> Bool in
            guard state.open < configuration.maxConnections else { return false }
            state.open += 1
            return true
        }
        guard admitted else {
            connectionRefusals.refused(
                "connection refused: \(configuration.maxConnections) open connections is the limit (open-file limit less a reserve)")
            return channel.close()
        }
        channel.closeFuture.whenComplete { [self] _ in state.withLock { $0.open -= 1 } }
        guard pending.enter() else {
            handshakeRefusals.refused(
                "connection refused: \(configuration.maxPendingHandshakes) connections are already in their handshake (maxPendingHandshakes)")
            return channel.close()
        }
        // Added first, so that whatever fails below closes the channel with it, and the
        // slot just taken goes back.
        let deadline = HandshakeDeadlineHandler(timeout: configuration.handshakeTimeout, pending: pending, logger: logger)
        do {
            try channel.pipeline.syncOperations.addHandler(deadline, name: Self.deadlineHandlerName)
        } catch {
            pending.leave()
            return channel.close()
        }

        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: configuration.maxMessageSize,
            automaticErrorHandling: true,
            shouldUpgrade: { [self] channel, head in
                var headers = HTTPHeaders()
                switch decide(head, channel: channel) {
                case .accept(let version, let missing):
                    if !missing { headers.add(name: "Sec-WebSocket-Protocol", value: version.subprotocol) }
                    return channel.eventLoop.makeSucceededFuture(headers)
                case .acceptThenClose:
                    return channel.eventLoop.makeSucceededFuture(headers)
                case .refuse:
                    // Refused: the request goes on to HTTPHandler, which answers with the status.
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
            },
            upgradePipelineHandler: { [self] channel, head in
                channel.eventLoop.makeCompletedFuture {
                    try self.upgraded(channel, head: head)
                }
            })
        return channel.pipeline.configureHTTPServerPipeline(
            withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }),
            withErrorHandling: true
        ).flatMapThrowing { [self] in
            try channel.pipeline.syncOperations.addHandler(
                HTTPHandler(
                    responder: http,
                    refusal: { [self] head in
                        guard case .refuse(let status, let reason) = decide(head, channel: channel) else { return nil }
                        return (status, reason)
                    }, pathPrefix: configuration.pathPrefix, work: work, streamBufferLimit: configuration.eventStreamBufferLimit,
                    logger: logger), name: Self.httpHandlerName)
        }
    }

    private static let httpHandlerName = "pilegate.http"
    private static let deadlineHandlerName = "pilegate.handshake-deadline"

    private func decide(_ head: HTTPRequestHead, channel: any Channel) -> HandshakeDecision {
        guard head.method == .GET else {
            return .refuse(status: .methodNotAllowed, reason: "the OCPP endpoint takes a WebSocket upgrade (GET)")
        }
        switch OCPPPath.identity(fromURI: head.uri, prefix: configuration.pathPrefix) {
        case .failure(.notOCPP):
            return .refuse(status: .notFound, reason: "no OCPP endpoint at \(head.uri); use \(configuration.pathPrefix)/{chargePointId}")
        case .failure(.invalidIdentity(let reason)):
            return .refuse(status: .badRequest, reason: reason)
        case .success(let identity):
            let request = HandshakeRequest(
                identity: identity, offeredSubprotocols: OCPPPath.subprotocols(in: head.headers),
                authorization: head.headers.first(name: "Authorization"),
                remoteAddress: channel.remoteAddress?.description)
            return policy.evaluate(request)
        }
    }

    private func upgraded(_ channel: any Channel, head: HTTPRequestHead) throws {
        guard case .success(let identity) = OCPPPath.identity(fromURI: head.uri, prefix: configuration.pathPrefix) else { return }
        let request = HandshakeRequest(
            identity: identity, offeredSubprotocols: OCPPPath.subprotocols(in: head.headers),
            authorization: head.headers.first(name: "Authorization"), remoteAddress: channel.remoteAddress?.description)
        let decision = policy.evaluate(request)
        let sync = channel.pipeline.syncOperations
        // From here on the socket carries WebSocket frames, not HTTP; pings watch it now.
        _ = sync.removeHandler(name: Self.httpHandlerName)
        _ = sync.removeHandler(name: Self.deadlineHandlerName)
        try sync.addHandler(WebSocketFrameValidator(isClient: false))
        try sync.addHandler(
            NIOWebSocketFrameAggregator(
                minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 64,
                maxAccumulatedFrameSize: configuration.maxMessageSize))
        let control = WebSocketControlHandler(isClient: false, pingInterval: configuration.pingInterval)
        try sync.addHandler(control)
        switch decision {
        case .accept(let version, let missing):
            let connection = RPCConnection(
                identity: identity, version: version, eventLoop: channel.eventLoop, callTimeout: configuration.callTimeout)
            try sync.addHandler(connection)
            acceptor.accept(connection, request: request, subprotocolMissing: missing)
        case .acceptThenClose(let reason), .refuse(_, let reason):
            logger.info("closing \(identity) after the handshake: \(reason)", metadata: ["chargePoint": "\(identity)"])
            channel.pipeline.triggerUserOutboundEvent(WebSocketCloseRequest(code: .protocolError, reason: reason), promise: nil)
        }
    }
}
