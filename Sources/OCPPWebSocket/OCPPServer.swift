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
    /// A socket that has not finished its handshake (or an HTTP keep-alive that stays
    /// silent) this long is closed, so idle sockets cannot use up the open-file limit.
    public var httpIdleTimeout: TimeAmount = .seconds(30)

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
    }

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

    private func initialize(_ channel: any Channel) -> EventLoopFuture<Void> {
        let admitted = state.withLock { state -> Bool in
            guard state.open < configuration.maxConnections else { return false }
            state.open += 1
            return true
        }
        guard admitted else {
            logger.warning(
                "connection refused: \(configuration.maxConnections) open connections is the limit (open-file limit less a reserve)")
            return channel.close()
        }
        channel.closeFuture.whenComplete { [self] _ in state.withLock { $0.open -= 1 } }

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
                IdleStateHandler(allTimeout: configuration.httpIdleTimeout), name: Self.idleHandlerName, position: .first)
            try channel.pipeline.syncOperations.addHandler(
                HTTPHandler(responder: http, refusal: { [self] head in
                    guard case .refuse(let status, let reason) = decide(head, channel: channel) else { return nil }
                    return (status, reason)
                }, pathPrefix: configuration.pathPrefix), name: Self.httpHandlerName)
        }
    }

    private static let httpHandlerName = "pilegate.http"
    static let idleHandlerName = "pilegate.http-idle"

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
        _ = sync.removeHandler(name: Self.idleHandlerName)
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
