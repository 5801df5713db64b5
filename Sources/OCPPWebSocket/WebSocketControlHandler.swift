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
    /// The peer broke RFC 6455 (unmasked or reserved frames, bad close codes, text that is
    /// not UTF-8 …); the connection was failed with 1002 or 1007.
    case protocolViolation(String)
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
/// `NIOWebSocketFrameAggregator`; frames RFC 6455 forbids are caught before that, by
/// `WebSocketFrameValidator`. Text must be UTF-8 and close frames well-formed (§5.5.1,
/// §7.4, §8.1), else the connection fails with 1007 or 1002.
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
    /// The connection failed (RFC 6455 §7.1.7): nothing more is read from it.
    private var failed = false
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
        guard !failed else { return }
        let frame = unwrapInboundIn(data)
        sawTrafficSincePing = true
        switch frame.opcode {
        case .text:
            let text = frame.unmaskedData
            guard text.isValidUTF8 else {
                fail(context: context, code: .dataInconsistentWithMessage, reason: "a text message that is not UTF-8")
                return
            }
            context.fireChannelRead(wrapInboundOut(text))
        case .binary:
            context.fireUserInboundEventTriggered(WebSocketEvent.binaryFrame)
            close(context: context, code: .unacceptableData, reason: "OCPP-J uses text frames")
        case .ping:
            send(.pong, data: frame.unmaskedData, context: context)
        case .pong:
            awaitingPong = false
        case .connectionClose:
            peerClosed(frame.unmaskedData, context: context)
        default:
            // Reserved opcodes are refused by WebSocketFrameValidator; continuations by the aggregator.
            break
        }
    }

    /// Answers the peer's close frame: echoes a valid code, fails on a malformed frame.
    private func peerClosed(_ payload: ByteBuffer, context: ChannelHandlerContext) {
        var data = payload
        let rawCode = data.readInteger(as: UInt16.self)
        if payload.readableBytes == 1 {
            fail(context: context, code: .protocolError, reason: "a close frame with a 1-byte payload")
            return
        }
        if let rawCode, !WebSocketErrorCode.isAllowedOnTheWire(rawCode) {
            fail(context: context, code: .protocolError, reason: "close code \(rawCode) may not be sent")
            return
        }
        guard data.isValidUTF8 else {
            fail(context: context, code: .dataInconsistentWithMessage, reason: "a close reason that is not UTF-8")
            return
        }
        let code = rawCode.map { WebSocketErrorCode(codeNumber: Int($0)) }
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
        if let error = error as? NIOWebSocketError {
            // WebSocketProtocolErrorHandler, earlier in the pipeline, has already sent the close
            // frame (1009 or 1002) and closes the socket; the decoder reads nothing more.
            closeSent = true
            failed = true
            if error == .invalidFrameLength {
                context.fireUserInboundEventTriggered(WebSocketEvent.oversizedMessage("a frame is longer than the size limit"))
            } else {
                context.fireUserInboundEventTriggered(WebSocketEvent.protocolViolation("\(error)"))
            }
        } else if let error = error as? NIOWebSocketFrameAggregator.Error {
            if case .accumulatedFrameSizeIsTooLarge = error {
                context.fireUserInboundEventTriggered(WebSocketEvent.oversizedMessage("a message is longer than the size limit"))
                close(context: context, code: .messageTooLarge, reason: "message too large")
            } else {
                fail(context: context, code: .protocolError, reason: "bad fragmentation (\(error))")
            }
        } else if let violation = error as? WebSocketViolation {
            fail(context: context, code: violation.code, reason: violation.reason)
        }
        context.fireErrorCaught(error)
    }

    /// Fails the connection (RFC 6455 §7.1.7): a close frame with `code`, then the socket
    /// closes without waiting for the peer's answer, and nothing more is read.
    private func fail(context: ChannelHandlerContext, code: WebSocketErrorCode, reason: String) {
        guard !failed else { return }
        failed = true
        context.fireUserInboundEventTriggered(WebSocketEvent.protocolViolation(reason))
        let channel = context.channel
        guard !closeSent, channel.isActive else {
            context.close(promise: nil)
            return
        }
        closeSent = true
        context.writeAndFlush(wrapOutboundOut(closeFrame(code: code, reason: reason, context: context))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// Sends a close frame and closes the socket once the peer answers, or after 3 s.
    private func close(context: ChannelHandlerContext, code: WebSocketErrorCode, reason: String) {
        guard !closeSent, context.channel.isActive else { return }
        closeSent = true
        context.writeAndFlush(wrapOutboundOut(closeFrame(code: code, reason: reason, context: context)), promise: nil)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: .seconds(3)) { channel.close(promise: nil) }
    }

    /// A close frame; the reason is cut to fit a control frame (125 bytes) on a character boundary.
    private func closeFrame(code: WebSocketErrorCode, reason: String, context: ChannelHandlerContext) -> WebSocketFrame {
        var data = context.channel.allocator.buffer(capacity: 2 + min(reason.utf8.count, 123))
        data.write(webSocketErrorCode: code)
        var budget = 123
        for character in reason {
            budget -= character.utf8.count
            guard budget >= 0 else { break }
            data.writeString(String(character))
        }
        return WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: maskKey, data: data)
    }

    private func send(_ opcode: WebSocketOpcode, data: ByteBuffer, context: ChannelHandlerContext) {
        guard !closeSent else { return }
        let frame = WebSocketFrame(fin: true, opcode: opcode, maskKey: maskKey, data: data)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    /// Clients must mask every frame (RFC 6455 §5.3); servers must not.
    private var maskKey: WebSocketMaskingKey? { isClient ? .random() : nil }
}
