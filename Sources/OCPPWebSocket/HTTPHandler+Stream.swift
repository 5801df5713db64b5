import NIOCore
import NIOHTTP1

extension HTTPHandler {
    /// Writes the head, then each chunk as it arrives, flushed. A stream is not a pending
    /// request, so the handshake deadline stays lifted; the client closing ends it.
    ///
    /// The outgoing buffer is bounded: a reader that leaves more than `streamBufferLimit`
    /// bytes unread (beyond what the kernel holds) makes the channel unwritable and is
    /// disconnected, which ends its subscription and frees what was queued for it. Without
    /// this, one client that never reads makes the gateway's memory grow without end.
    func writeStreaming(_ response: HTTPResponse, stream: AsyncStream<[UInt8]>, context: ChannelHandlerContext) {
        let channel = context.channel
        let limit = max(streamBufferLimit, 2)
        _ = channel.syncOptions.map {
            try? $0.setOption(ChannelOptions.writeBufferWaterMark, value: .init(low: limit / 2, high: limit))
        }
        var headers = response.headers
        headers.remove(name: "Content-Length")
        headers.replaceOrAdd(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(channel.allocator.buffer(bytes: response.body)))), promise: nil)

        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let logger = logger
        let writer = work.start(isStream: true) {
            for await chunk in stream {
                // One hop at a time, awaited: chunks never pile up in flight to the loop.
                let keepGoing = try? await channel.eventLoop.submit { () -> Bool in
                    guard channel.isActive else { return false }
                    guard channel.isWritable else {
                        logger.warning(
                            "closing the event stream to \(channel.remoteAddress?.description ?? "a client"): it reads too slowly (more than \(limit) bytes unread)")
                        channel.close(promise: nil)
                        return false
                    }
                    let (handler, context) = bound.value
                    context.writeAndFlush(handler.wrapOutboundOut(.body(.byteBuffer(channel.allocator.buffer(bytes: chunk)))), promise: nil)
                    return true
                }.get()
                guard keepGoing == true else { return }
            }
            // The stream finished, or shutdown cancelled it: end the response and close.
            channel.eventLoop.execute {
                let (handler, context) = bound.value
                guard channel.isActive else { return }
                context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: nil)
                handler.closeAfterWrites(context: context)
            }
        }
        guard let writer else {
            closeAfterWrites(context: context)
            return
        }
        // A client that leaves ends the stream (and so its subscription) at once.
        channel.closeFuture.whenComplete { _ in writer.cancel() }
    }
}
