import Logging
import NIOCore
import NIOHTTP1

/// Collects an HTTP request (body limited to 1 MiB, 64 MiB for file uploads), hands it
/// to the responder and writes the answer. Also answers refused OCPP handshakes with their status.
final class HTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let maxBody = 1 << 20
    /// Firmware uploads (`POST /api/firmware`) and piles' diagnostics and log uploads
    /// (`/files/uploads/…`) carry files: these routes only take up to 64 MiB.
    static let maxFileBody = 64 << 20
    static let fileRoutes = ["/api/firmware", "/files/uploads/"]

    /// The body limit of a request to `uri`.
    static func bodyLimit(_ uri: String) -> Int {
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        return fileRoutes.contains { path.hasPrefix($0) } ? maxFileBody : maxBody
    }
    /// How long a closing connection waits for the client to close its side after ours.
    static let lingerTime: TimeAmount = .seconds(2)

    private let responder: any HTTPResponder
    private let refusal: (HTTPRequestHead) -> (HTTPResponseStatus, String)?
    private let pathPrefix: String
    let work: HTTPWork
    let streamBufferLimit: Int
    let logger: Logger
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    private var limit = HTTPHandler.maxBody
    /// A request is being answered (the deadline for the next one starts after it).
    private var answering = false
    /// Our side is closed or closing: whatever else arrives is dropped.
    private var closing = false

    init(
        responder: any HTTPResponder, refusal: @escaping (HTTPRequestHead) -> (HTTPResponseStatus, String)?, pathPrefix: String,
        work: HTTPWork, streamBufferLimit: Int, logger: Logger
    ) {
        self.responder = responder
        self.refusal = refusal
        self.pathPrefix = pathPrefix
        self.work = work
        self.streamBufferLimit = streamBufferLimit
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            tooLarge = false
            limit = Self.bodyLimit(head.uri)
        case .body(var buffer):
            if tooLarge {
                break
            } else if body.count + buffer.readableBytes > limit {
                tooLarge = true
                body = []
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
        case .end:
            guard let head else { return }
            self.head = nil
            answering = true
            context.triggerUserOutboundEvent(HTTPExchangeEvent.requestReceived, promise: nil)
            handle(head, context: context)
        }
    }

    /// For a request that did not parse, `HTTPServerProtocolErrorHandler` has already written
    /// `400` with `Connection: close`, and the decoder reads nothing more: close the socket
    /// now, not at the deadline. (A refused upgrade also arrives as an error, followed by
    /// the request itself, which is answered as usual.)
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            if !closing { logger.debug("closing an HTTP connection after a request that did not parse: \(error)") }
            closeAfterWrites(context: context)
        }
        context.fireErrorCaught(error)
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = head.isKeepAlive
        if tooLarge {
            let words = limit == Self.maxBody ? "1 MiB" : "\(limit >> 20) MiB on this route"
            write(.error(.payloadTooLarge, code: "body_too_large", message: "request bodies are limited to \(words)"), keepAlive: false, context: context)
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
        let eventLoop = context.eventLoop
        let started = work.start(isStream: false) {
            let response = await responder.respond(to: request)
            eventLoop.execute {
                let (handler, context) = bound.value
                handler.write(response, keepAlive: keepAlive, context: context)
            }
        }
        if started == nil {
            // Shutting down: no new work may start.
            write(.error(.serviceUnavailable, code: "shutting_down", message: "the gateway is shutting down"), keepAlive: false, context: context)
        }
    }

    private func write(_ response: HTTPResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        guard !closing else { return }
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
        answering = false
        guard keepAlive else {
            closeAfterWrites(context: context)
            return
        }
        // The deadline for the next request starts once this answer is on its way (a slow
        // reader of a large answer is not cut off), unless a pipelined request came meanwhile.
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        done.whenSuccess {
            let (handler, context) = bound.value
            guard !handler.answering, !handler.closing else { return }
            context.triggerUserOutboundEvent(HTTPExchangeEvent.awaitingRequest, promise: nil)
        }
    }

    /// Closes our side once what is queued has been written, then the socket when the
    /// client closes its side, or after `lingerTime`. Closing both at once could reset the
    /// connection before the client has read our answer (RFC 9112 §9.6).
    func closeAfterWrites(context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        let channel = context.channel
        context.close(mode: .output, promise: nil)
        context.eventLoop.scheduleTask(in: Self.lingerTime) { channel.close(promise: nil) }
    }
}
