import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import OCPP

/// How a charge point connects: where, as whom, offering what.
public struct OCPPClientConfiguration: Sendable {
    /// The central system's endpoint, e.g. `ws://127.0.0.1:8180/ocpp`; the identity is appended.
    public var endpoint: String
    public var identity: String
    /// Offered in order of preference; nil sends no `Sec-WebSocket-Protocol` header at all.
    public var subprotocols: [String]? = [OCPPVersion.v16.subprotocol]
    /// HTTP Basic password (security profile 1); the username is the identity.
    public var password: String?
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
    case upgradeRefused(String)
    /// The server chose a subprotocol we did not offer, or none when we offered some.
    case subprotocolMismatch(offered: [String], chosen: String?)

    public var description: String {
        switch self {
        case .invalidEndpoint(let url): "invalid endpoint \"\(url)\": expected ws://HOST:PORT/PATH"
        case .upgradeRefused(let identity): "the server refused the WebSocket upgrade for \(identity)"
        case .subprotocolMismatch(let offered, let chosen):
            "the server answered subprotocol \(chosen ?? "(none)") to an offer of \(offered.joined(separator: ", "))"
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
        guard let url = Endpoint(configuration.endpoint) else { throw OCPPClientError.invalidEndpoint(configuration.endpoint) }
        let identity = configuration.identity
        let path = url.path.hasSuffix("/") ? url.path : url.path + "/"
        let encoded = identity.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", "?", "#", "%"])) ?? identity
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(url.host):\(url.port)")
        if let subprotocols = configuration.subprotocols {
            headers.add(name: "Sec-WebSocket-Protocol", value: subprotocols.joined(separator: ", "))
        }
        if let password = configuration.password {
            let token = Data("\(identity):\(password)".utf8).base64EncodedString()
            headers.add(name: "Authorization", value: "Basic \(token)")
        }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path + encoded, headers: headers)

        var bootstrap = ClientBootstrap(group: group)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
        if let source = configuration.sourceAddress {
            // IP_BIND_ADDRESS_NO_PORT: pick the port at connect time, so binding does not
            // exhaust ports or collide with TIME_WAIT leftovers (swift-stack-notes).
            bootstrap = bootstrap
                .channelOption(ChannelOptions.Types.SocketOption(level: .ip, name: NIOBSDSocket.Option(rawValue: 24)), value: 1)
                .bind(to: try SocketAddress(ipAddress: source, port: 0))
        }

        enum Upgrade: Sendable {
            case upgraded(RPCPeer)
            case refused
            case mismatch(String?)
        }
        let upgrade: EventLoopFuture<Upgrade> = try await bootstrap.connect(host: url.host, port: url.port) { channel in
            channel.eventLoop.makeCompletedFuture {
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
                        channel.close(promise: nil)
                        return channel.eventLoop.makeSucceededFuture(.refused)
                    })
                return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                    configuration: .init(upgradeConfiguration: upgradeConfiguration))
            }
        }
        switch try await upgrade.get() {
        case .upgraded(let peer): return peer
        case .refused: throw OCPPClientError.upgradeRefused(identity)
        case .mismatch(let chosen):
            throw OCPPClientError.subprotocolMismatch(offered: configuration.subprotocols ?? [], chosen: chosen)
        }
    }
}

/// `ws://host:port/path`, parsed without Foundation's URL (which rejects some identities).
struct Endpoint {
    let host: String
    let port: Int
    let path: String

    init?(_ text: String) {
        guard text.hasPrefix("ws://") else { return nil }
        let rest = text.dropFirst("ws://".count)
        let hostPort = rest.prefix { $0 != "/" }
        path = rest.count > hostPort.count ? String(rest.dropFirst(hostPort.count)) : "/"
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { return nil }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let portText = hostPort[hostPort.index(after: close)...].dropFirst()
            port = portText.isEmpty ? 80 : (Int(portText) ?? -1)
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            port = Int(hostPort[hostPort.index(after: colon)...]) ?? -1
        } else {
            host = String(hostPort)
            port = 80
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
    }
}
