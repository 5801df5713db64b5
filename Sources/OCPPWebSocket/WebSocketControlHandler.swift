import NIOCore
import NIOWebSocket

/// Events the WebSocket layer reports to the RPC layer above it.
public enum WebSocketEvent: Sendable {
    /// No pong (nor any frame) arrived within the keepalive window: the peer is gone.
    case keepaliveTimedOut
    /// A frame or message above the size limit was refused; the connection closes with 1009.
    case oversizedMessage(String)
    /// The peer sent a binary frame; OCPP-J uses text only.
    case binaryFrame
    /// The peer closed with this code.
    case peerClosed(code: WebSocketErrorCode?)
}

/// Ask the WebSocket layer to close with a close frame (outbound user event).
public struct WebSocketCloseRequest: Sendable {
    public var code: WebSocketErrorCode
    public var reason: String
    public init(code: WebSocketErrorCode, reason: String) {
        self.code = code
        self.reason = reason
    }
}

/// Turns WebSocket frames into text messages and back, answers pings, sends keepalive
/// pings, and closes politely. Fragmented messages are joined before this handler by
/// `NIOWebSocketFrameAggregator`.
final class WebSocketControlHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    private let isClient: Bool
    private let pingInterval: TimeAmount?
    private var awaitingPong = false
    private var sawTrafficSincePing = false
    private var closeSent = false
    private var keepalive: RepeatedTask?

    init(isClient: Bool, pingInterval: TimeAmount?) {
        self.isClient = isClient
        self.pingInterval = pingInterval
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let pingInterval, pingInterval > .zero else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        keepalive = context.eventLoop.scheduleRepeatedTask(initialDelay: pingInterval, delay: pingInterval) { _ in
            let (handler, context) = bound.value
            handler.keepaliveTick(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        keepalive?.cancel()
        keepalive = nil
    }

    private func keepaliveTick(context: ChannelHandlerContext) {
        if awaitingPong && !sawTrafficSincePing {
            keepalive?.cancel()
            context.fireUserInboundEventTriggered(WebSocketEvent.keepaliveTimedOut)
            context.close(promise: nil)
            return
        }
        awaitingPong = true
        sawTrafficSincePing = false
        send(.ping, data: context.channel.allocator.buffer(capacity: 0), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        sawTrafficSincePing = true
        switch frame.opcode {
        case .text:
            context.fireChannelRead(wrapInboundOut(frame.unmaskedData))
        case .binary:
            context.fireUserInboundEventTriggered(WebSocketEvent.binaryFrame)
            close(context: context, code: .unacceptableData, reason: "OCPP-J uses text frames")
        case .ping:
            send(.pong, data: frame.unmaskedData, context: context)
        case .pong:
            awaitingPong = false
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readWebSocketErrorCode()
            context.fireUserInboundEventTriggered(WebSocketEvent.peerClosed(code: code))
            if closeSent {
                context.close(promise: nil)
            } else {
                closeSent = true
                var reply = context.channel.allocator.buffer(capacity: 2)
                reply.write(webSocketErrorCode: code ?? .normalClosure)
                let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: maskKey, data: reply)
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { _ in channel.close(promise: nil) }
            }
        default:
            break
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !closeSent else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: maskKey, data: unwrapOutboundIn(data))
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if let request = event as? WebSocketCloseRequest {
            close(context: context, code: request.code, reason: request.reason)
            promise?.succeed(())
        } else {
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? NIOWebSocketError, error == .invalidFrameLength {
            // WebSocketProtocolErrorHandler, earlier in the pipeline, has already sent 1009.
            closeSent = true
            context.fireUserInboundEventTriggered(WebSocketEvent.oversizedMessage("a frame is longer than the size limit"))
        } else if let error = error as? NIOWebSocketFrameAggregator.Error {
            if case .accumulatedFrameSizeIsTooLarge = error {
                context.fireUserInboundEventTriggered(WebSocketEvent.oversizedMessage("a message is longer than the size limit"))
                close(context: context, code: .messageTooLarge, reason: "message too large")
            } else {
                close(context: context, code: .protocolError, reason: "bad fragmentation")
            }
        }
        context.fireErrorCaught(error)
    }

    /// Sends a close frame and closes the socket once the peer answers, or after 3 s.
    private func close(context: ChannelHandlerContext, code: WebSocketErrorCode, reason: String) {
        guard !closeSent, context.channel.isActive else { return }
        closeSent = true
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(String(reason.utf8.prefix(120)) ?? "")
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: maskKey, data: data)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: .seconds(3)) { channel.close(promise: nil) }
    }

    private func send(_ opcode: WebSocketOpcode, data: ByteBuffer, context: ChannelHandlerContext) {
        guard !closeSent else { return }
        let frame = WebSocketFrame(fin: true, opcode: opcode, maskKey: maskKey, data: data)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    /// Clients must mask every frame (RFC 6455 §5.3); servers must not.
    private var maskKey: WebSocketMaskingKey? { isClient ? .random() : nil }
}
