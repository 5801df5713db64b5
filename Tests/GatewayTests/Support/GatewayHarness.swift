import Foundation
import Gateway
import HTTPAPI
import Logging
import NIOCore
import NIOPosix
import OCPP
import OCPPWebSocket
import SessionStore
import Synchronization
import XCTest

/// A real gateway on a loopback port with a store in a temporary folder; everything it
/// starts is stopped and deleted by `shutdown()`.
final class GatewayHarness: Sendable {
    let directory: URL
    let store: SQLiteSessionStore
    let gateway: Gateway
    let server: OCPPServer
    let group: MultiThreadedEventLoopGroup
    let port: Int

    var databasePath: String { directory.appendingPathComponent("gateway.sqlite").path }
    var endpoint: String { "ws://127.0.0.1:\(port)/ocpp" }

    static func start(
        _ configuration: GatewayConfiguration = GatewayConfiguration(), directory: URL? = nil,
        tweak: (inout OCPPServerConfiguration) -> Void = { _ in }
    ) async throws -> GatewayHarness {
        let dir = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let store = try SQLiteSessionStore(path: dir.appendingPathComponent("gateway.sqlite").path, durability: .normal, logger: logger)
        let gateway = Gateway(configuration: configuration, store: store, logger: logger)
        try await gateway.restoreState()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        var serverConfiguration = gateway.serverConfiguration(host: "127.0.0.1", port: 0)
        tweak(&serverConfiguration)
        let server = OCPPServer(
            configuration: serverConfiguration, group: group, policy: gateway, acceptor: gateway,
            http: APIResponder(store: store, gateway: gateway), logger: logger)
        let address = try await server.start()
        return GatewayHarness(directory: dir, store: store, gateway: gateway, server: server, group: group, port: address.port ?? 0)
    }

    private init(directory: URL, store: SQLiteSessionStore, gateway: Gateway, server: OCPPServer, group: MultiThreadedEventLoopGroup, port: Int) {
        self.directory = directory
        self.store = store
        self.gateway = gateway
        self.server = server
        self.group = group
        self.port = port
    }

    /// Stops everything; `keepFiles` leaves the database for a restart test.
    func shutdown(keepFiles: Bool = false) async throws {
        await server.stopAccepting()
        await gateway.disconnectAll()
        try await store.close()
        try await group.shutdownGracefully()
        if !keepFiles { try? FileManager.default.removeItem(at: directory) }
    }

    /// Connects a test pile.
    func connect(
        _ identity: String, subprotocols: [String]? = ["ocpp1.6"], password: String? = nil
    ) async throws -> TestChargePoint {
        var configuration = OCPPClientConfiguration(endpoint: endpoint, identity: identity)
        configuration.subprotocols = subprotocols
        configuration.password = password
        configuration.callTimeout = .seconds(5)
        let pile = TestChargePoint()
        let peer = try await OCPPClient.connect(configuration, group: group) { connection in
            let handler = TestChargePointHandler(pile: pile)
            connection.delegate = handler
            connection.owner = handler
        }
        pile.peer = peer
        return pile
    }

    /// GET on the HTTP API, decoded as JSON.
    func get(_ path: String) async throws -> (status: Int, body: JSON) {
        let (status, text) = try await RawHTTP.request(port: port, "GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let body = text.split(separator: "\r\n\r\n", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        return (status, (try? JSONParser.parse(body)) ?? .string(body))
    }

    /// Polls until `condition` holds, at most `timeout` seconds.
    func eventually(_ timeout: TimeInterval = 5, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}

/// The pile side used by tests: calls go out through `peer`; calls from the gateway are
/// answered with canned responses per action and recorded.
final class TestChargePoint: @unchecked Sendable {
    private let state = Mutex<(responses: [String: JSON], received: [IncomingCall], events: [String])>(([:], [], []))
    // Set once, right after connecting, before any use.
    nonisolated(unsafe) var peer: RPCPeer!

    func respond(to action: String, with payload: JSON) { state.withLock { $0.responses[action] = payload } }
    var received: [IncomingCall] { state.withLock { $0.received } }
    var events: [String] { state.withLock { $0.events } }

    func record(_ call: IncomingCall) -> JSON? {
        state.withLock { s in
            s.received.append(call)
            return s.responses[call.action]
        }
    }

    func note(_ event: String) { state.withLock { $0.events.append(event) } }

    func call<A: OCPPAction>(_ action: A.Type, _ request: A.Request) async throws -> A.Response {
        try await peer.call(action, request)
    }

    func boot() async throws -> V16.BootNotification.Response {
        try await call(V16.BootNotification.self, .init(chargePointVendor: "TestVendor", chargePointModel: "TestModel", firmwareVersion: "1.0"))
    }
}

final class TestChargePointHandler: RPCConnectionDelegate {
    let pile: TestChargePoint
    init(pile: TestChargePoint) { self.pile = pile }

    func rpcConnection(_ connection: RPCConnection, didReceive call: IncomingCall) {
        if let response = pile.record(call) {
            connection.reply(to: call, result: response)
        }
        // No canned response: stay silent, so tests can exercise the gateway's timeout.
    }

    func rpcConnection(_ connection: RPCConnection, didObserve event: RPCEvent) {
        if case .frame = event { return }
        pile.note("\(event)")
    }

    func rpcConnectionDidClose(_ connection: RPCConnection) { pile.note("closed") }
}

/// A few bytes over a plain TCP socket, for handshakes and HTTP answers no client library would produce.
enum RawHTTP {
    static func request(port: Int, _ text: String, readFor seconds: TimeInterval = 2) async throws -> (Int, String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        _ = Array(text.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        let response = String(decoding: received, as: UTF8.self)
        let status = response.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, response)
    }
}

extension JSON {
    /// Test convenience: walk objects and arrays by key or index path.
    subscript(path path: String) -> JSON? {
        var current: JSON? = self
        for part in path.split(separator: ".") {
            if let index = Int(part), case .array(let items)? = current {
                current = index < items.count ? items[index] : nil
            } else {
                current = current?[String(part)]
            }
        }
        return current
    }
}
