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
    /// The HTTP API the server answers with (a second server on the same gateway reuses it).
    var http: APIResponder { Self.responder(store: store, gateway: gateway) }
    /// The bearer token the harness's API takes.
    static let apiToken = "test-token"

    static func responder(store: SQLiteSessionStore, gateway: Gateway) -> APIResponder {
        APIResponder(store: store, gateway: gateway, access: APIAccess(token: apiToken), metrics: MetricsExport.registry)
    }
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
        _ = MetricsExport.registry  // real metrics, bootstrapped once per test process
        let store = try SQLiteSessionStore(path: dir.appendingPathComponent("gateway.sqlite").path, durability: .normal, logger: logger)
        var configuration = configuration
        if configuration.files.directory == nil { configuration.files.directory = dir.appendingPathComponent("files").path }
        let gateway = Gateway(configuration: configuration, store: store, logger: logger)
        try await gateway.restoreState()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        var serverConfiguration = gateway.serverConfiguration(host: "127.0.0.1", port: 0)
        tweak(&serverConfiguration)
        let server = OCPPServer(
            configuration: serverConfiguration, group: group, policy: gateway, acceptor: gateway,
            http: responder(store: store, gateway: gateway), logger: logger)
        let address = try await server.start()
        gateway.servesFiles(host: "127.0.0.1", port: address.port ?? 0)
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

    /// Starts a harness, runs `body` with it and shuts it down (deleting its files) whether
    /// `body` returns or throws.
    static func with(
        _ configuration: GatewayConfiguration = GatewayConfiguration(),
        tweak: (inout OCPPServerConfiguration) -> Void = { _ in },
        _ body: (GatewayHarness) async throws -> Void
    ) async throws {
        let harness = try await start(configuration, tweak: tweak)
        do {
            try await body(harness)
        } catch {
            try await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }

    /// Stops everything; `keepFiles` leaves the database for a restart test.
    func shutdown(keepFiles: Bool = false) async throws {
        await server.stopAccepting()
        await gateway.disconnectAll()
        await server.stopHTTP()
        try await store.close()
        try await group.shutdownGracefully()
        if !keepFiles { try? FileManager.default.removeItem(at: directory) }
    }

    /// Connects a test pile.
    func connect(
        _ identity: String, subprotocols: [String]? = ["ocpp1.6"], password: String? = nil
    ) async throws -> TestChargePoint {
        try await TestChargePoint.connect(endpoint: endpoint, identity: identity, group: group, subprotocols: subprotocols, password: password)
    }

    /// GET on the HTTP API, decoded as JSON.
    func get(_ path: String) async throws -> (status: Int, body: JSON) {
        try await RawHTTP.get(port: port, path)
    }

    /// The CALLRESULT or CALLERROR the gateway sent back for a frame the pile sent raw
    /// (`pile.peer.sendRaw`), as the JSON array it was on the wire; fails after `timeout` s.
    func reply(from pile: TestChargePoint, to messageId: String, timeout: TimeInterval = 5) async throws -> [JSON] {
        var reply: [JSON]?
        _ = try await eventually(timeout) {
            reply = pile.reply(to: messageId)
            return reply != nil
        }
        return try XCTUnwrap(reply, "no reply to \(messageId) within \(timeout) s; frames seen: \(pile.incomingFrames.map(\.text))")
    }

    /// The findings stored for a pile, once everything submitted so far is committed.
    func findings(_ chargePointId: String) async throws -> [FindingRecord] {
        try await store.flush()
        return try await store.findings(chargePointId: chargePointId, limit: 1000)
    }

    /// Waits (bounded) until a finding with `rule` (and `messageId`, if given) is stored for the pile.
    func finding(_ rule: String, for chargePointId: String, messageId: String? = nil, timeout: TimeInterval = 5) async throws
        -> FindingRecord
    {
        var found: FindingRecord?
        _ = try await eventually(timeout) {
            found = try await findings(chargePointId).first { $0.rule == rule && (messageId == nil || $0.messageId == messageId) }
            return found != nil
        }
        if let found { return found }
        let all = try await findings(chargePointId).map { "\($0.rule) [\($0.messageId ?? "-")]" }
        return try XCTUnwrap(found, "no finding \(rule) for \(chargePointId) within \(timeout) s; stored: \(all)")
    }

    /// Polls until `condition` holds, at most `timeout` seconds.
    func eventually(_ timeout: TimeInterval = 5, _ condition: () async throws -> Bool) async throws -> Bool {
        try await GatewayTests.eventually(timeout, condition)
    }
}

/// Polls until `condition` holds, at most `timeout` seconds (for tests without a harness).
func eventually(_ timeout: TimeInterval = 5, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// The pile side used by tests: calls go out through `peer`; calls from the gateway are
/// answered with canned responses per action and recorded; every incoming frame is kept,
/// so answers to raw-sent frames can be read back exactly.
final class TestChargePoint: @unchecked Sendable {
    /// How the pile answers a CALL of the gateway.
    enum Canned: Sendable {
        case result(JSON, delay: TimeAmount?)
        case error(RPCError)
    }

    private struct State {
        var responses: [String: Canned] = [:]
        var received: [IncomingCall] = []
        var events: [String] = []
        var incomingFrames: [FrameTap] = []
        var closeCodes: [String] = []
        var unanswered = 0
        var mostUnanswered = 0
    }

    private let state = Mutex(State())
    // Set once, right after connecting, before any use.
    nonisolated(unsafe) var peer: RPCPeer!
    // Set once, while connecting, before any use.
    nonisolated(unsafe) var channel: (any Channel)?

    /// Connects a test pile to any OCPP endpoint (a harness or a gateway process).
    static func connect(
        endpoint: String, identity: String, group: any EventLoopGroup, subprotocols: [String]? = ["ocpp1.6"],
        password: String? = nil
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
            pile.channel = connection.channel
        }
        pile.peer = peer
        return pile
    }

    func respond(to action: String, with payload: JSON, after delay: TimeAmount? = nil) {
        state.withLock { $0.responses[action] = .result(payload, delay: delay) }
    }

    func respond(to action: String, withError error: RPCError) { state.withLock { $0.responses[action] = .error(error) } }

    var received: [IncomingCall] { state.withLock { $0.received } }
    var events: [String] { state.withLock { $0.events } }
    var isClosed: Bool { events.contains("closed") }
    /// Every frame the gateway sent this pile, in order.
    var incomingFrames: [FrameTap] { state.withLock { $0.incomingFrames } }
    /// Close codes of the gateway's close frames, by name (`goingAway`, `policyViolation`).
    var closeCodes: [String] { state.withLock { $0.closeCodes } }
    /// The most CALLs of the gateway this pile held unanswered at one time.
    var mostUnanswered: Int { state.withLock { $0.mostUnanswered } }

    func record(_ call: IncomingCall) -> Canned? {
        state.withLock { s in
            s.received.append(call)
            s.unanswered += 1
            s.mostUnanswered = max(s.mostUnanswered, s.unanswered)
            return s.responses[call.action]
        }
    }

    func answered() { state.withLock { $0.unanswered -= 1 } }
    func note(_ event: String) { state.withLock { $0.events.append(event) } }
    func note(frame: FrameTap) { state.withLock { $0.incomingFrames.append(frame) } }
    func note(closeCode: String) { state.withLock { $0.closeCodes.append(closeCode) } }

    /// The CALLRESULT or CALLERROR for `messageId` among the incoming frames, as its JSON array.
    func reply(to messageId: String) -> [JSON]? {
        for frame in incomingFrames where frame.messageId == messageId && (frame.messageType == 3 || frame.messageType == 4) {
            return try? JSONParser.parse(frame.text).arrayValue
        }
        return nil
    }

    func call<A: OCPPAction>(_ action: A.Type, _ request: A.Request) async throws -> A.Response {
        try await peer.call(action, request)
    }

    func boot() async throws -> V16.BootNotification.Response {
        try await call(V16.BootNotification.self, .init(chargePointVendor: "TestVendor", chargePointModel: "TestModel", firmwareVersion: "1.0"))
    }

    /// Drops the TCP connection without a WebSocket close frame, as a pile losing power or network does.
    func vanish() async throws {
        try await XCTUnwrap(channel).close()
    }
}

final class TestChargePointHandler: RPCConnectionDelegate {
    let pile: TestChargePoint
    init(pile: TestChargePoint) { self.pile = pile }

    func rpcConnection(_ connection: RPCConnection, didReceive call: IncomingCall) {
        switch pile.record(call) {
        case .result(let response, nil)?:
            connection.reply(to: call, result: response)
            pile.answered()
        case .result(let response, let delay?)?:
            let bound = NIOLoopBound(connection, eventLoop: connection.eventLoop)
            let pile = pile
            connection.eventLoop.scheduleTask(in: delay) {
                bound.value.reply(to: call, result: response)
                pile.answered()
            }
        case .error(let error)?:
            connection.reply(to: call, error: error)
            pile.answered()
        case nil:
            // No canned response: stay silent, so tests can exercise the gateway's timeout.
            break
        }
    }

    func rpcConnection(_ connection: RPCConnection, didObserve event: RPCEvent) {
        switch event {
        case .frame(let tap):
            if tap.direction == .incoming { pile.note(frame: tap) }
        case .webSocket(.peerClosed(let code)):
            pile.note(closeCode: code.map { "\($0)" } ?? "none")
            pile.note("\(event)")
        default:
            pile.note("\(event)")
        }
    }

    func rpcConnectionDidClose(_ connection: RPCConnection) { pile.note("closed") }
}

/// A few bytes over a plain TCP socket, for handshakes and HTTP answers no client library would produce.
enum RawHTTP {
    /// GET on any gateway's HTTP port, the body decoded as JSON (or kept as a string).
    static func get(port: Int, _ path: String) async throws -> (status: Int, body: JSON) {
        let (status, text) = try await request(port: port, "GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let body = text.split(separator: "\r\n\r\n", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        return (status, (try? JSONParser.parse(body)) ?? .string(body))
    }

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

/// Checks that `reply` is `[4, id, code, description, details]` and returns the description.
@discardableResult
func assertCallError(_ reply: [JSON], id: String, code: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    guard reply.count == 5 else {
        XCTFail("expected a CALLERROR [4, id, code, description, details], got \(reply)", file: file, line: line)
        return ""
    }
    XCTAssertEqual(reply[0], 4, "message type", file: file, line: line)
    XCTAssertEqual(reply[1], .string(id), "message id", file: file, line: line)
    XCTAssertEqual(reply[2], .string(code), "error code", file: file, line: line)
    XCTAssertEqual(reply[4], .object(JSONObject()), "error details", file: file, line: line)
    return reply[3].stringValue ?? ""
}

/// Checks that `reply` is `[3, id, payload]` and returns the payload.
@discardableResult
func assertCallResult(_ reply: [JSON], id: String, file: StaticString = #filePath, line: UInt = #line) -> JSON {
    guard reply.count == 3 else {
        XCTFail("expected a CALLRESULT [3, id, payload], got \(reply)", file: file, line: line)
        return .null
    }
    XCTAssertEqual(reply[0], 3, "message type", file: file, line: line)
    XCTAssertEqual(reply[1], .string(id), "message id", file: file, line: line)
    return reply[2]
}
