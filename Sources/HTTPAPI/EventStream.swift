import Foundation
import Gateway
import OCPP
import OCPPWebSocket
import SessionStore

/// `GET /api/events`: the gateway's events as Server-Sent Events, with a comment line
/// every 15 s so proxies and browsers keep the stream open.
enum EventStream {
    static let keepalive: Duration = .seconds(15)

    static func response(_ gateway: Gateway) -> HTTPResponse {
        let events = gateway.events.subscribe()
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        let forward = Task {
            for await event in events { continuation.yield(encode(event)) }
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
