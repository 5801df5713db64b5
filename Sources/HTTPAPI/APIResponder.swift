import Foundation
import Gateway
import NIOHTTP1
import OCPP
import OCPPWebSocket
import SessionStore

/// The gateway's HTTP API (DESIGN.md §4): health, charge points and sessions, read
/// from the store so every gateway process sharing it answers the same.
public struct APIResponder: HTTPResponder {
    let store: any SessionStore
    let gateway: Gateway

    public init(store: any SessionStore, gateway: Gateway) {
        self.store = store
        self.gateway = gateway
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard request.method == .GET || request.method == .HEAD else {
            return .error(.methodNotAllowed, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.path)")
        }
        do {
            // /api/{collection}/{id}[/{aspect}]
            let route = segments.count >= 3 ? Array(segments.prefix(2)) + ["{id}"] + segments.dropFirst(3) : segments
            let id = segments.count >= 3 ? segments[2] : ""
            let limit = request.query["limit"].flatMap(Int.init) ?? 100
            guard (1...10_000).contains(limit) else {
                return .error(.badRequest, code: "invalid_limit", message: "limit must be between 1 and 10000")
            }
            switch route {
            case []:
                return HTTPResponse(
                    status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"],
                    body: Array("<!doctype html><title>PileGate</title><h1>PileGate gateway</h1><p>OCPP at /ocpp/{chargePointId}; JSON API at <a href=\"/api/chargepoints\">/api/chargepoints</a> and <a href=\"/api/sessions\">/api/sessions</a>.</p>".utf8))
            case ["health"]:
                return json(["status": "ok", "connectedChargePoints": .integer(Int64(gateway.connectedCount))])
            case ["api", "chargepoints"]:
                return json(.array(try await store.chargePoints().map(Self.chargePoint)))
            case ["api", "chargepoints", "{id}"]:
                guard let detail = try await store.chargePoint(id: id) else {
                    return .error(.notFound, code: "charge_point_not_found", message: "no charge point \(id)")
                }
                return json(Self.chargePoint(detail))
            case ["api", "chargepoints", "{id}", "findings"]:
                return json(encode(try await store.findings(chargePointId: id, limit: limit)))
            case ["api", "chargepoints", "{id}", "messages"]:
                return json(.array(try await store.frames(chargePointId: id, limit: limit).map(Self.frame)))
            case ["api", "compatibility"]: return json(CompatibilityRoute.body(try await store.compatibility()))
            case ["api", "sessions"]:
                let query = request.query
                var status: SessionRecord.Status?
                if let text = query["status"] {
                    guard let parsed = SessionRecord.Status(rawValue: text) else {
                        return .error(.badRequest, code: "invalid_status", message: "status must be active or completed")
                    }
                    status = parsed
                }
                let sessions = try await store.sessions(chargePointId: query["chargePoint"], status: status, limit: limit)
                return json(JSON.array(sessions.map { encode($0) }))
            case ["api", "sessions", "{id}"]:
                guard let sessionId = Int64(id) else {
                    return .error(.badRequest, code: "invalid_session_id", message: "session ids are integers, got \(id)")
                }
                guard let detail = try await store.session(id: sessionId) else {
                    return .error(.notFound, code: "session_not_found", message: "no session \(sessionId)")
                }
                var object = encode(detail.session).objectValue ?? JSONObject()
                object["samples"] = encode(detail.samples)
                object["findings"] = encode(detail.findings)
                object["timeline"] = .array(detail.timeline.map(Self.frame))
                return json(.object(object))
            default:
                return .error(.notFound, code: "not_found", message: "no route for \(request.path)")
            }
        } catch {
            return .error(.internalServerError, code: "store_error", message: "\(error)")
        }
    }

    private func json(_ value: JSON) -> HTTPResponse {
        HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: value.bytes)
    }

    private func encode<T: Encodable>(_ value: T) -> JSON {
        (try? JSONValueEncoder().encode(value)) ?? .null
    }

    static func chargePoint(_ detail: ChargePointDetail) -> JSON {
        var object = (try? JSONValueEncoder().encode(detail.chargePoint))?.objectValue ?? JSONObject()
        object["connectors"] = .array(
            detail.connectors.map { c in
                var o = JSONObject()
                o["connectorId"] = .integer(Int64(c.connectorId))
                o["status"] = .string(c.status)
                if let e = c.errorCode { o["errorCode"] = .string(e) }
                if let i = c.info { o["info"] = .string(i) }
                if let v = c.vendorErrorCode { o["vendorErrorCode"] = .string(v) }
                o["since"] = .string(OCPPTimestamp.format(c.since))
                return .object(o)
            })
        return .object(object)
    }

    /// A frame in the timeline: the recorded text is embedded as JSON when it parses.
    static func frame(_ f: FrameRecord) -> JSON {
        var o = JSONObject()
        o["time"] = .string(OCPPTimestamp.format(f.time))
        o["direction"] = .string(f.direction.rawValue)
        o["messageType"] = .integer(Int64(f.messageType))
        if let id = f.messageId { o["messageId"] = .string(id) }
        if let action = f.action { o["action"] = .string(action) }
        o["frame"] = (try? JSONParser.parse(f.text)) ?? .string(f.text)
        if let latency = f.latencyMs { o["latencyMs"] = .number(latency) }
        return .object(o)
    }
}
