import NIOCore
import NIOWebSocket
import OCPP

/// A thread-safe handle on an `RPCConnection`, for code outside its event loop:
/// `try await peer.call(V16.Reset.self, .init(type: .Soft))`.
public struct RPCPeer: Sendable {
    private let connection: NIOLoopBound<RPCConnection>
    public let identity: String
    public let version: OCPPVersion

    public init(_ connection: RPCConnection) {
        self.connection = NIOLoopBound(connection, eventLoop: connection.eventLoop)
        identity = connection.identity
        version = connection.version
    }

    public var eventLoop: any EventLoop { connection.eventLoop }

    /// Sends a typed CALL and waits for its typed result. Throws `RPCCallError`.
    public func call<A: OCPPAction>(_ action: A.Type, _ request: A.Request, timeout: TimeAmount? = nil) async throws -> A.Response {
        let connection = connection
        return try await eventLoop.flatSubmit { connection.value.call(action, request, timeout: timeout) }.get()
    }

    /// Sends an untyped CALL (for actions of other profiles, or deliberately odd payloads).
    public func call(action: String, payload: JSON, timeout: TimeAmount? = nil) async throws -> JSON {
        let connection = connection
        return try await eventLoop.flatSubmit { connection.value.call(action: action, payload: payload, timeout: timeout) }.get()
    }

    /// The future-returning form, cheap from the connection's own event loop (load drivers, simulators).
    public func callFuture(action: String, payload: JSON, timeout: TimeAmount? = nil) -> EventLoopFuture<JSON> {
        let connection = connection
        if eventLoop.inEventLoop { return connection.value.call(action: action, payload: payload, timeout: timeout) }
        return eventLoop.flatSubmit { connection.value.call(action: action, payload: payload, timeout: timeout) }
    }

    /// Sends raw text as one WebSocket message, bypassing all encoding (tests, quirks).
    public func sendRaw(_ text: String) {
        let connection = connection
        eventLoop.execute {
            connection.value.send(raw: Array(text.utf8), messageType: 0, messageId: nil, action: nil, latency: nil)
        }
    }

    public func close(code: WebSocketErrorCode = .normalClosure, reason: String = "") {
        let connection = connection
        eventLoop.execute { connection.value.close(code: code, reason: reason) }
    }

    /// Completes when the socket has closed.
    public var closeFuture: EventLoopFuture<Void> {
        let connection = connection
        return eventLoop.submit { connection.value.channel?.closeFuture }.flatMap { $0 ?? connection.eventLoop.makeSucceededVoidFuture() }
    }
}
