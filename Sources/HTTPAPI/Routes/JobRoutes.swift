import Foundation
import Gateway
import NIOHTTP1
import OCPP
import OCPPWebSocket
import SessionStore

/// Firmware updates, diagnostics and log uploads as jobs (docs/api.md, "Firmware, uploads and jobs").
enum JobRoutes {
    /// `POST /api/chargepoints/{id}/firmware-update` `{"fileName" or "location", "retrieveDate"?, "retries"?, "retryInterval"?,
    /// "signingCertificate"? with "signature"?}`: signed firmware goes as SignedUpdateFirmware (1.6) or signed UpdateFirmware (2.0.1).
    static func firmwareUpdate(_ request: HTTPRequest, chargePointId: String, gateway: Gateway) async throws -> HTTPResponse {
        let body = try optionalObject(request, allowing: ["fileName", "location", "retrieveDate", "retries", "retryInterval", "signingCertificate", "signature"])
        let fileName = try string(body, "fileName")
        let location = try string(body, "location")
        let retrieve = try date(body, "retrieveDate")
        let parameters = try retryParameters(body)
        var signing: Gateway.FirmwareSigning?
        switch (try string(body, "signingCertificate"), try string(body, "signature")) {
        case (nil, nil): signing = nil
        case (let certificate?, let signature?): signing = .init(certificate: certificate, signature: signature)
        default: throw APIError(.badRequest, "invalid_request", "signed firmware needs both \"signingCertificate\" (PEM) and \"signature\" (base64)")
        }
        return try await answer {
            try await gateway.startFirmwareUpdate(
                chargePointId, fileName: fileName, location: location, retrieveDate: retrieve, signing: signing, parameters: parameters,
                issuedBy: request.issuedBy)
        }
    }

    /// `POST /api/chargepoints/{id}/diagnostics` `{"startTime"?, "stopTime"?, "retries"?, "retryInterval"?}`.
    static func diagnostics(_ request: HTTPRequest, chargePointId: String, gateway: Gateway) async throws -> HTTPResponse {
        let body = try optionalObject(request, allowing: ["startTime", "stopTime", "retries", "retryInterval"])
        let start = try date(body, "startTime")
        let stop = try date(body, "stopTime")
        let parameters = try retryParameters(body)
        return try await answer {
            try await gateway.startDiagnostics(chargePointId, startTime: start, stopTime: stop, parameters: parameters, issuedBy: request.issuedBy)
        }
    }

    /// `POST /api/chargepoints/{id}/logs` `{"logType", "oldestTimestamp"?, "latestTimestamp"?, "retries"?, "retryInterval"?}`.
    static func logs(_ request: HTTPRequest, chargePointId: String, gateway: Gateway) async throws -> HTTPResponse {
        let body = try optionalObject(request, allowing: ["logType", "oldestTimestamp", "latestTimestamp", "retries", "retryInterval"])
        guard let logType = try string(body, "logType") else {
            throw APIError(.badRequest, "invalid_request", "the body needs \"logType\": DiagnosticsLog or SecurityLog")
        }
        let oldest = try date(body, "oldestTimestamp")
        let latest = try date(body, "latestTimestamp")
        let parameters = try retryParameters(body)
        return try await answer {
            try await gateway.startLog(chargePointId, logType: logType, oldest: oldest, latest: latest, parameters: parameters, issuedBy: request.issuedBy)
        }
    }

    /// `GET /api/chargepoints/{id}/jobs?kind=&limit=`.
    static func list(_ request: HTTPRequest, chargePointId: String, store: any SessionStore) async throws -> HTTPResponse {
        let kind = try request.choice("kind", JobRecord.Kind.self)
        let limit = try request.integer("limit", in: 1...1_000, default: 100)
        return .json(.array(try await store.jobs(chargePointId: chargePointId, kind: kind, limit: limit).map(view)))
    }

    /// `GET /api/jobs/{id}`.
    static func job(_ id: String, gateway: Gateway) async throws -> HTTPResponse {
        guard let number = Int64(id), number > 0 else { throw APIError(.badRequest, "invalid_job_id", "job ids are positive integers, got \(id.prefix(40))") }
        return try await answer(status: .ok) { try await gateway.storedJob(number) }
    }

    /// A job as the API shows it: the request as JSON, each upload with its download path.
    static func view(_ job: JobRecord) -> JSON {
        var object = encodeJSON(job).objectValue ?? JSONObject()
        object["request"] = (try? JSONParser.parse(job.request)) ?? .string(job.request)
        object["uploads"] = .array(job.uploads.map(FileRoutes.uploadView))
        return .object(object)
    }

    private static func answer(status: HTTPResponseStatus = .created, _ body: () async throws -> JobRecord) async throws -> HTTPResponse {
        do {
            return .json(view(try await body()), status: status)
        } catch let error as JobFailure {
            throw apiError(error)
        }
    }

    static func apiError(_ error: JobFailure) -> APIError {
        switch error {
        case .invalid(let why): APIError(.badRequest, "invalid_request", why)
        case .firmwareNotFound: APIError(.notFound, "firmware_not_found", error.description)
        case .notFound: APIError(.notFound, "job_not_found", error.description)
        case .command(let failure): APIError(failure)
        case .storeUnavailable: APIError(.serviceUnavailable, "store_unavailable", error.description)
        }
    }

    /// The body as a JSON object of `allowed` fields only (a misspelt field is an error,
    /// not a default); no body is `{}`.
    private static func optionalObject(_ request: HTTPRequest, allowing allowed: [String]) throws -> JSONObject {
        if request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return JSONObject() }
        let object = try request.jsonObject()
        if let unknown = object.keys.first(where: { !allowed.contains($0) }) {
            throw APIError(.badRequest, "invalid_request", "unknown field \"\(unknown.prefix(60))\"; the body takes \(allowed.joined(separator: ", "))")
        }
        return object
    }

    private static func string(_ body: JSONObject, _ key: String) throws -> String? {
        guard let value = body[key], value != .null else { return nil }
        guard let text = value.stringValue, !text.isEmpty else { throw APIError(.badRequest, "invalid_request", "\(key) must be a non-empty string") }
        return text
    }

    private static func date(_ body: JSONObject, _ key: String) throws -> Date? {
        guard let text = try string(body, key) else { return nil }
        guard let date = OCPPTimestamp.parse(text)?.date, abs(date.timeIntervalSinceNow) < 10 * 366 * 86_400 else {
            throw APIError(.badRequest, "invalid_request", "\(key) must be an RFC 3339 time within ten years of now, e.g. 2026-01-01T12:00:00Z")
        }
        return date
    }

    private static func retryParameters(_ body: JSONObject) throws -> JobParameters {
        func integer(_ key: String) throws -> Int? {
            guard let value = body[key], value != .null else { return nil }
            guard let number = value.intValue, let small = Int(exactly: number) else {
                throw APIError(.badRequest, "invalid_request", "\(key) must be a whole number")
            }
            return small
        }
        let retries = try integer("retries")
        let retryInterval = try integer("retryInterval")
        do throws(JobFailure) {
            return try JobParameters(retries: retries, retryInterval: retryInterval)
        } catch {
            throw apiError(error)
        }
    }
}

extension APIRoute {
    public static let firmwareUpdate = APIRoute(
        .POST, "/api/chargepoints/{id}/firmware-update", "firmwareUpdate",
        """
        UpdateFirmware (1.6; 2.0.1 with firmware.location/retrieveDateTime and the job id as requestId) with the gateway's URL of \
        stored firmware `fileName`, or `location`; with signingCertificate and signature, SignedUpdateFirmware (1.6 security \
        extension) or a signed UpdateFirmware (2.0.1); a job records it. 201 with the job; a pile offline, slow or answering CALLERROR \
        gets the command statuses (the job says failed).
        """,
        access: .write, parameters: [.chargePointId], body: .json("FirmwareUpdateRequest", required: false), replies: jobReplies
    ) { call in try await JobRoutes.firmwareUpdate(call.request, chargePointId: call["id"], gateway: call.gateway) }

    public static let diagnostics = APIRoute(
        .POST, "/api/chargepoints/{id}/diagnostics", "diagnostics",
        "GetDiagnostics (1.6) or GetLog of DiagnosticsLog (2.0.1) with the gateway's upload location for the job. 201 with the job.",
        access: .write, parameters: [.chargePointId], body: .json("DiagnosticsRequest", required: false), replies: jobReplies
    ) { call in try await JobRoutes.diagnostics(call.request, chargePointId: call["id"], gateway: call.gateway) }

    public static let logs = APIRoute(
        .POST, "/api/chargepoints/{id}/logs", "logs",
        "GetLog (1.6 security extension, 2.0.1) of logType with the gateway's upload location; the job id is the requestId. 201 with the job.",
        access: .write, parameters: [.chargePointId], body: .json("LogRequest"), replies: jobReplies
    ) { call in try await JobRoutes.logs(call.request, chargePointId: call["id"], gateway: call.gateway) }

    static let chargePointJobs = APIRoute(
        .GET, "/api/chargepoints/{id}/jobs", "chargePointJobs", "The pile's firmware, diagnostics and log jobs, newest first.", access: .read,
        parameters: [.chargePointId, .words("kind", JobRecord.Kind.self, "Only jobs of this kind."), .limit(1...1_000)],
        replies: [.ok("Jobs", .list("Job"))] + Reply.fails(400)
    ) { call in try await JobRoutes.list(call.request, chargePointId: call["id"], store: call.store) }

    public static let job = APIRoute(
        .GET, "/api/jobs/{id}", "job", "One firmware, diagnostics or log job with its status history and uploads.", access: .read,
        parameters: [.jobId], replies: [.ok("The job", .one("Job"))] + Reply.fails(400, 404)
    ) { call in try await JobRoutes.job(call["id"], gateway: call.gateway) }

    private static let jobReplies = [Reply.ok("The job", .one("Job"), status: 201)] + Reply.commandFailures

    static let jobs: [APIRoute] = [firmwareUpdate, diagnostics, logs, chargePointJobs, job]
}
