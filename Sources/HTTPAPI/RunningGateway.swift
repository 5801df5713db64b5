import Foundation
import Gateway
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import OCPPWebSocket
import SessionStore

/// A gateway with its store, server and threads, started and stopped as one: what
/// `pilegate serve` runs, and what the lab embeds for its runs.
public struct RunningGateway: Sendable {
    public let gateway: Gateway
    public let store: SQLiteSessionStore
    /// The plain `ws://` listener, else (plain switched off) the TLS one.
    public let server: OCPPServer
    /// The `wss://` listener beside the plain one (nil when there is none, or it is `server`).
    public let tlsServer: OCPPServer?
    public let group: MultiThreadedEventLoopGroup
    public let address: SocketAddress
    /// Where the `wss://` listener is, if there is one.
    public let tlsAddress: SocketAddress?
    public var port: Int { address.port ?? 0 }

    /// Why a gateway could not start, worded for the command line.
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func start(
        host: String, port: Int, db: String, configuration: GatewayConfiguration, node: String, reusePort: Bool,
        threads: Int = System.coreCount, logger: Logger? = nil
    ) async throws -> RunningGateway {
        let location: StoreLocation
        do {
            location = try StoreLocation(parsing: db)
        } catch {
            throw StartError(description: "\(error)")
        }
        guard case .sqlite(let path) = location else { throw StartError(description: "unsupported store \(db)") }
        // Firmware and uploads live next to the store unless the configuration says where.
        var configuration = configuration
        if configuration.files.directory == nil { configuration.files.directory = path + ".files" }
        let metrics = MetricsExport.registry  // before the store and the gateway make their metrics
        let store = try SQLiteSessionStore(
            path: path, durability: configuration.durability == "normal" ? .normal : .full, node: node,
            walLimitBytes: configuration.store.walLimitBytes, logSegmentBytes: configuration.store.logSegmentMB << 20,
            logSealSeconds: configuration.store.logSealSeconds, logger: logger ?? Logger(label: "pilegate.store"))
        let gateway = Gateway(configuration: configuration, store: store, logger: logger ?? Logger(label: "pilegate.gateway"))
        guard gateway.startupProblems.isEmpty else {
            try? await store.close()
            throw StartError(description: gateway.startupProblems.joined(separator: "; "))
        }
        try await gateway.restoreState()
        let tls: NIOSSLContext?
        do {
            tls = try configuration.security.tls.map { try TLSContexts.server(certificate: $0.certificate, key: $0.key, clientCA: $0.clientCA) }
        } catch {
            try? await store.close()
            throw StartError(description: "security.tls: \(error)")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(threads, 1))
        let http = APIResponder(
            store: store, gateway: gateway,
            access: APIAccess(token: configuration.api.token ?? APIAccess.randomToken(), protectReads: configuration.api.protectReads),
            metrics: metrics)
        func listener(port: Int, tls: NIOSSLContext?) -> OCPPServer {
            var serverConfiguration = gateway.serverConfiguration(host: host, port: port)
            serverConfiguration.reusePort = reusePort
            serverConfiguration.tls = tls
            return OCPPServer(
                configuration: serverConfiguration, group: group, policy: gateway, acceptor: gateway, http: http,
                logger: logger ?? Logger(label: "pilegate.transport"))
        }
        var servers: [(OCPPServer, SocketAddress)] = []
        do {
            if configuration.security.plain {
                let server = listener(port: port, tls: nil)
                servers.append((server, try await server.start()))
            }
            if let tls, let settings = configuration.security.tls {
                let server = listener(port: settings.port, tls: tls)
                servers.append((server, try await server.start()))
            }
        } catch {
            for (server, _) in servers { await server.stopAccepting() }
            try? await store.close()
            try? await group.shutdownGracefully()
            throw StartError(description: "cannot listen on \(host): \(error)")
        }
        guard let (server, address) = servers.first else {
            try? await store.close()
            try? await group.shutdownGracefully()
            throw StartError(description: "no listener: security.plain is false and there is no security.tls")
        }
        // With plain switched off the TLS listener is the main one (`server`).
        let second = servers.dropFirst().first
        gateway.servesFiles(host: host, port: address.port ?? port)
        await gateway.resumeRelayQueues(on: group)
        return RunningGateway(
            gateway: gateway, store: store, server: server, tlsServer: second?.0, group: group, address: address,
            tlsAddress: configuration.security.plain ? second?.1 : address)
    }

    /// Stops in an order where nothing is left to run on the event loops when they stop:
    /// no new connections, piles closed (1001), event streams ended and HTTP answers
    /// finished, the store flushed, then the loops.
    public func shutdown() async throws {
        await server.stopAccepting()
        await tlsServer?.stopAccepting()
        await gateway.disconnectAll()
        await server.stopHTTP()
        await tlsServer?.stopHTTP()
        try await store.close()
        try await group.shutdownGracefully()
    }
}
