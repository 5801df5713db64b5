import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import OCPP
import PileSecurity

/// How a charge point connects: where, as whom, offering what.
public struct OCPPClientConfiguration: Sendable {
    /// The central system's endpoint, e.g. `ws://127.0.0.1:8180/ocpp`; the identity is appended.
    public var endpoint: String
    public var identity: String
    /// Offered in order of preference; nil sends no `Sec-WebSocket-Protocol` header at all.
    public var subprotocols: [String]? = [OCPPVersion.v16.subprotocol]
    /// HTTP Basic password (security profiles 1 and 2); the username is the identity.
    public var password: String?
    /// How the `Authorization` scheme is written: `Basic` (a quirk sends `basic`).
    public var basicScheme = "Basic"
    /// An `Authorization` header sent as it is, instead of one made from `password` (a
    /// relay passing a pile's credentials on).
    public var authorization: String?
    /// For `wss://` endpoints: the CA to trust and the client certificate, if any
    /// (TLSContexts.client); nil takes the system's roots and no client certificate.
    public var tls: NIOSSLContext?
    /// Local address to connect from (spread fleets over 127.0.0.x past one address's ports).
    public var sourceAddress: String?
    public var maxMessageSize = 64 * 1024
    public var callTimeout: TimeAmount = .seconds(30)
    public var pingInterval: TimeAmount?
    public var connectTimeout: TimeAmount = .seconds(10)

    public init(endpoint: String, identity: String) {
        self.endpoint = endpoint
        self.identity = identity
    }
}

public enum OCPPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidEndpoint(String)
    /// The TLS handshake failed: `reason` is what TLS said (an unknown CA, a refused certificate …).
    case tlsFailed(host: String, port: Int, reason: String)
    /// No TCP connection: `reason` is what the system said ("connection refused", "connection timed out" …).
    case connectionFailed(host: String, port: Int, reason: String)
    /// The server answered the upgrade request with this HTTP status instead of 101.
    case upgradeRefused(identity: String, status: Int?, reason: String?)
    /// The server chose a subprotocol we did not offer, or none when we offered some.
    case subprotocolMismatch(offered: [String], chosen: String?)

    public var description: String {
        switch self {
        case .invalidEndpoint(let url): "invalid endpoint \"\(url)\": expected ws://HOST:PORT/PATH"
        case .tlsFailed(let host, let port, let reason): "TLS handshake with \(host):\(port) failed: \(reason)"
        case .connectionFailed(let host, let port, let reason): "\(reason) (\(host):\(port))"
        case .upgradeRefused(let identity, _, _): "\(cause): the server refused the WebSocket upgrade for \(identity)"
        case .subprotocolMismatch(let offered, let chosen):
            "the server answered subprotocol \(chosen ?? "(none)") to an offer of \(offered.joined(separator: ", "))"
        }
    }

    /// The cause in a few words, the same for every charge point it happens to (for
    /// counting failures): `HTTP 401 Unauthorized`, `connection refused` …
    public var cause: String {
        switch self {
        case .invalidEndpoint: "invalid endpoint"
        case .tlsFailed(_, _, let reason): "TLS failed: \(reason)"
        case .connectionFailed(_, _, let reason): reason
        case .upgradeRefused(_, let status?, let reason): "HTTP \(status)\(reason.map { " \($0)" } ?? "")"
        case .upgradeRefused: "WebSocket upgrade refused"
        case .subprotocolMismatch(_, let chosen): "subprotocol mismatch (server chose \(chosen ?? "none"))"
        }
    }
}

/// The charge-point side of the transport.
public enum OCPPClient {
    /// Connects and upgrades. `configure` runs on the connection's event loop before any
    /// frame is read: set the delegate there.
    public static func connect(
        _ configuration: OCPPClientConfiguration, group: any EventLoopGroup,
        configure: @escaping @Sendable (RPCConnection) -> Void
    ) async throws -> RPCPeer {
        let url = try endpoint(configuration.endpoint)
        let identity = configuration.identity
        let tls: NIOSSLContext?
        if url.secure {
            do {
                tls = try configuration.tls ?? TLSContexts.client(ca: nil, certificate: nil, key: nil)
            } catch {
                throw OCPPClientError.tlsFailed(host: url.host, port: url.port, reason: "\(error)")
            }
        } else {
            tls = nil
        }
        let path = url.path.hasSuffix("/") ? url.path : url.path + "/"
        let encoded = identity.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", "?", "#", "%"])) ?? identity
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(url.host):\(url.port)")
        if let subprotocols = configuration.subprotocols {
            headers.add(name: "Sec-WebSocket-Protocol", value: subprotocols.joined(separator: ", "))
        }
        if let authorization = configuration.authorization {
            headers.add(name: "Authorization", value: authorization)
        } else if let password = configuration.password {
            let token = Data("\(identity):\(password)".utf8).base64EncodedString()
            headers.add(name: "Authorization", value: "\(configuration.basicScheme) \(token)")
        }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path + encoded, headers: headers)

        var bootstrap = ClientBootstrap(group: group)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
        if let source = configuration.sourceAddress {
            // IP_BIND_ADDRESS_NO_PORT: pick the port at connect time, so binding does not
            // exhaust ports or collide with TIME_WAIT leftovers (measured here: 19,000
            // connections took 18 s with it, 44 s without).
            bootstrap = bootstrap
                .channelOption(ChannelOptions.Types.SocketOption(level: .ip, name: NIOBSDSocket.Option(rawValue: 24)), value: 1)
                .bind(to: try SocketAddress(ipAddress: source, port: 0))
        }

        enum Upgrade: Sendable {
            case upgraded(RPCPeer)
            /// The refusal's response head, once read.
            case refused(EventLoopFuture<HTTPResponseHead?>)
            case mismatch(String?)
        }
        let upgrade: EventLoopFuture<Upgrade>
        do {
            upgrade = try await bootstrap.connect(host: url.host, port: url.port) { channel in
            channel.eventLoop.makeCompletedFuture {
                if let tls {
                    // SNI and the name check take a host name; an IP address is checked against the certificate's IP SANs.
                    let name = url.host.contains(":") || IPv4Bytes(url.host) != nil ? nil : url.host
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: name))
                }
                let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(
                    maxFrameSize: configuration.maxMessageSize,
                    upgradePipelineHandler: { channel, response in
                        channel.eventLoop.makeCompletedFuture {
                            let chosen = response.headers.first(name: "Sec-WebSocket-Protocol")
                            let version: OCPPVersion
                            if let offered = configuration.subprotocols {
                                guard let chosen, offered.contains(chosen), let v = OCPPVersion(rawValue: chosen) else {
                                    channel.close(promise: nil)
                                    return .mismatch(chosen)
                                }
                                version = v
                            } else {
                                version = chosen.flatMap(OCPPVersion.init(rawValue:)) ?? .v16
                            }
                            let sync = channel.pipeline.syncOperations
                            try sync.addHandler(WebSocketFrameValidator(isClient: true))
                            try sync.addHandler(
                                NIOWebSocketFrameAggregator(
                                    minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 64,
                                    maxAccumulatedFrameSize: configuration.maxMessageSize))
                            try sync.addHandler(WebSocketControlHandler(isClient: true, pingInterval: configuration.pingInterval))
                            let connection = RPCConnection(
                                identity: identity, version: version, eventLoop: channel.eventLoop,
                                callTimeout: configuration.callTimeout)
                            try sync.addHandler(connection)
                            configure(connection)
                            return .upgraded(RPCPeer(connection))
                        }
                    })
                let upgradeConfiguration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                    upgradeRequestHead: head, upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in
                        // The upgrade handler passes the refusal's head on once this returns: read its status.
                        let head = channel.eventLoop.makePromise(of: HTTPResponseHead?.self)
                        do {
                            try channel.pipeline.syncOperations.addHandler(RefusedUpgradeReader(head: head))
                        } catch {
                            head.succeed(nil)
                            channel.close(promise: nil)
                        }
                        return channel.eventLoop.makeSucceededFuture(.refused(head.futureResult))
                    })
                return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                    configuration: .init(upgradeConfiguration: upgradeConfiguration))
            }
            }
        } catch {
            throw OCPPClientError.connectionFailed(host: url.host, port: url.port, reason: connectFailureReason(error))
        }
        let outcome: Upgrade
        do {
            outcome = try await upgrade.get()
        } catch let error as NIOSSLError {
            throw OCPPClientError.tlsFailed(host: url.host, port: url.port, reason: "\(error)")
        } catch let error as BoringSSLError {
            throw OCPPClientError.tlsFailed(host: url.host, port: url.port, reason: "\(error)")
        }
        switch outcome {
        case .upgraded(let peer): return peer
        case .refused(let head):
            let response = try await head.get()
            throw OCPPClientError.upgradeRefused(identity: identity, status: response.map { Int($0.status.code) }, reason: response?.status.reasonPhrase)
        case .mismatch(let chosen):
            throw OCPPClientError.subprotocolMismatch(offered: configuration.subprotocols ?? [], chosen: chosen)
        }
    }

    /// Checks an endpoint before connecting: `ws://HOST:PORT/PATH` or `wss://…`.
    public static func validate(endpoint: String) throws(OCPPClientError) {
        _ = try self.endpoint(endpoint)
    }

    static func endpoint(_ text: String) throws(OCPPClientError) -> Endpoint {
        guard let url = Endpoint(text) else { throw .invalidEndpoint(text) }
        return url
    }

    /// What went wrong with a TCP connect, in the system's words: `connection refused`.
    static func connectFailureReason(_ error: any Error) -> String {
        switch error {
        case let failure as NIOConnectionError:
            if let first = failure.connectionErrors.first { return connectFailureReason(first.error) }
            return failure.dnsAError != nil || failure.dnsAAAAError != nil ? "host not found" : "no address to connect to"
        case let failure as IOError:
            if failure.errnoCode == ECONNREFUSED { return "connection refused" }
            let text = String(cString: strerror(failure.errnoCode))
            return text.prefix(1).lowercased() + text.dropFirst()
        case ChannelError.connectTimeout:
            return "connection timed out"
        default:
            return "\(error)"
        }
    }
}

/// Reads the response head of a refused upgrade (it follows the upgrade handler's
/// decision), then closes: the status is what a person needs to fix the pile's setup.
private final class RefusedUpgradeReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    private let head: EventLoopPromise<HTTPResponseHead?>

    init(head: EventLoopPromise<HTTPResponseHead?>) { self.head = head }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let response) = unwrapInboundIn(data) {
            head.succeed(response)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        head.succeed(nil)  // no-op when the head came first
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { head.succeed(nil) }
}

/// `ws://host:port/path` or `wss://…`, parsed without Foundation's URL (which rejects some identities).
struct Endpoint {
    let host: String
    let port: Int
    let path: String
    let secure: Bool

    init?(_ text: String) {
        secure = text.hasPrefix("wss://")
        guard secure || text.hasPrefix("ws://") else { return nil }
        let rest = text.dropFirst(secure ? "wss://".count : "ws://".count)
        let defaultPort = secure ? 443 : 80
        let hostPort = rest.prefix { $0 != "/" }
        path = rest.count > hostPort.count ? String(rest.dropFirst(hostPort.count)) : "/"
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { return nil }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let portText = hostPort[hostPort.index(after: close)...].dropFirst()
            port = portText.isEmpty ? defaultPort : (Int(portText) ?? -1)
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            port = Int(hostPort[hostPort.index(after: colon)...]) ?? -1
        } else {
            host = String(hostPort)
            port = defaultPort
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
    }
}

