import Foundation
import NIOCore
import NIOHTTP1

/// A plain HTTP request on the gateway's port (anything that is not an OCPP upgrade).
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var uri: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: HTTPMethod, uri: String, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }

    public var path: String { String(uri.split(separator: "?", maxSplits: 1).first ?? "") }

    /// Query parameters, percent-decoded; later duplicates win.
    public var query: [String: String] {
        guard let q = uri.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
        var result: [String: String] = [:]
        for pair in q.split(separator: "&") {
            // "=", "=x" and "x=" are all possible; nothing here may assume a side exists.
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawKey = String(parts.first ?? "")
            let rawValue = parts.count > 1 ? String(parts[1]) : ""
            result[rawKey.replacingPlus.removingPercentEncoding ?? rawKey] = rawValue.replacingPlus.removingPercentEncoding ?? rawValue
        }
        return result
    }
}

public struct HTTPResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// A body written chunk by chunk as it comes (Server-Sent Events), after `body`; the
    /// response ends when the stream finishes or the client goes away.
    public var stream: AsyncStream<[UInt8]>?

    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: [UInt8] = [], stream: AsyncStream<[UInt8]>? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = stream
    }

    /// `{"error": {"code": ..., "message": ...}}`, the API's error shape.
    public static func error(_ status: HTTPResponseStatus, code: String, message: String) -> HTTPResponse {
        var body: [UInt8] = Array(#"{"error":{"code":"#.utf8)
        appendJSONString(code, to: &body)
        body += Array(#","message":"#.utf8)
        appendJSONString(message, to: &body)
        body += Array("}}".utf8)
        return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    private static func appendJSONString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += Array(#"\""#.utf8)
            case "\\": out += Array(#"\\"#.utf8)
            case "\n": out += Array(#"\n"#.utf8)
            default:
                if scalar.value < 0x20 { out += Array(" ".utf8) } else { out += Array(String(scalar).utf8) }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Answers the HTTP requests that arrive on the OCPP port.
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest) async -> HTTPResponse
}

/// Collects an HTTP request (body limited to 1 MiB), hands it to the responder and
/// writes the answer. Also answers refused OCPP handshakes with their status.
final class HTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let maxBody = 1 << 20

    private let responder: any HTTPResponder
    private let refusal: (HTTPRequestHead) -> (HTTPResponseStatus, String)?
    private let pathPrefix: String
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(responder: any HTTPResponder, refusal: @escaping (HTTPRequestHead) -> (HTTPResponseStatus, String)?, pathPrefix: String) {
        self.responder = responder
        self.refusal = refusal
        self.pathPrefix = pathPrefix
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > Self.maxBody {
                tooLarge = true
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
        case .end:
            guard let head else { return }
            self.head = nil
            handle(head, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)  // no handshake or request within the idle timeout
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = head.isKeepAlive
        if tooLarge {
            write(.error(.payloadTooLarge, code: "body_too_large", message: "request bodies are limited to 1 MiB"), keepAlive: false, context: context)
            return
        }
        let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
        if path == pathPrefix || path.hasPrefix(pathPrefix + "/") {
            // An OCPP URL that was not upgraded: the handshake was refused or never asked for.
            let isUpgrade = head.headers["Upgrade"].contains { $0.lowercased() == "websocket" }
            let (status, reason) = isUpgrade
                ? (refusal(head) ?? (.badRequest, "the WebSocket handshake is incomplete"))
                : (.upgradeRequired, "this is an OCPP-J endpoint: connect with a WebSocket and subprotocol ocpp1.6")
            var response = HTTPResponse.error(status, code: "handshake_refused", message: reason)
            if status == .unauthorized { response.headers.add(name: "WWW-Authenticate", value: "Basic realm=\"OCPP\"") }
            write(response, keepAlive: false, context: context)
            return
        }
        let request = HTTPRequest(method: head.method, uri: head.uri, headers: head.headers, body: body)
        let responder = responder
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let promise = context.eventLoop.makePromise(of: HTTPResponse.self)
        promise.completeWithTask { await responder.respond(to: request) }
        promise.futureResult.whenSuccess { response in
            let (handler, context) = bound.value
            handler.write(response, keepAlive: keepAlive, context: context)
        }
    }

    private func write(_ response: HTTPResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        if let stream = response.stream {
            writeStreaming(response, stream: stream, context: context)
            return
        }
        var headers = response.headers
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

extension HTTPHandler {
    /// Writes the head, then each chunk as it arrives, flushed. A long-lived stream is not
    /// an idle connection, so the idle timeout is lifted; the client closing ends it.
    private func writeStreaming(_ response: HTTPResponse, stream: AsyncStream<[UInt8]>, context: ChannelHandlerContext) {
        _ = context.pipeline.syncOperations.removeHandler(name: OCPPServer.idleHandlerName)
        var headers = response.headers
        headers.remove(name: "Content-Length")
        headers.replaceOrAdd(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        let channel = context.channel
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let task = Task {
            for await chunk in stream {
                guard channel.isActive else { break }
                channel.eventLoop.execute {
                    let (handler, context) = bound.value
                    context.writeAndFlush(handler.wrapOutboundOut(.body(.byteBuffer(channel.allocator.buffer(bytes: chunk)))), promise: nil)
                }
            }
            channel.eventLoop.execute {
                let (handler, context) = bound.value
                context.writeAndFlush(handler.wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
            }
        }
        channel.closeFuture.whenComplete { _ in task.cancel() }
    }
}

extension String {
    fileprivate var replacingPlus: String { replacingOccurrences(of: "+", with: " ") }
}
