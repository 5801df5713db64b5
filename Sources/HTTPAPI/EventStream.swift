import Foundation
import Gateway
import Logging
import OCPP
import OCPPWebSocket
import SessionStore

/// `GET /api/events`: the gateway's events as Server-Sent Events, with a comment line
/// every 15 s so proxies and browsers keep the stream open.
enum EventStream {
    static let keepalive: Duration = .seconds(15)
    /// Encoded events waiting for the writer. A stream that would drop one ends instead:
    /// a reader never misses events silently (the transport also ends streams whose
    /// reader leaves too much unread).
    static let backlog = 1000
    private static let logger = Logger(label: "pilegate.api")

    static func response(_ gateway: Gateway) -> HTTPResponse {
        let events = gateway.events.subscribe()
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(backlog))
        let forward = Task {
            for await event in events {
                if case .dropped = continuation.yield(encode(event)) {
                    logger.warning("ending an event stream: its reader is \(backlog) events behind")
                    break
                }
            }
            continuation.finish()
        }
        let ping = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: keepalive)
                continuation.yield(Array(": keepalive\n\n".utf8))
            }
        }
        continuation.onTermination = { _ in
            forward.cancel()
            ping.cancel()
        }
        return HTTPResponse(
            status: .ok, headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache"],
            body: Array("retry: 3000\n: connected\n\n".utf8), stream: stream)
    }

    static func encode(_ event: GatewayEvent) -> [UInt8] {
        let (name, data): (String, JSON)
        switch event {
        case .status(let s):
            var o = JSONObject()
            o["chargePointId"] = .string(s.chargePointId)
            o["connectorId"] = .integer(Int64(s.connectorId))
            o["status"] = .string(s.status)
            o["errorCode"] = s.errorCode.map(JSON.string) ?? .null
            o["time"] = .string(OCPPTimestamp.format(s.since))
            (name, data) = ("status", .object(o))
        case .connection(let id, let connected, let at):
            (name, data) = ("connection", ["chargePointId": .string(id), "connected": .bool(connected), "time": .string(OCPPTimestamp.format(at))])
        case .session(let record, let live):
            (name, data) = ("session", SessionViews.view(record, live: live))
        case .finding(let finding):
            (name, data) = ("finding", encodeJSON(finding))
        }
        return Array("event: \(name)\ndata: ".utf8) + data.bytes + Array("\n\n".utf8)
    }
}
