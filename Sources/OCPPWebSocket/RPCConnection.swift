import Foundation
import NIOCore
import NIOWebSocket
import OCPP

/// A CALL received from the peer, waiting for our answer.
public struct IncomingCall: Sendable {
    public let messageId: String
    public let action: String
    public let payload: JSON
    public let receivedAt: Date
    /// The frame as it came (what a relay passes on byte for byte).
    public var text: String = ""
}

/// One frame as it crossed the wire, for the message log.
public struct FrameTap: Sendable {
    public enum Direction: Sendable { case incoming, outgoing }
    public let direction: Direction
    public let time: Date
    public let text: String
    /// 2, 3 or 4; 0 when the frame did not parse.
    public let messageType: Int
    public let messageId: String?
    public let action: String?
    /// For replies: seconds since the CALL was received (we answer) or sent (peer answers).
    public let latency: TimeInterval?
}

/// The peer's answer to a relayed CALL, as it came: the frame and its exact text.
public struct RelayedReply: Sendable {
    public let frame: RPCFrame
    public let text: String
}

/// Things the RPC layer noticed that the peer got wrong, or that went wrong with it.
public enum RPCEvent: Sendable {
    case frame(FrameTap)
    /// Bytes that are not an RPC frame; the spec's answer (if any) has been sent.
    case malformedFrame(RPCFrameError)
    /// A CALLRESULT or CALLERROR for no CALL of ours.
    case unsolicitedReply(messageId: String)
    /// The peer did not answer our CALL in time.
    case callTimedOut(action: String, messageId: String)
    /// The peer sent a CALL while an earlier one of its own (`unansweredId`, received
    /// `waited` seconds before) still had no answer from us.
    case overlappingCall(messageId: String, action: String, unansweredId: String, unansweredAction: String, waited: TimeInterval)
    case webSocket(WebSocketEvent)
}

/// Why a CALL of ours did not get a result.
public enum RPCCallError: Error, Sendable, Equatable, CustomStringConvertible {
    case timedOut(action: String, after: TimeInterval)
    case rejected(RPCError)
    case invalidResponse(ValidationError)
    case connectionClosed
    case notConnected(String)

    public var description: String {
        switch self {
        case .timedOut(let action, let after): "\(action) was not answered within \(after) s"
        case .rejected(let error): "the peer answered CALLERROR \(error.wireCode ?? error.code.rawValue): \(error.description)"
        case .invalidResponse(let error): "the peer's answer broke the schema: \(error)"
        case .connectionClosed: "the connection closed before the answer"
        case .notConnected(let id): "\(id) is not connected"
        }
    }
}

/// The side of the link that owns this connection's handlers, which everything
/// reported by `RPCConnection` reaches on the channel's event loop.
public protocol RPCConnectionDelegate: AnyObject {
    /// Answer with `connection.reply(to:…)`, now or later, exactly once.
    func rpcConnection(_ connection: RPCConnection, didReceive call: IncomingCall)
    func rpcConnection(_ connection: RPCConnection, didObserve event: RPCEvent)
    func rpcConnectionDidClose(_ connection: RPCConnection)
}

/// OCPP-J RPC over a WebSocket: frames in and out, replies matched to CALLs, at most
/// one CALL of ours outstanding (the rest wait in order), timeouts, and the spec's
/// answers to malformed input. Lives on its channel's event loop; `RPCPeer` is the
/// handle other threads use.
public final class RPCConnection: ChannelInboundHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    public let identity: String
    public let version: OCPPVersion
    public let callTimeout: TimeAmount
    public weak var delegate: (any RPCConnectionDelegate)?
    /// Whatever the owner wants to keep with the connection (the gateway's per-pile state).
    public var owner: AnyObject?
    /// When set, every CALL of ours uses this id: a quirk some chargers have (ids reused).
    public var messageIdOverride: String?
    /// When set, our CALLs go out at once, without waiting for the one in flight: a quirk
    /// some chargers have (OCPP-J §4.1.1 asks them to wait). Replies are matched by id.
    public var sendsWithoutWaiting = false

    private var context: ChannelHandlerContext?
    private var nextId: UInt64 = 0
    private let idPrefix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    private struct OutgoingCall {
        let messageId: String
        let action: String
        let payload: JSON
        /// A relayed CALL's bytes, sent as they are (the payload is then unused).
        var raw: [UInt8]? = nil
        let completion: Completion
        let timeoutAmount: TimeAmount
        var sentAt: Date?
        var timeout: Scheduled<Void>?
    }
    /// Who waits for a CALL's answer: typed callers want the payload, a relay the frame.
    private enum Completion {
        case payload(EventLoopPromise<JSON>)
        case frame(EventLoopPromise<RelayedReply>)

        func fail(_ error: RPCCallError) {
            switch self {
            case .payload(let promise): promise.fail(error)
            case .frame(let promise): promise.fail(error)
            }
        }
    }
    private var inFlight: OutgoingCall?
    /// Sent while another was in flight (`sendsWithoutWaiting` only); empty otherwise.
    private var overlapped: [OutgoingCall] = []
    /// CALLs queued behind the one in flight. An Array, not a CircularBuffer: it is nearly
    /// always empty, and an empty Array costs no allocation (a CircularBuffer reserves 16 slots).
    private var waiting: [OutgoingCall] = []
    /// The peer's CALLs not answered yet, to notice one sent before our answer.
    private var unanswered = UnansweredCalls()
    private var closed = false

    public init(identity: String, version: OCPPVersion, eventLoop: any EventLoop, callTimeout: TimeAmount = .seconds(30)) {
        self.identity = identity
        self.version = version
        self.eventLoop = eventLoop
        self.callTimeout = callTimeout
    }

    public let eventLoop: any EventLoop
    public var channel: (any Channel)? { context?.channel }
    public var isOpen: Bool { !closed }

    public func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    public func handlerRemoved(context: ChannelHandlerContext) { shutDown() }

    public func channelInactive(context: ChannelHandlerContext) {
        shutDown()
        context.fireChannelInactive()
    }

    private func shutDown() {
        guard !closed else { return }
        closed = true
        inFlight?.timeout?.cancel()
        inFlight?.completion.fail(.connectionClosed)
        inFlight = nil
        for call in overlapped + waiting {
            call.timeout?.cancel()
            call.completion.fail(.connectionClosed)
        }
        overlapped.removeAll()
        waiting.removeAll()
        delegate?.rpcConnectionDidClose(self)
        context = nil
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? WebSocketEvent {
            delegate?.rpcConnection(self, didObserve: .webSocket(event))
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    // MARK: Receiving

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let receivedAt = Date()
        let bytes = buffer.readableBytesView
        let text = String(decoding: bytes, as: UTF8.self)
        let frame: RPCFrame
        do {
            frame = try RPCFrame.parse(bytes)
        } catch {
            tap(.incoming, at: receivedAt, text: text, messageType: 0, messageId: error.messageId, action: nil, latency: nil)
            delegate?.rpcConnection(self, didObserve: .malformedFrame(error))
            if let reply = error.reply(for: version) { send(reply, action: nil, latency: nil) }
            return
        }
        switch frame {
        case .call(let id, let action, let payload):
            tap(.incoming, at: receivedAt, text: text, messageType: 2, messageId: id, action: action, latency: nil)
            let call = IncomingCall(messageId: id, action: action, payload: payload, receivedAt: receivedAt, text: text)
            if let earlier = unanswered.received(call) {
                delegate?.rpcConnection(
                    self,
                    didObserve: .overlappingCall(
                        messageId: id, action: action, unansweredId: earlier.messageId, unansweredAction: earlier.action,
                        waited: receivedAt.timeIntervalSince(earlier.receivedAt)))
            }
            delegate?.rpcConnection(self, didReceive: call)
        case .callResult(let id, _), .callError(let id, _):
            guard let call = takeOutstanding(id) else {
                tap(.incoming, at: receivedAt, text: text, messageType: frame.messageTypeId, messageId: id, action: nil, latency: nil)
                delegate?.rpcConnection(self, didObserve: .unsolicitedReply(messageId: id))
                return
            }
            let latency = call.sentAt.map { receivedAt.timeIntervalSince($0) }
            tap(.incoming, at: receivedAt, text: text, messageType: frame.messageTypeId, messageId: id, action: call.action, latency: latency)
            call.timeout?.cancel()
            switch (call.completion, frame) {
            case (.frame(let promise), _): promise.succeed(RelayedReply(frame: frame, text: text))
            case (.payload(let promise), .callResult(_, let payload)): promise.succeed(payload)
            case (.payload(let promise), .callError(_, let error)): promise.fail(RPCCallError.rejected(error))
            case (.payload, .call): break
            }
            sendNextCall()
        }
    }

    // MARK: Answering the peer's CALLs

    public func reply(to call: IncomingCall, result payload: JSON) {
        unanswered.answered(call.messageId)
        send(.callResult(messageId: call.messageId, payload: payload), action: call.action, latency: Date().timeIntervalSince(call.receivedAt))
    }

    public func reply(to call: IncomingCall, error: RPCError) {
        unanswered.answered(call.messageId)
        send(.callError(messageId: call.messageId, error: error), action: call.action, latency: Date().timeIntervalSince(call.receivedAt))
    }

    /// Answers with a CALLERROR whose code is spelled `code` exactly, defined by the
    /// version or not: how quirks and tests put made-up codes on the wire.
    public func reply(to call: IncomingCall, errorCode code: String, description: String) {
        unanswered.answered(call.messageId)
        let frame = JSON.array([.integer(4), .string(call.messageId), .string(code), .string(description), .object(JSONObject())])
        send(raw: Array(frame.text.utf8), messageType: 4, messageId: call.messageId, action: call.action, latency: Date().timeIntervalSince(call.receivedAt))
    }

    /// Answers with a frame's exact bytes (a relay passing the other side's answer on).
    public func reply(to call: IncomingCall, raw bytes: [UInt8], messageType: Int) {
        unanswered.answered(call.messageId)
        send(raw: bytes, messageType: messageType, messageId: call.messageId, action: call.action, latency: Date().timeIntervalSince(call.receivedAt))
    }

    /// Sends any frame as is. Also the way to send deliberately wrong frames in tests and quirks.
    public func send(_ frame: RPCFrame, action: String?, latency: TimeInterval?) {
        send(raw: frame.encoded(for: version), messageType: frame.messageTypeId, messageId: frame.messageId, action: action, latency: latency)
    }

    public func send(raw bytes: [UInt8], messageType: Int, messageId: String?, action: String?, latency: TimeInterval?) {
        guard let context, !closed else { return }
        let buffer = context.channel.allocator.buffer(bytes: bytes)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        tap(.outgoing, at: Date(), text: String(decoding: bytes, as: UTF8.self), messageType: messageType, messageId: messageId, action: action, latency: latency)
    }

    // MARK: Our CALLs

    /// Sends a CALL, or queues it behind the one in flight. The future fails with `RPCCallError`.
    public func call(action: String, payload: JSON, timeout: TimeAmount? = nil) -> EventLoopFuture<JSON> {
        guard let context, !closed else {
            return eventLoop.makeFailedFuture(RPCCallError.connectionClosed)
        }
        nextId &+= 1
        let promise = context.eventLoop.makePromise(of: JSON.self)
        enqueue(
            OutgoingCall(
                messageId: messageIdOverride ?? "\(idPrefix)-\(nextId)", action: action, payload: payload,
                completion: .payload(promise), timeoutAmount: timeout ?? callTimeout, sentAt: nil, timeout: nil))
        return promise.futureResult
    }

    /// Sends another side's CALL with its own message id and exact bytes (a relay), in
    /// turn with ours; the answer comes back as it was written, CALLERROR included.
    public func relay(messageId: String, action: String, raw: [UInt8], timeout: TimeAmount? = nil) -> EventLoopFuture<RelayedReply> {
        guard let context, !closed else { return eventLoop.makeFailedFuture(RPCCallError.connectionClosed) }
        let promise = context.eventLoop.makePromise(of: RelayedReply.self)
        enqueue(
            OutgoingCall(
                messageId: messageId, action: action, payload: .null, raw: raw, completion: .frame(promise),
                timeoutAmount: timeout ?? callTimeout, sentAt: nil, timeout: nil))
        return promise.futureResult
    }

    private func enqueue(_ call: OutgoingCall) {
        waiting.append(call)
        if inFlight == nil || sendsWithoutWaiting { sendNextCall() }
    }

    /// A typed CALL: the response is validated (leniently: deviations are repaired, not
    /// errors; the gateway records them from the reply frame) and decoded.
    public func call<A: OCPPAction>(_ action: A.Type, _ request: A.Request, timeout: TimeAmount? = nil) -> EventLoopFuture<A.Response> {
        call(action: A.name, payload: A.encode(request), timeout: timeout).flatMapThrowing { json in
            do throws(ValidationError) {
                return try A.decodeResponse(json, mode: .lenient).0
            } catch {
                throw RPCCallError.invalidResponse(error)
            }
        }
    }

    /// Removes and returns our CALL with `id` if it is still waiting for its answer.
    private func takeOutstanding(_ id: String) -> OutgoingCall? {
        if let call = inFlight, call.messageId == id {
            inFlight = nil
            return call
        }
        guard let index = overlapped.firstIndex(where: { $0.messageId == id }) else { return nil }
        return overlapped.remove(at: index)
    }

    private func sendNextCall() {
        guard inFlight == nil || sendsWithoutWaiting, let context, !waiting.isEmpty else { return }
        if let current = inFlight { overlapped.append(current) }
        var call = waiting.removeFirst()
        call.sentAt = Date()
        let messageId = call.messageId
        let action = call.action
        let seconds = Double(call.timeoutAmount.nanoseconds) / 1e9
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        call.timeout = context.eventLoop.scheduleTask(in: call.timeoutAmount) {
            let connection = bound.value
            guard let pending = connection.takeOutstanding(messageId) else { return }
            connection.delegate?.rpcConnection(connection, didObserve: .callTimedOut(action: action, messageId: messageId))
            pending.completion.fail(.timedOut(action: action, after: seconds))
            connection.sendNextCall()
        }
        inFlight = call
        if let raw = call.raw {
            send(raw: raw, messageType: 2, messageId: messageId, action: action, latency: nil)
        } else {
            send(.call(messageId: messageId, action: action, payload: call.payload), action: action, latency: nil)
        }
    }

    // MARK: Closing

    /// Closes with a WebSocket close frame.
    public func close(code: WebSocketErrorCode = .normalClosure, reason: String = "") {
        guard let context, !closed else { return }
        context.triggerUserOutboundEvent(WebSocketCloseRequest(code: code, reason: reason), promise: nil)
    }

    private func tap(
        _ direction: FrameTap.Direction, at time: Date, text: String, messageType: Int, messageId: String?, action: String?,
        latency: TimeInterval?
    ) {
        delegate?.rpcConnection(
            self,
            didObserve: .frame(
                FrameTap(
                    direction: direction, time: time, text: text, messageType: messageType, messageId: messageId,
                    action: action, latency: latency)))
    }
}
