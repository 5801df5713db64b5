import NIOCore
import NIOWebSocket

/// The RFC 6455 §5.1–5.2 checks NIO's decoder leaves to the application (it cannot know
/// which extensions were negotiated): a client masks every frame and a server none, RSV
/// bits stay zero (we negotiate no extension), opcodes 3–7 and 0xB–0xF are reserved. A
/// frame that breaks one fails the connection with 1002, and nothing after it is read.
/// Sits before `NIOWebSocketFrameAggregator`, which would otherwise join such frames.
///
/// What NIO already enforces is left to it: control frames longer than 125 bytes or
/// fragmented (`WebSocketFrameDecoder`, answered by `WebSocketProtocolErrorHandler`) and
/// broken fragmentation (`NIOWebSocketFrameAggregator`).
final class WebSocketFrameValidator: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame

    private let isClient: Bool
    private var failed = false

    init(isClient: Bool) { self.isClient = isClient }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        if let problem = problem(with: unwrapInboundIn(data)) {
            failed = true
            context.fireErrorCaught(WebSocketViolation(code: .protocolError, reason: problem))
            return
        }
        context.fireChannelRead(data)
    }

    private func problem(with frame: WebSocketFrame) -> String? {
        if isClient && frame.maskKey != nil { return "the server sent a masked frame" }
        if !isClient && frame.maskKey == nil { return "the client sent an unmasked frame" }
        if frame.rsv1 || frame.rsv2 || frame.rsv3 { return "RSV bits set, but no extension was negotiated" }
        switch frame.opcode {
        case .continuation, .text, .binary, .connectionClose, .ping, .pong: return nil
        default: return "reserved opcode \(UInt8(webSocketOpcode: frame.opcode))"
        }
    }
}

/// A peer broke RFC 6455; the connection fails with `code` (1002, or 1007 for bad UTF-8).
struct WebSocketViolation: Error {
    let code: WebSocketErrorCode
    let reason: String
}

extension WebSocketErrorCode {
    /// Whether a peer may send this code in a close frame (RFC 6455 §7.4, and the IANA
    /// registry's 1012–1014). 1005, 1006 and 1015 only ever describe a close locally.
    static func isAllowedOnTheWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }
}

extension ByteBuffer {
    /// Whether the readable bytes are UTF-8 as RFC 3629 defines it (no overlong forms, no
    /// surrogates, nothing past U+10FFFF), which RFC 6455 §8.1 requires of text.
    var isValidUTF8: Bool {
        let hadError = transcode(readableBytesView.makeIterator(), from: UTF8.self, to: UTF32.self, stoppingOnError: true) { _ in }
        return !hadError
    }
}
