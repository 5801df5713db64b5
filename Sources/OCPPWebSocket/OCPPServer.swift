import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import OCPP
import PileSecurity
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
    /// TLS on this listener (`wss://`, security profiles 2 and 3); nil is plain `ws://`.
    public var tls: NIOSSLContext?

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
    private let tlsRefusals: RefusalLog

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
        tlsRefusals = RefusalLog(logger: logger)
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

        // The decision of this connection's upgrade request, made once and read again by
        // the refusal and the upgraded pipeline.
        let decision = NIOLoopBoundBox<(HandshakeRequest, HandshakeDecision)?>(nil, eventLoop: channel.eventLoop)
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: configuration.maxMessageSize,
            automaticErrorHandling: true,
            shouldUpgrade: { [self] channel, head in
                decide(head, channel: channel).map { decided -> HTTPHeaders? in
                    decision.value = decided
                    var headers = HTTPHeaders()
                    switch decided.1 {
                    case .accept(let version, let missing):
                        if !missing { headers.add(name: "Sec-WebSocket-Protocol", value: version.subprotocol) }
                        return headers
                    case .acceptThenClose:
                        return headers
                    case .refuse:
                        // Refused: the request goes on to HTTPHandler, which answers with the status.
                        return nil
                    }
                }.future(on: channel.eventLoop)
            },
            upgradePipelineHandler: { [self] channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    guard let (request, decided) = decision.value else { return }
                    decision.value = nil
                    try self.upgraded(channel, request: request, decision: decided)
                }
            })
        do {
            if let tls = configuration.tls {
                let handler = NIOSSLServerHandler(context: tls)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
                try channel.pipeline.syncOperations.addHandler(TLSFailureLog(log: tlsRefusals), position: .after(handler))
            }
        } catch {
            return channel.close()
        }
        return channel.pipeline.configureHTTPServerPipeline(
            withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }),
            withErrorHandling: true
        ).flatMapThrowing { [self] in
            try channel.pipeline.syncOperations.addHandler(
                HTTPHandler(
                    responder: http,
                    refusal: { _ in
                        guard case .refuse(let status, let reason)? = decision.value?.1 else { return nil }
                        return (status, reason)
                    }, pathPrefix: configuration.pathPrefix, work: work, streamBufferLimit: configuration.eventStreamBufferLimit,
                    logger: logger), name: Self.httpHandlerName)
        }
    }

    private static let httpHandlerName = "pilegate.http"
    private static let deadlineHandlerName = "pilegate.handshake-deadline"

    private func decide(_ head: HTTPRequestHead, channel: any Channel) -> Answer<(HandshakeRequest, HandshakeDecision)> {
        let loop = channel.eventLoop
        let anonymous = HandshakeRequest(identity: "", offeredSubprotocols: nil, authorization: nil, remoteAddress: nil)
        guard head.method == .GET else {
            return .now((anonymous, .refuse(status: .methodNotAllowed, reason: "the OCPP endpoint takes a WebSocket upgrade (GET)")))
        }
        switch OCPPPath.identity(fromURI: head.uri, prefix: configuration.pathPrefix) {
        case .failure(.notOCPP):
            return .now(
                (anonymous, .refuse(status: .notFound, reason: "no OCPP endpoint at \(head.uri); use \(configuration.pathPrefix)/{chargePointId}")))
        case .failure(.invalidIdentity(let reason)):
            return .now((anonymous, .refuse(status: .badRequest, reason: reason)))
        case .success(let identity):
            let request = HandshakeRequest(
                identity: identity, offeredSubprotocols: OCPPPath.subprotocols(in: head.headers),
                authorization: head.headers.first(name: "Authorization"),
                remoteAddress: channel.remoteAddress?.description, transport: transport(of: channel))
            return policy.evaluate(request, on: loop).map { (request, $0) }
        }
    }

    /// Plain, or TLS with the peer's certificate (already verified against the CAs by the
    /// TLS handler when the listener asks for client certificates).
    private func transport(of channel: any Channel) -> HandshakeTransport {
        guard configuration.tls != nil, let tls = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self) else {
            return .plain
        }
        let certificate = tls.peerCertificate.flatMap { try? ClientCertificate(derEncoded: $0.toDERBytes()) }
        return .tls(clientCertificate: certificate)
    }

    private func upgraded(_ channel: any Channel, request: HandshakeRequest, decision: HandshakeDecision) throws {
        let identity = request.identity
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
