import Foundation
import OCPP
import SessionStore

/// Why a firmware, diagnostics or log job could not be started or found.
public enum JobFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(String)
    case firmwareNotFound(String)
    case notFound(Int64)
    case command(CommandFailure)
    case storeUnavailable(String)

    public var description: String {
        switch self {
        case .invalid(let why): why
        case .firmwareNotFound(let name): "no firmware \(name): upload it first (POST /api/firmware?name=\(name))"
        case .notFound(let id): "no job \(id)"
        case .command(let failure): failure.description
        case .storeUnavailable(let why): "the store could not be used: \(why)"
        }
    }
}

/// What an operator asks for in a job, checked.
public struct JobParameters: Sendable {
    public var retries: Int?
    public var retryInterval: Int?

    public init(retries: Int? = nil, retryInterval: Int? = nil) throws(JobFailure) {
        if let retries, !(0...100).contains(retries) { throw .invalid("retries must be a whole number from 0 to 100") }
        if let retryInterval, !(0...86_400).contains(retryInterval) { throw .invalid("retryInterval must be a whole number of seconds from 0 to 86400") }
        self.retries = retries
        self.retryInterval = retryInterval
    }

    func add(to object: inout JSONObject) {
        if let retries { object["retries"] = .integer(Int64(retries)) }
        if let retryInterval { object["retryInterval"] = .integer(Int64(retryInterval)) }
    }
}

/// Firmware updates, diagnostics and log uploads as jobs: a record per request, the
/// command sent through `command` (so it is in the pile's history) with the gateway's own
/// URLs, and a status history the pile's notifications and uploads feed (the store links
/// a notification to its job: by requestId, else the pile's newest open job of its kind).
extension Gateway {
    /// UpdateFirmware for stored firmware `fileName` (served by this gateway, or the URL it
    /// was registered with) or for `location`, to be fetched from `retrieveDate` (default now).
    public func startFirmwareUpdate(
        _ chargePointId: String, fileName: String?, location: String?, retrieveDate: Date?, signing: FirmwareSigning? = nil,
        parameters: JobParameters, issuedBy: String, now: Date = Date()
    ) async throws(JobFailure) -> JobRecord {
        let url: String
        switch (fileName, location) {
        case (let name?, nil):
            let stored: StoredFileRecord?
            do {
                stored = try await storedFirmware(name)
            } catch {
                throw .storeUnavailable(error.description)
            }
            guard let stored else { throw .firmwareNotFound(name) }
            url = stored.location ?? firmwareURL(name)
        case (nil, let given?):
            guard Self.isFileLocation(given) else { throw .invalid("location must be an http://, https:// or ftp:// URL of at most 512 characters") }
            url = given
        default:
            throw .invalid("give either \"fileName\" (firmware uploaded to POST /api/firmware) or \"location\" (a URL), not both")
        }
        let retrieve = retrieveDate ?? now
        let version = await commandVersion(chargePointId)
        // Signed firmware is the 1.6 security extension's own action; 2.0.1 signs within UpdateFirmware.
        let action = version == .v16 && signing != nil ? "SignedUpdateFirmware" : "UpdateFirmware"
        return try await runJob(chargePointId, kind: .firmware, action: action, version: version, issuedBy: issuedBy, now: now) { id in
            var object = JSONObject()
            if version == .v16 && signing == nil {
                object["location"] = .string(url)
                object["retrieveDate"] = .string(OCPPTimestamp.format(retrieve))
            } else {
                var firmware = JSONObject([("location", .string(url)), ("retrieveDateTime", .string(OCPPTimestamp.format(retrieve)))])
                if let signing {
                    firmware["signingCertificate"] = .string(signing.certificate)
                    firmware["signature"] = .string(signing.signature)
                }
                object["requestId"] = .integer(id)
                object["firmware"] = .object(firmware)
            }
            parameters.add(to: &object)
            return .object(object)
        }
    }

    /// The vendor's signature of a firmware file and the certificate it was signed with (PEM),
    /// which the pile checks before installing (1.6 security extension, 2.0.1 L01).
    public struct FirmwareSigning: Sendable {
        public let certificate: String
        public let signature: String

        public init(certificate: String, signature: String) {
            self.certificate = certificate
            self.signature = signature
        }
    }

    /// GetDiagnostics (1.6) or GetLog of DiagnosticsLog (2.0.1), uploading to this gateway.
    public func startDiagnostics(
        _ chargePointId: String, startTime: Date?, stopTime: Date?, parameters: JobParameters, issuedBy: String, now: Date = Date()
    ) async throws(JobFailure) -> JobRecord {
        if let startTime, let stopTime, startTime > stopTime { throw .invalid("startTime must not be after stopTime") }
        let version = await commandVersion(chargePointId)
        if version == .v201 {
            return try await startLog(chargePointId, logType: "DiagnosticsLog", oldest: startTime, latest: stopTime, parameters: parameters, kind: .diagnostics,
                issuedBy: issuedBy, now: now)
        }
        return try await runJob(chargePointId, kind: .diagnostics, action: "GetDiagnostics", version: version, issuedBy: issuedBy, now: now) { id in
            var object = JSONObject()
            object["location"] = .string(uploadURL(job: id))
            if let startTime { object["startTime"] = .string(OCPPTimestamp.format(startTime)) }
            if let stopTime { object["stopTime"] = .string(OCPPTimestamp.format(stopTime)) }
            parameters.add(to: &object)
            return .object(object)
        }
    }

    /// GetLog (1.6 security extension, 2.0.1 N01) of `logType` (DiagnosticsLog, SecurityLog).
    public func startLog(
        _ chargePointId: String, logType: String, oldest: Date?, latest: Date?, parameters: JobParameters, kind: JobRecord.Kind = .log,
        issuedBy: String, now: Date = Date()
    ) async throws(JobFailure) -> JobRecord {
        guard ["DiagnosticsLog", "SecurityLog"].contains(logType) else { throw .invalid("logType must be DiagnosticsLog or SecurityLog") }
        if let oldest, let latest, oldest > latest { throw .invalid("oldestTimestamp must not be after latestTimestamp") }
        let version = await commandVersion(chargePointId)
        return try await runJob(chargePointId, kind: kind, action: "GetLog", version: version, issuedBy: issuedBy, now: now) { id in
            var log = JSONObject()
            log["remoteLocation"] = .string(uploadURL(job: id))
            if let oldest { log["oldestTimestamp"] = .string(OCPPTimestamp.format(oldest)) }
            if let latest { log["latestTimestamp"] = .string(OCPPTimestamp.format(latest)) }
            var object = JSONObject()
            object["log"] = .object(log)
            object["logType"] = .string(logType)
            object["requestId"] = .integer(id)
            parameters.add(to: &object)
            return .object(object)
        }
    }

    /// Records the job, sends its command (the payload built with the job's id) and keeps the answer.
    private func runJob(
        _ chargePointId: String, kind: JobRecord.Kind, action: String, version: OCPPVersion, issuedBy: String, now: Date,
        payload: (Int64) -> JSON
    ) async throws(JobFailure) -> JobRecord {
        let job = JobRecord(
            chargePointId: chargePointId, kind: kind, ocppVersion: version.label, action: action, request: "{}", createdAt: now,
            history: [.init(time: now, source: .gateway, status: "Requested", detail: "\(action) by \(issuedBy)")])
        let id: Int64
        do {
            guard case .jobSaved(let saved) = try await store.write(.createJob(job)) else { throw JobFailure.storeUnavailable("no id") }
            id = saved
        } catch {
            throw .storeUnavailable("\(error)")
        }
        let request = payload(id)
        let status: JobRecord.Status
        var answer: String?
        var fileName: String?
        var failure: CommandFailure?
        do throws(CommandFailure) {
            let response = try await command(chargePointId, action: action, payload: request, issuedBy: issuedBy)
            fileName = (response["fileName"] ?? response["filename"])?.stringValue
            let word = response["status"]?.stringValue
            answer = word ?? fileName
            // 1.6 UpdateFirmware answers nothing; GetDiagnostics a file name or nothing.
            status = word == nil || word == "Accepted" || word == "AcceptedCanceled" ? .accepted : .refused
        } catch {
            failure = error
            status = .failed
            answer = error.code
        }
        let detail = [answer.map { "answer \($0)" }, fileName.map { "file \($0)" }].compactMap { $0 }.joined(separator: ", ")
        let event = JobRecord.Event(time: Date(), source: .gateway, status: status == .accepted ? "Accepted" : (status == .refused ? "Refused" : "Failed"),
            detail: detail.isEmpty ? nil : detail)
        do {
            _ = try await store.write(.jobAnswered(jobId: id, request: request.text, status: status, answer: answer, fileName: fileName, event: event))
        } catch {
            throw .storeUnavailable("\(error)")
        }
        if let failure { throw .command(failure) }
        return try await storedJob(id)
    }

    public func storedJob(_ id: Int64) async throws(JobFailure) -> JobRecord {
        let found: JobRecord?
        do {
            found = try await store.job(id: id)
        } catch {
            throw .storeUnavailable("\(error)")
        }
        guard let found else { throw .notFound(id) }
        return found
    }
}
