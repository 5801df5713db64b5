import Foundation
import OCPP
import PileSecurity
import SessionStore

/// Why a file could not be kept or found.
public enum FileFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidName(String)
    case invalidRequest(String)
    case tooLarge(limit: Int)
    case empty
    case exists(String)
    case notFound(String)
    case jobNotFound(Int64)
    /// The job does not take uploads (a firmware job, or one that was refused or failed to start).
    case jobNotUploading(Int64, String)
    case tooManyUploads(Int64, limit: Int)
    case storage(String)

    public var code: String {
        switch self {
        case .invalidName: "invalid_file_name"
        case .invalidRequest: "invalid_request"
        case .tooLarge: "file_too_large"
        case .empty: "empty_file"
        case .exists: "firmware_exists"
        case .notFound: "file_not_found"
        case .jobNotFound: "job_not_found"
        case .jobNotUploading: "job_not_uploading"
        case .tooManyUploads: "too_many_uploads"
        case .storage: "store_unavailable"
        }
    }

    public var description: String {
        switch self {
        case .invalidName(let name):
            "\"\(name.prefix(100))\" is not a valid file name: 1–128 characters of A–Z a–z 0–9 . _ -, not starting with a dot"
        case .invalidRequest(let why): why
        case .tooLarge(let limit): "files are limited to \(limit) bytes"
        case .empty: "the file is empty"
        case .exists(let name): "firmware \(name) exists already; upload under another name"
        case .notFound(let what): "no \(what)"
        case .jobNotFound(let id): "no job \(id)"
        case .jobNotUploading(let id, let why): "job \(id) takes no upload: \(why)"
        case .tooManyUploads(let id, let limit): "job \(id) has \(limit) uploads already, the most one job keeps"
        case .storage(let why): "the file could not be kept: \(why)"
        }
    }
}

/// Files the gateway keeps (`files.directory`): firmware operators upload, served to piles
/// at `/files/firmware/{name}`, and what piles upload for diagnostics and log jobs
/// (`/files/uploads/{jobId}/`). Names are checked before they touch the disk; uploads are
/// kept under their record's id, never under a name a pile chose.
extension Gateway {
    /// The most uploads one job keeps (a pile retrying cannot fill the disk).
    public static let maxUploadsPerJob = 10

    /// Firmware names: 1–128 characters of `A–Z a–z 0–9 . _ -`, not starting with a dot
    /// (so neither `..` nor a hidden file nor a path).
    public static func isValidFileName(_ name: String) -> Bool {
        guard (1...128).contains(name.utf8.count), !name.hasPrefix(".") else { return false }
        return name.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
        }
    }

    /// A name a pile gave its upload, made safe to show: its last path component, other
    /// characters than `A–Z a–z 0–9 . _ -` as `_`, no leading dot.
    public static func sanitizedUploadName(_ name: String?, fallback: String) -> String {
        guard let given = name, let last = given.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last, !last.isEmpty else { return fallback }
        var safe = String(String.UnicodeScalarView(last.unicodeScalars.prefix(128).map { s in
            (s.isASCII && (CharacterSet.alphanumerics.contains(s) || s == "." || s == "_" || s == "-")) ? s : "_"
        }))
        while safe.hasPrefix(".") { safe = "_" + safe.dropFirst() }
        return safe.isEmpty ? fallback : safe
    }

    /// Learns the address this gateway serves at (after its socket is bound): the base of
    /// the URLs piles are given, unless `files.publicURL` names one.
    public func servesFiles(host: String, port: Int) {
        let reachable = ["0.0.0.0", "::", "[::]", ""].contains(host) ? "127.0.0.1" : (host.contains(":") ? "[\(host)]" : host)
        servedAddress.withLock { $0 = "http://\(reachable):\(port)" }
    }

    /// The base URL piles reach the gateway at, without a trailing slash.
    public var filesBaseURL: String {
        if let configured = configuration.files.publicURL {
            return configured.hasSuffix("/") ? String(configured.dropLast()) : configured
        }
        return servedAddress.withLock { $0 } ?? "http://127.0.0.1:8180"
    }

    /// Where a pile downloads stored firmware.
    public func firmwareURL(_ name: String) -> String { "\(filesBaseURL)/files/firmware/\(name)" }
    /// Where a pile uploads a job's file.
    public func uploadURL(job: Int64) -> String { "\(filesBaseURL)/files/uploads/\(job)/" }

    var firmwareDirectory: URL { URL(fileURLWithPath: fileDirectory).appendingPathComponent("firmware", isDirectory: true) }
    var uploadDirectory: URL { URL(fileURLWithPath: fileDirectory).appendingPathComponent("uploads", isDirectory: true) }

    /// Keeps `bytes` as firmware `name` (201 in the API); a name taken is refused.
    public func saveFirmware(name: String, bytes: [UInt8], contentType: String?, now: Date = Date()) async throws(FileFailure) -> StoredFileRecord {
        guard Self.isValidFileName(name) else { throw .invalidName(name) }
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= configuration.files.maxFileBytes else { throw .tooLarge(limit: configuration.files.maxFileBytes) }
        guard try await storedFirmware(name) == nil else { throw .exists(name) }
        let target = firmwareDirectory.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: firmwareDirectory, withIntermediateDirectories: true)
            try Data(bytes).write(to: target, options: .atomic)
        } catch {
            throw .storage("\(error)")
        }
        let record = StoredFileRecord(
            kind: .firmware, name: name, size: Int64(bytes.count), contentType: contentType, sha256: SHA256Hex.of(bytes), createdAt: now)
        return try await saveFile(record)
    }

    /// Registers firmware kept elsewhere: jobs naming it send piles to `location`.
    public func registerFirmware(name: String, location: String, now: Date = Date()) async throws(FileFailure) -> StoredFileRecord {
        guard Self.isValidFileName(name) else { throw .invalidName(name) }
        guard Self.isFileLocation(location) else {
            throw .invalidRequest("location must be an http://, https:// or ftp:// URL of at most 512 characters")
        }
        guard try await storedFirmware(name) == nil else { throw .exists(name) }
        return try await saveFile(StoredFileRecord(kind: .firmware, name: name, size: nil, location: location, createdAt: now))
    }

    /// A URL a pile can be sent to (1.6 `location`, 2.0.1 `location` / `remoteLocation`, ≤ 512).
    static func isFileLocation(_ text: String) -> Bool {
        guard text.utf8.count <= 512, let url = URL(string: text), let scheme = url.scheme?.lowercased(), url.host != nil else { return false }
        return ["http", "https", "ftp", "ftps", "sftp"].contains(scheme)
    }

    public func storedFirmware(_ name: String) async throws(FileFailure) -> StoredFileRecord? {
        do {
            return try await store.firmwareFile(name: name)
        } catch {
            throw .storage("\(error)")
        }
    }

    /// The bytes of stored firmware, for `/files/firmware/{name}`.
    public func firmwareBytes(_ name: String) async throws(FileFailure) -> (StoredFileRecord, [UInt8]) {
        guard Self.isValidFileName(name) else { throw .invalidName(name) }
        guard let record = try await storedFirmware(name), record.size != nil else { throw .notFound("firmware \(name) kept by this gateway") }
        guard let data = FileManager.default.contents(atPath: firmwareDirectory.appendingPathComponent(name).path) else {
            throw .notFound("firmware \(name) on disk (\(fileDirectory))")
        }
        return (record, Array(data))
    }

    /// Keeps what a pile uploaded for a diagnostics or log job.
    public func saveUpload(job jobId: Int64, name: String?, bytes: [UInt8], contentType: String?, now: Date = Date()) async throws(FileFailure)
        -> StoredFileRecord
    {
        let job: JobRecord?
        do {
            job = try await store.job(id: jobId)
        } catch {
            throw .storage("\(error)")
        }
        guard let job else { throw .jobNotFound(jobId) }
        guard job.kind != .firmware else { throw .jobNotUploading(jobId, "it is a firmware update") }
        guard job.status != .refused, !(job.status == .failed && job.pileStatus == nil) else {
            throw .jobNotUploading(jobId, "it is \(job.status.rawValue) (\(job.answer ?? "no answer"))")
        }
        guard job.uploads.count < Self.maxUploadsPerJob else { throw .tooManyUploads(jobId, limit: Self.maxUploadsPerJob) }
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= configuration.files.maxFileBytes else { throw .tooLarge(limit: configuration.files.maxFileBytes) }
        let temporary = uploadDirectory.appendingPathComponent("incoming-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: uploadDirectory, withIntermediateDirectories: true)
            try Data(bytes).write(to: temporary, options: .atomic)
        } catch {
            throw .storage("\(error)")
        }
        let record = StoredFileRecord(
            kind: .upload, name: Self.sanitizedUploadName(name ?? job.fileName, fallback: "job-\(jobId)-upload"), jobId: jobId,
            size: Int64(bytes.count), contentType: contentType, sha256: SHA256Hex.of(bytes), createdAt: now)
        let saved: StoredFileRecord
        do {
            saved = try await saveFile(record)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        do {
            try FileManager.default.moveItem(at: temporary, to: uploadDirectory.appendingPathComponent(String(saved.id)))
        } catch {
            throw .storage("\(error)")
        }
        logger.notice("upload \(saved.id) for job \(jobId): \(saved.name), \(bytes.count) bytes", metadata: ["chargePoint": "\(job.chargePointId)"])
        return saved
    }

    /// An upload's record and bytes, for `GET /api/uploads/{id}`.
    public func uploadBytes(_ id: Int64) async throws(FileFailure) -> (StoredFileRecord, [UInt8]) {
        let found: StoredFileRecord?
        do {
            found = try await store.storedFile(id: id)
        } catch {
            throw .storage("\(error)")
        }
        guard let found, found.kind == .upload else { throw .notFound("upload \(id)") }
        guard let data = FileManager.default.contents(atPath: uploadDirectory.appendingPathComponent(String(id)).path) else {
            throw .notFound("file of upload \(id) on disk (\(fileDirectory))")
        }
        return (found, Array(data))
    }

    private func saveFile(_ record: StoredFileRecord) async throws(FileFailure) -> StoredFileRecord {
        do {
            guard case .fileSaved(let id) = try await store.write(.saveFile(record)) else { throw FileFailure.storage("no id") }
            var saved = record
            saved.id = id
            return saved
        } catch {
            throw .storage("\(error)")
        }
    }
}
