import Foundation
import Gateway
import HTTPAPI
import OCPP
import OCPPWebSocket
import SessionStore

/// A session as the lab reads it, from the store or from the HTTP API (whose session
/// object has more states than the store's).
public struct LabSession: Sendable, Codable, Equatable {
    public var id: Int64
    public var chargePointId: String
    public var connectorId: Int
    public var idTag: String?
    public var status: String
    public var startTime: Date?
    public var energyWh: Int64?
    public var stopReason: String?
    public var costFen: Int64?
    /// The version the pile spoke, as the gateway recorded it (`1.6`, `2.0.1`).
    public var ocppVersion: String?
    public var reservationId: Int?
    /// When the pile ended the transaction, on its clock.
    public var stopTime: Date? = nil
}

/// One recorded frame.
public struct LabFrame: Sendable, Codable, Equatable {
    public var time: Date
    /// `in` (pile → gateway) or `out`.
    public var direction: String
    public var messageType: Int
    public var messageId: String?
    public var action: String?
    public var text: String
}

public struct LabSample: Sendable, Codable, Equatable {
    public var time: Date
    public var measurand: String
    public var value: Double
}

/// A finding as the lab reports it: enough to act on without opening the gateway.
public struct LabFinding: Sendable, Codable, Equatable {
    public var rule: String
    public var severity: String
    public var detail: String
    public var messageId: String?
    public var sessionId: Int64?
    public var time: Date
    /// The gateway API path of the offending message's frames (absolute for a remote gateway).
    public var evidence: String?
    /// The offending message's frames (its CALL and the answer), when the lab read them.
    public var frames: [LabFrame]?
}

/// What the gateway recorded about one session.
public struct LabSessionDetail: Sendable {
    public var session: LabSession
    public var samples: [LabSample]
    public var findings: [String]
    public var timeline: [LabFrame]
}

/// The gateway a run talks to: piles connect to `ocppEndpoint`; the lab reads what it
/// recorded and sends it the driver's and operator's commands.
protocol GatewayView: Sendable {
    var ocppEndpoint: String { get }
    /// Base of the HTTP API, e.g. http://127.0.0.1:8180.
    var apiBase: String { get }
    var embedded: Bool { get }
    /// Everything the gateway received so far is readable afterwards.
    func settle() async throws
    func frames(chargePointId: String) async throws -> [LabFrame]
    func sessions(chargePointId: String) async throws -> [LabSession]
    func session(id: Int64) async throws -> LabSessionDetail?
    /// A pile's findings, oldest first, without their frames.
    func findings(chargePointId: String) async throws -> [LabFinding]
    /// The frames of one message of a pile: a finding's evidence.
    func frames(chargePointId: String, messageId: String) async throws -> [LabFrame]
    /// RemoteStopTransaction through the gateway: the pile's answer, or an error code.
    func remoteStop(chargePointId: String, sessionId: Int64) async throws -> String
    /// POST /api/scan.
    func scan(qr: String, account: String) async throws -> (status: Int, body: JSON)
    /// GET /api/sessions/{id} costFen.
    func costFen(sessionId: Int64) async throws -> Int64?
    var http: GatewayHTTP { get }
}

extension GatewayView {
    /// POST /api/chargepoints/{id}/commands/{action}: the HTTP status and the pile's answer (or the error).
    func command(chargePointId: String, action: String, payload: JSON) async throws -> (status: Int, body: JSON) {
        let answer = try await http.post(APIRoute.sendCommand.path(chargePointId, action), payload)
        if answer.status == 401 { throw GatewayHTTP.Failure(description: GatewayHTTP.tokenRefused) }
        return answer
    }

    /// POST /api/scan.
    func scan(qr: String, account: String) async throws -> (status: Int, body: JSON) {
        let answer = try await http.post(APIRoute.scan.path(), ["qr": .string(qr), "account": .string(account)])
        if answer.status == 401 { throw GatewayHTTP.Failure(description: GatewayHTTP.tokenRefused) }
        return answer
    }

    /// The session's costFen as the gateway's API reads it.
    func costFen(sessionId: Int64) async throws -> Int64? {
        try await http.get(APIRoute.getSession.path(String(sessionId))).body["costFen"]?.intValue
    }
}

extension LabSession {
    init(_ record: SessionRecord) {
        self.init(
            id: record.id, chargePointId: record.chargePointId, connectorId: record.connectorId, idTag: record.idTag,
            status: record.status.rawValue, startTime: record.startTime, energyWh: record.energyWh, stopReason: record.stopReason,
            costFen: record.costFen, ocppVersion: record.ocppVersion, reservationId: record.reservationId, stopTime: record.stopTime)
    }
}

extension LabFinding {
    /// `apiBase` makes the evidence path absolute (nil: the embedded gateway, relative).
    init(_ record: FindingRecord, apiBase: String?) {
        self.init(
            rule: record.rule, severity: record.severity, detail: record.detail, messageId: record.messageId, sessionId: record.sessionId,
            time: record.time, evidence: record.messageId.map { (apiBase ?? "") + FindingViews.evidencePath(record.chargePointId, messageId: $0) },
            frames: nil)
    }
}

extension LabFrame {
    init(_ record: FrameRecord) {
        self.init(
            time: record.time, direction: record.direction.rawValue, messageType: record.messageType, messageId: record.messageId,
            action: record.action, text: record.text)
    }
}

/// The lab's own gateway, in this process: reads go straight to its store.
struct EmbeddedGatewayView: GatewayView {
    let running: RunningGateway
    let http: GatewayHTTP

    init(running: RunningGateway, token: String?) {
        self.running = running
        http = GatewayHTTP(base: "http://127.0.0.1:\(running.port)", token: token)
    }

    var ocppEndpoint: String { "ws://127.0.0.1:\(running.port)/ocpp" }
    var apiBase: String { http.base }
    var embedded: Bool { true }

    func settle() async throws { try await running.store.flush() }

    func frames(chargePointId: String) async throws -> [LabFrame] {
        try await running.store.frames(chargePointId: chargePointId, limit: 100_000).map(LabFrame.init)
    }

    func sessions(chargePointId: String) async throws -> [LabSession] {
        try await running.store.sessions(chargePointId: chargePointId, status: nil, limit: 10_000).map(LabSession.init).sorted { $0.id < $1.id }
    }

    func session(id: Int64) async throws -> LabSessionDetail? {
        guard let detail = try await running.store.session(id: id) else { return nil }
        return LabSessionDetail(
            session: LabSession(detail.session), samples: detail.samples.map { LabSample(time: $0.time, measurand: $0.measurand, value: $0.value) },
            findings: detail.findings.map(\.rule), timeline: detail.timeline.map(LabFrame.init))
    }

    func findings(chargePointId: String) async throws -> [LabFinding] {
        try await running.store.findings(chargePointId: chargePointId, limit: 10_000).reversed().map { LabFinding($0, apiBase: nil) }
    }

    func frames(chargePointId: String, messageId: String) async throws -> [LabFrame] {
        try await running.store.frames(chargePointId: chargePointId, messageId: messageId).map(LabFrame.init)
    }

    func remoteStop(chargePointId: String, sessionId: Int64) async throws -> String {
        // Failures in the words of the HTTP API (docs/api.md), so scenarios read the same either way.
        guard let session = try await running.store.session(id: sessionId)?.session else { return "session_not_found" }
        do {
            // RemoteStopTransaction or RequestStopTransaction, as the pile speaks.
            return try await running.gateway.requestStop(session) == "Accepted" ? "Accepted" : "pile_rejected"
        } catch let error as RPCCallError {
            switch error {
            case .timedOut: return "pile_timeout"
            case .notConnected, .connectionClosed: return "pile_offline"
            case .rejected, .invalidResponse: return "pile_rejected"
            }
        }
    }
}

/// A gateway elsewhere (`--gateway URL`): everything goes through its HTTP API.
struct RemoteGatewayView: GatewayView {
    let http: GatewayHTTP

    var ocppEndpoint: String {
        let rest = http.base.replacingOccurrences(of: "https://", with: "wss://").replacingOccurrences(of: "http://", with: "ws://")
        return rest + "/ocpp"
    }
    var apiBase: String { http.base }
    var embedded: Bool { false }

    func settle() async throws {
        // The API reads committed data; give the last group commit a moment.
        try await Task.sleep(for: .milliseconds(200))
    }

    func frames(chargePointId: String) async throws -> [LabFrame] {
        let (status, body) = try await http.get(APIRoute.chargePointMessages.path(chargePointId) + "?limit=10000")
        guard status == 200 else { return [] }
        return (body.arrayValue ?? []).compactMap(Self.frame)
    }

    func sessions(chargePointId: String) async throws -> [LabSession] {
        let (status, body) = try await http.get(APIRoute.listSessions.path() + "?chargePoint=\(GatewayHTTP.segment(chargePointId))&limit=10000")
        guard status == 200 else { throw GatewayHTTP.Failure(description: "GET /api/sessions answered \(status)") }
        return (body.arrayValue ?? []).compactMap(Self.session).sorted { $0.id < $1.id }
    }

    func session(id: Int64) async throws -> LabSessionDetail? {
        let (status, body) = try await http.get(APIRoute.getSession.path(String(id)))
        guard status == 200, let session = Self.session(body) else { return nil }
        let samples = (body["samples"]?.arrayValue ?? []).compactMap { s -> LabSample? in
            guard let time = s["time"]?.stringValue.flatMap(OCPPTimestamp.parse)?.date, let measurand = s["measurand"]?.stringValue,
                let value = s["value"]?.doubleValue
            else { return nil }
            return LabSample(time: time, measurand: measurand, value: value)
        }
        let findings = (body["findings"]?.arrayValue ?? []).compactMap { $0["rule"]?.stringValue }
        let timeline = (body["timeline"]?.arrayValue ?? []).compactMap(Self.frame)
        return LabSessionDetail(session: session, samples: samples, findings: findings, timeline: timeline)
    }

    func findings(chargePointId: String) async throws -> [LabFinding] {
        let (status, body) = try await http.get(APIRoute.chargePointFindings.path(chargePointId) + "?limit=10000")
        guard status == 200 else { return [] }
        return (body.arrayValue ?? []).reversed().compactMap { item in
            guard let rule = item["rule"]?.stringValue else { return nil }
            return LabFinding(
                rule: rule, severity: item["severity"]?.stringValue ?? "", detail: item["detail"]?.stringValue ?? "",
                messageId: item["messageId"]?.stringValue, sessionId: item["sessionId"]?.intValue,
                time: item["time"]?.stringValue.flatMap { OCPPTimestamp.parse($0)?.date } ?? .distantPast,
                evidence: item["evidence"]?.stringValue.map { apiBase + $0 }, frames: nil)
        }
    }

    func frames(chargePointId: String, messageId: String) async throws -> [LabFrame] {
        let (status, body) = try await http.get(FindingViews.evidencePath(chargePointId, messageId: messageId))
        guard status == 200 else { return [] }
        return (body.arrayValue ?? []).compactMap(Self.frame)
    }

    func remoteStop(chargePointId: String, sessionId: Int64) async throws -> String {
        let (status, body) = try await http.post(APIRoute.stopSession.path(String(sessionId)), [:])
        if status == 401 { throw GatewayHTTP.Failure(description: GatewayHTTP.tokenRefused) }
        return status == 202 ? (body["status"]?.stringValue ?? "Accepted") : (body.errorCode ?? "HTTP \(status)")
    }

    static func session(_ json: JSON) -> LabSession? {
        guard let id = json["id"]?.intValue, let pile = json["chargePointId"]?.stringValue else { return nil }
        return LabSession(
            id: id, chargePointId: pile, connectorId: Int(json["connectorId"]?.intValue ?? 0), idTag: json["idTag"]?.stringValue,
            status: json["status"]?.stringValue ?? "?", startTime: json["startTime"]?.stringValue.flatMap(OCPPTimestamp.parse)?.date,
            energyWh: json["energyWh"]?.intValue, stopReason: json["stopReason"]?.stringValue, costFen: json["costFen"]?.intValue,
            ocppVersion: json["ocppVersion"]?.stringValue, reservationId: json["reservationId"]?.intValue.map { Int(clamping: $0) },
            stopTime: json["stopTime"]?.stringValue.flatMap(OCPPTimestamp.parse)?.date)
    }

    static func frame(_ json: JSON) -> LabFrame? {
        guard let time = json["time"]?.stringValue.flatMap(OCPPTimestamp.parse)?.date else { return nil }
        let frame = json["frame"]
        return LabFrame(
            time: time, direction: json["direction"]?.stringValue ?? "?", messageType: Int(json["messageType"]?.intValue ?? 0),
            messageId: json["messageId"]?.stringValue, action: json["action"]?.stringValue,
            text: frame?.stringValue ?? frame?.text ?? "")
    }
}
