// ocpp_floor: the reference floor for the write-path benchmark (Benchmarks/write_path.py).
// A minimal OCPP-J responder on raw SwiftNIO: a correct WebSocket upgrade (path /ocpp/{id},
// subprotocol ocpp2.0.1 or ocpp1.6), correct framing, canned schema-valid replies, and
// nothing else: no store, no validation, no state beyond the negotiated version. What
// `pilegate serve` costs above it is what recording and judging every frame costs.
//
//     ocpp_floor [--host 127.0.0.1] [--port 8190]

import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Transaction ids handed out by StartTransaction, unique across connections.
enum TransactionIds {
    static let next = Atomic<Int>(1)
}

/// The subprotocol a handshake asks for, in the gateway's order of preference (2.0.1 first).
func chosenSubprotocol(_ headers: HTTPHeaders) -> String? {
    let offered = headers[canonicalForm: "Sec-WebSocket-Protocol"].map { String($0) }
    return ["ocpp2.0.1", "ocpp1.6"].first { offered.contains($0) }
}

/// The charge point id of `/ocpp/{id}`, or nil for any other path.
func identity(inURI uri: String) -> Substring? {
    guard uri.hasPrefix("/ocpp/") else { return nil }
    let id = uri.dropFirst("/ocpp/".count)
    return id.isEmpty || id.contains("/") || id.contains("?") ? nil : id
}

/// RFC 3339 UTC with a `Z`, as OCPP's currentTime wants it.
func utcNow() -> String {
    var seconds = time(nil)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(1900 + Int(parts.tm_year))-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
        + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
}

/// Where the unique id and the action of a CALL `[2,"id","Action",{…}]` lie in a text frame.
/// Nil when the frame is not a well-formed CALL head; the payload itself is not looked at.
func parseCall(_ bytes: UnsafeRawBufferPointer) -> (id: Range<Int>, action: Range<Int>)? {
    var i = 0
    func skipSpace() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 } }
    func expect(_ byte: UInt8) -> Bool {
        skipSpace()
        guard i < bytes.count, bytes[i] == byte else { return false }
        i += 1
        return true
    }
    /// A JSON string's contents (escapes kept as they are: the id is echoed verbatim).
    func string() -> Range<Int>? {
        guard expect(0x22) else { return nil }
        let start = i
        while i < bytes.count {
            switch bytes[i] {
            case 0x5C: i += 2
            case 0x22:
                defer { i += 1 }
                return start..<i
            default: i += 1
            }
        }
        return nil
    }
    guard expect(0x5B), expect(0x32), expect(0x2C), let id = string(), expect(0x2C), let action = string(), expect(0x2C) else { return nil }
    // The payload must be an object and the frame must end the array.
    skipSpace()
    var end = bytes.count - 1
    while end > i, bytes[end] == 0x20 || bytes[end] == 0x0A || bytes[end] == 0x0D || bytes[end] == 0x09 { end -= 1 }
    guard i < bytes.count, bytes[i] == 0x7B, end > i, bytes[end] == 0x5D else { return nil }
    return (id, action)
}

/// The canned CALLRESULT payload for an action, or nil (answered NotImplemented).
func replyPayload(action: String, v201: Bool) -> String? {
    switch action {
    case "BootNotification": "{\"currentTime\":\"\(utcNow())\",\"interval\":300,\"status\":\"Accepted\"}"
    case "Heartbeat": "{\"currentTime\":\"\(utcNow())\"}"
    case "StatusNotification", "MeterValues": "{}"
    case "TransactionEvent" where v201: "{}"
    case "StopTransaction" where !v201: "{}"
    case "Authorize": v201 ? "{\"idTokenInfo\":{\"status\":\"Accepted\"}}" : "{\"idTagInfo\":{\"status\":\"Accepted\"}}"
    case "StartTransaction" where !v201:
        "{\"transactionId\":\(TransactionIds.next.add(1, ordering: .relaxed).oldValue),\"idTagInfo\":{\"status\":\"Accepted\"}}"
    default: nil
    }
}

/// One pile's WebSocket: answers every CALL at once; replies are flushed once per read burst.
final class OCPPFloorHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame
    private let v201: Bool
    private var unflushed = false

    init(v201: Bool) { self.v201 = v201 }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text where frame.fin:
            let text = frame.unmaskedData
            guard let reply = text.withUnsafeReadableBytes({ answer($0) }) else { return }
            var buffer = context.channel.allocator.buffer(capacity: reply.utf8.count)
            buffer.writeString(reply)
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: buffer)), promise: nil)
            unflushed = true
        case .ping:
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
            unflushed = true
        case .pong:
            return
        case .connectionClose:
            close(context, code: .normalClosure)
        default:
            // Binary or fragmented messages: OCPP-J sends each message as one text frame.
            close(context, code: .unacceptableData)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if unflushed {
            unflushed = false
            context.flush()
        }
    }

    /// The reply frame's text for one received text message, or nil when none is owed
    /// (CALLRESULT and CALLERROR from the pile).
    private func answer(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard let call = parseCall(bytes) else {
            // [3,…] or [4,…]: an answer to a call we never make.
            let head = bytes.lazy.filter { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }.prefix(2)
            if Array(head) == [0x5B, 0x33] || Array(head) == [0x5B, 0x34] { return nil }
            return "[4,\"-1\",\"\(v201 ? "RpcFrameworkError" : "ProtocolError")\",\"not an OCPP-J CALL\",{}]"
        }
        let id = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[call.id]), as: UTF8.self)
        let action = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[call.action]), as: UTF8.self)
        guard let payload = replyPayload(action: action, v201: v201) else {
            return "[4,\"\(id)\",\"NotImplemented\",\"not in the floor\",{}]"
        }
        return "[3,\"\(id)\",\(payload)]"
    }

    private func close(_ context: ChannelHandlerContext, code: WebSocketErrorCode) {
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }
}

/// Requests that did not upgrade: 200 on /health (the benchmark waits for it), 404 for
/// other paths, 400 for an OCPP path without an OCPP subprotocol.
final class RefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private var status = HTTPResponseStatus.notFound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = head.uri == "/health" ? .ok : identity(inURI: head.uri) == nil ? .notFound : .badRequest
        case .body:
            return
        case .end:
            var headers = HTTPHeaders([("Content-Length", "0"), ("Connection", "close")])
            if status == .badRequest { headers.add(name: "Sec-WebSocket-Version", value: "13") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}

func option(_ name: String, default value: String) -> String {
    let args = CommandLine.arguments
    guard let at = args.firstIndex(of: name), at + 1 < args.count else { return value }
    return args[at + 1]
}

let host = option("--host", default: "127.0.0.1")
guard let port = Int(option("--port", default: "8190")), (0...65535).contains(port) else {
    print("usage: ocpp_floor [--host 127.0.0.1] [--port 0…65535]")
    exit(2)
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 4096)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: 64 * 1024,
            shouldUpgrade: { channel, head in
                guard head.method == .GET, identity(inURI: head.uri) != nil, let chosen = chosenSubprotocol(head.headers) else {
                    return channel.eventLoop.makeSucceededFuture(nil)  // refused: RefusalHandler answers
                }
                return channel.eventLoop.makeSucceededFuture(HTTPHeaders([("Sec-WebSocket-Protocol", chosen)]))
            },
            upgradePipelineHandler: { channel, head in
                // The upgrader removes only the HTTP handlers it added; the refusal handler goes too.
                channel.pipeline.removeHandler(name: "refusal").flatMapThrowing {
                    let v201 = chosenSubprotocol(head.headers) == "ocpp2.0.1"
                    try channel.pipeline.syncOperations.addHandler(OCPPFloorHandler(v201: v201))
                }
            })
        return channel.pipeline.configureHTTPServerPipeline(
            withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in })
        ).flatMapThrowing {
            try channel.pipeline.syncOperations.addHandler(RefusalHandler(), name: "refusal")
        }
    }

do {
    let channel = try bootstrap.bind(host: host, port: port).wait()
    print("ocpp_floor listening on \(channel.localAddress?.description ?? "\(host):\(port)")")
    try channel.closeFuture.wait()
} catch {
    print("ocpp_floor: \(error)")
    exit(1)
}
