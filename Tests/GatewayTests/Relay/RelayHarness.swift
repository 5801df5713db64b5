import Foundation
import Gateway
import HTTPAPI
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import OCPP
import OCPPWebSocket
import SessionStore
import Synchronization
import XCTest

/// A relay (a gateway with `upstream`) in front of a backend: a second real gateway by
/// default, or anything listening on `backendPort`.
struct RelayRig {
    var relay: GatewayHarness
    var backendPort: Int
    var backendURL: String { "ws://127.0.0.1:\(backendPort)/ocpp" }

    static func configuration(backendPort: Int, _ edit: (inout GatewayConfiguration) -> Void = { _ in }) -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        var upstream = UpstreamSettings(url: "ws://127.0.0.1:\(backendPort)/ocpp")
        upstream.reconnectMinSeconds = 0.1
        upstream.reconnectMaxSeconds = 0.4
        configuration.upstream = upstream
        edit(&configuration)
        return configuration
    }

    /// The CALLs a store recorded as received (`in`), in order, for one pile.
    static func calls(in store: SQLiteSessionStore, _ chargePointId: String) async throws -> [FrameRecord] {
        try await store.flush()
        return try await store.frames(chargePointId: chargePointId, limit: 10_000).filter { $0.direction == .incoming && $0.messageType == 2 }
            .sorted { $0.time < $1.time }
    }
}

/// A backend that is not a PileGate: each CALL from a pile goes to `answer`, which may
/// reply (now, later, wrongly) or stay silent; it can also call the pile.
final class FakeBackend: HandshakePolicy, OCPPConnectionAcceptor, HTTPResponder, @unchecked Sendable {
    typealias Answer = @Sendable (IncomingCall, RPCConnection) -> Void
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let answer: Answer
    private let peers = Mutex<[String: RPCPeer]>([:])
    private(set) var server: OCPPServer?
    private(set) var port = 0

    init(answer: @escaping Answer) { self.answer = answer }

    func start() async throws {
        var configuration = OCPPServerConfiguration()
        configuration.port = 0
        let server = OCPPServer(configuration: configuration, group: group, policy: self, acceptor: self, http: self)
        port = try await server.start().port ?? 0
        self.server = server
    }

    func stop() async throws {
        await server?.stopAccepting()
        for peer in peers.withLock({ Array($0.values) }) { peer.close() }
        try await group.shutdownGracefully()
    }

    func peer(_ identity: String) -> RPCPeer? { peers.withLock { $0[identity] } }

    func evaluate(_ request: HandshakeRequest, on eventLoop: any EventLoop) -> OCPPWebSocket.Answer<HandshakeDecision> {
        .now(.accept(version: .v16, subprotocolMissing: false))
    }

    func accept(_ connection: RPCConnection, request: HandshakeRequest, subprotocolMissing: Bool) {
        let handler = Handler(answer: answer)
        connection.delegate = handler
        connection.owner = handler
        peers.withLock { $0[connection.identity] = RPCPeer(connection) }
    }

    func respond(to request: HTTPRequest) async -> HTTPResponse { HTTPResponse(status: .notFound) }
    func bodyLimit(method: HTTPMethod, uri: String) -> Int { 0 }

    final class Handler: RPCConnectionDelegate {
        let answer: Answer
        init(answer: @escaping Answer) { self.answer = answer }
        func rpcConnection(_ connection: RPCConnection, didReceive call: IncomingCall) { answer(call, connection) }
        func rpcConnection(_ connection: RPCConnection, didObserve event: RPCEvent) {}
        func rpcConnectionDidClose(_ connection: RPCConnection) {}
    }
}
