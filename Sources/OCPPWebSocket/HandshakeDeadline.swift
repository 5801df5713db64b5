import Logging
import NIOCore
import Synchronization

/// How many connections are waiting for their WebSocket handshake or an HTTP request, so
/// that slow clients in their thousands cannot take every file descriptor.
final class PendingHandshakes: Sendable {
    let limit: Int
    private let count = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    var current: Int { count.load(ordering: .relaxed) }

    /// Takes a slot; false (and no slot) when `limit` are taken.
    func enter() -> Bool {
        guard count.wrappingAdd(1, ordering: .relaxed).newValue > limit else { return true }
        count.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    /// Takes a slot whatever the count: a kept-alive connection waiting for its next
    /// request is counted, but not refused (it has been admitted once).
    func enterAlways() { count.wrappingAdd(1, ordering: .relaxed) }

    func leave() { count.wrappingSubtract(1, ordering: .relaxed) }
}

/// What `HTTPHandler` tells the deadline (outbound user events, towards the socket).
enum HTTPExchangeEvent: Sendable {
    /// A whole request has arrived: the client's part is done, the deadline is lifted.
    case requestReceived
    /// The response is written and the connection kept alive: a new deadline starts.
    case awaitingRequest
}

/// Closes a connection that has not finished its WebSocket handshake, or sent a whole HTTP
/// request, within `timeout` of its accept (or of its previous response). A total deadline,
/// not an idle timer: a client sending a byte every few seconds cannot hold the socket.
/// While armed the connection holds a `PendingHandshakes` slot; the slot taken at accept
/// is handed to this handler, which gives it back when disarmed or removed (at the upgrade
/// or the close).
final class HandshakeDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = IOData

    private let timeout: TimeAmount
    private let pending: PendingHandshakes
    private let logger: Logger
    private var holdsSlot = true
    private var timer: Scheduled<Void>?

    /// The caller has taken a slot for this connection (`pending.enter()`).
    init(timeout: TimeAmount, pending: PendingHandshakes, logger: Logger) {
        self.timeout = timeout
        self.pending = pending
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) { arm(context: context) }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        switch event as? HTTPExchangeEvent {
        case .requestReceived?:
            disarm()
            promise?.succeed(())
        case .awaitingRequest?:
            arm(context: context)
            promise?.succeed(())
        case nil:
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }

    private func arm(context: ChannelHandlerContext) {
        if !holdsSlot {
            pending.enterAlways()
            holdsSlot = true
        }
        guard timer == nil else { return }
        let channel = context.channel
        let logger = logger
        let seconds = Double(timeout.nanoseconds) / 1e9
        timer = context.eventLoop.scheduleTask(in: timeout) {
            logger.debug("closing \(channel.remoteAddress?.description ?? "a client"): no complete handshake or request within \(seconds) s")
            channel.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
        if holdsSlot {
            holdsSlot = false
            pending.leave()
        }
    }
}

/// Logs refused connections at most once a second, with how many were refused since:
/// a flood of connections must not become a flood of log lines.
final class RefusalLog: Sendable {
    private let logger: Logger
    private let state = Mutex<(last: ContinuousClock.Instant?, unlogged: Int)>((nil, 0))

    init(logger: Logger) { self.logger = logger }

    func refused(_ message: @autoclosure () -> String) {
        let now = ContinuousClock.now
        let unlogged = state.withLock { state -> Int? in
            if let last = state.last, now - last < .seconds(1) {
                state.unlogged += 1
                return nil
            }
            defer { state = (now, 0) }
            return state.unlogged
        }
        guard let unlogged else { return }
        logger.warning("\(message())\(unlogged > 0 ? " (and \(unlogged) more refused in the last second)" : "")")
    }
}
