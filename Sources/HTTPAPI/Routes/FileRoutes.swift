import Foundation
import Gateway
import NIOHTTP1
import OCPP
import OCPPWebSocket
import SessionStore

/// Firmware operators upload and piles download, and the files piles upload for
/// diagnostics and log jobs (docs/api.md, "Firmware, uploads and jobs").
enum FileRoutes {
    /// `POST /api/firmware?name=FILE`: the raw body is the file; with `location=URL`
    /// (and no body) the firmware is registered as kept elsewhere.
    static func postFirmware(_ request: HTTPRequest, gateway: Gateway) async throws -> HTTPResponse {
        guard let name = request.query["name"], !name.isEmpty else {
            throw APIError(.badRequest, "invalid_request", "name=FILE is required (the file name piles download it under)")
        }
        do throws(FileFailure) {
            let record: StoredFileRecord
            if let location = request.query["location"] {
                guard request.body.isEmpty else {
                    throw FileFailure.invalidRequest("give either a body (the file) or location=URL, not both")
                }
                record = try await gateway.registerFirmware(name: name, location: location)
            } else {
                record = try await gateway.saveFirmware(name: name, bytes: request.body, contentType: request.headers.first(name: "Content-Type"))
            }
            return .json(firmwareView(record, gateway: gateway), status: .created)
        } catch {
            throw apiError(error)
        }
    }

    /// `GET /api/firmware`: the firmware kept or registered, newest first.
    static func listFirmware(_ request: HTTPRequest, gateway: Gateway) async throws -> HTTPResponse {
        let limit = try request.integer("limit", in: 1...10_000, default: 100)
        let files = try await gateway.store.storedFiles(kind: .firmware, limit: limit)
        return .json(.array(files.map { firmwareView($0, gateway: gateway) }))
    }

    /// `GET /api/firmware/{name}`: one firmware's record.
    static func firmware(_ name: String, gateway: Gateway) async throws -> HTTPResponse {
        do throws(FileFailure) {
            guard Gateway.isValidFileName(name) else { throw FileFailure.invalidName(name) }
            guard let record = try await gateway.storedFirmware(name) else { throw FileFailure.notFound("firmware \(name)") }
            return .json(firmwareView(record, gateway: gateway))
        } catch {
            throw apiError(error)
        }
    }

    /// `GET /files/firmware/{name}`: the file, for piles (no token: they cannot send one).
    static func serveFirmware(_ name: String, gateway: Gateway) async throws -> HTTPResponse {
        do throws(FileFailure) {
            // Always bytes: what an uploader's client sent as its type (curl's form type) means nothing to a pile.
            let (record, bytes) = try await gateway.firmwareBytes(name)
            return HTTPResponse(
                status: .ok, headers: ["Content-Type": "application/octet-stream", "Content-Disposition": "attachment; filename=\"\(record.name)\""],
                body: bytes)
        } catch {
            throw apiError(error)
        }
    }

    /// `PUT` or `POST /files/uploads/{jobId}[/{fileName}]`: a pile's diagnostics or log
    /// file, as the raw body or the one file part of multipart/form-data.
    static func receiveUpload(_ request: HTTPRequest, jobId: String, gateway: Gateway) async throws -> HTTPResponse {
        guard let job = Int64(jobId), job > 0 else { throw APIError(.badRequest, "invalid_job_id", "job ids are positive integers, got \(jobId.prefix(40))") }
        let segments = try request.pathSegments()
        var name = segments.count > 3 ? segments[3] : nil
        var contentType = request.headers.first(name: "Content-Type")
        var bytes = request.body
        if let type = contentType, type.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = MultipartBody.boundary(type) else {
                throw APIError(.badRequest, "invalid_multipart", "multipart/form-data needs a boundary parameter in Content-Type")
            }
            guard let part = MultipartBody.filePart(bytes, boundary: boundary) else {
                throw APIError(.badRequest, "invalid_multipart", "the multipart body has no part (one file part is expected)")
            }
            bytes = part.bytes
            name = part.fileName ?? name
            contentType = part.contentType
        } else if name == nil, let disposition = request.headers.first(name: "Content-Disposition") {
            name = MultipartBody.parameter("filename", in: disposition)
        }
        do throws(FileFailure) {
            let record = try await gateway.saveUpload(job: job, name: name, bytes: bytes, contentType: contentType)
            return .json(uploadView(record), status: .created)
        } catch {
            throw apiError(error)
        }
    }

    /// `GET /api/uploads/{id}`: an uploaded file.
    static func download(_ id: String, gateway: Gateway) async throws -> HTTPResponse {
        guard let number = Int64(id), number > 0 else { throw APIError(.badRequest, "invalid_upload_id", "upload ids are positive integers, got \(id.prefix(40))") }
        do throws(FileFailure) {
            // Bytes as the pile sent them; the type it claimed is in the record (`contentType`).
            let (record, bytes) = try await gateway.uploadBytes(number)
            return HTTPResponse(
                status: .ok, headers: ["Content-Type": "application/octet-stream", "Content-Disposition": "attachment; filename=\"\(record.name)\""],
                body: bytes)
        } catch {
            throw apiError(error)
        }
    }

    static func firmwareView(_ record: StoredFileRecord, gateway: Gateway) -> JSON {
        var object = encodeJSON(record).objectValue ?? JSONObject()
        object["url"] = .string(record.location ?? gateway.firmwareURL(record.name))
        return .object(object)
    }

    static func uploadView(_ record: StoredFileRecord) -> JSON {
        var object = encodeJSON(record).objectValue ?? JSONObject()
        object["download"] = .string(APIRoute.uploadedFile.path(String(record.id)))
        return .object(object)
    }

    static func apiError(_ error: FileFailure) -> APIError {
        let status: HTTPResponseStatus =
            switch error {
            case .invalidName, .invalidRequest, .empty: .badRequest
            case .tooLarge: .payloadTooLarge
            case .exists, .jobNotUploading, .tooManyUploads: .conflict
            case .notFound, .jobNotFound: .notFound
            case .storage: .serviceUnavailable
            }
        return APIError(status, error.code, error.description)
    }
}

/// The one file part of a multipart/form-data body (RFC 7578), as piles post their uploads.
enum MultipartBody {
    struct Part {
        var fileName: String?
        var contentType: String?
        var bytes: [UInt8]
    }

    /// The `boundary` parameter of a Content-Type (quoted or not), 1–70 characters.
    static func boundary(_ contentType: String) -> String? {
        guard let value = parameter("boundary", in: contentType), (1...70).contains(value.utf8.count) else { return nil }
        return value
    }

    /// A `key=value` or `key="value"` parameter of a header value.
    static func parameter(_ key: String, in header: String) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// The first part with a file name, else the first part; nil when there is none.
    static func filePart(_ body: [UInt8], boundary: String) -> Part? {
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n\r\n".utf8)
        guard var at = find(delimiter, in: body, from: 0) else { return nil }
        var first: Part?
        // Each pass moves past one delimiter; a body has at most this many parts worth reading.
        for _ in 0..<100 {
            let afterDelimiter = at + delimiter.count
            guard afterDelimiter + 2 <= body.count, !(body[afterDelimiter] == 0x2D && body[afterDelimiter + 1] == 0x2D) else { break }
            guard let headerEnd = find(separator, in: body, from: afterDelimiter) else { break }
            let headers = String(decoding: body[afterDelimiter..<headerEnd], as: UTF8.self)
            let contentStart = headerEnd + separator.count
            guard let next = find(Array("\r\n".utf8) + delimiter, in: body, from: contentStart) else { break }
            var part = Part(bytes: Array(body[contentStart..<next]))
            for line in headers.split(whereSeparator: \.isNewline) {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") { part.fileName = parameter("filename", in: String(line)) }
                if lower.hasPrefix("content-type:") { part.contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces) }
            }
            if part.fileName != nil { return part }
            if first == nil { first = part }
            at = next + 2
        }
        return first
    }

    /// Where `needle` starts in `haystack` at or after `start`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let head = needle.first, start >= 0, haystack.count >= needle.count else { return nil }
        let last = haystack.count - needle.count
        var i = start
        while i <= last {
            if haystack[i] == head {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}

extension APIRoute {
    static let firmwareFiles = APIRoute(
        .GET, "/api/firmware", "firmwareFiles", "Firmware kept or registered by the gateway, newest first.", access: .read,
        parameters: [.limit()], replies: [.ok("Firmware files", .list("StoredFile"))] + Reply.fails(400)
    ) { call in try await FileRoutes.listFirmware(call.request, gateway: call.gateway) }

    public static let uploadFirmware = APIRoute(
        .POST, "/api/firmware", "uploadFirmware",
        """
        Keeps the raw body as firmware `name` (at most files.maxFileBytes, 64 MiB), served to piles at /files/firmware/{name}; \
        with `location=URL` and no body, registers firmware kept elsewhere. A name taken is 409.
        """,
        access: .write,
        parameters: [
            .query("name", .matching("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$"), "1–128 characters of A–Z a–z 0–9 . _ -, not starting with a dot", required: true),
            .query("location", .text, "An http(s) or ftp URL: register instead of upload"),
        ],
        body: .file, replies: [.ok("The firmware's record", .one("StoredFile"), status: 201)] + Reply.fails(400, 409, 413, 503)
    ) { call in try await FileRoutes.postFirmware(call.request, gateway: call.gateway) }

    static let firmwareFile = APIRoute(
        .GET, "/api/firmware/{name}", "firmwareFile", "One firmware's record, by its name.", access: .read,
        parameters: [.firmwareName], replies: [.ok("The firmware's record", .one("StoredFile"))] + Reply.fails(400, 404)
    ) { call in try await FileRoutes.firmware(call["name"], gateway: call.gateway) }

    static let downloadFirmware = APIRoute(
        .GET, "/files/firmware/{name}", "downloadFirmware", "The firmware file, for piles (no token: piles cannot send one).", access: .open,
        parameters: [.firmwareName], replies: [.ok("The file", .media("application/octet-stream"))] + Reply.fails(400, 404, 503)
    ) { call in try await FileRoutes.serveFirmware(call["name"], gateway: call.gateway) }

    public static let uploadedFile = APIRoute(
        .GET, "/api/uploads/{id}", "uploadedFile", "A file a pile uploaded.", access: .read,
        parameters: [.path("id", .positiveInteger, "The upload.")], replies: [.ok("The file", .media("application/octet-stream"))] + Reply.fails(400, 404, 503)
    ) { call in try await FileRoutes.download(call["id"], gateway: call.gateway) }

    /// Where piles upload: PUT or POST, with or without their file name after the job.
    static let uploads: [APIRoute] = [HTTPMethod.PUT, .POST].flatMap { method in
        let verb = method == .PUT ? "Put" : "Post"
        return [
            APIRoute(
                method, "/files/uploads/{id}", "upload" + verb,
                """
                Where a pile uploads the file of a diagnostics or log job (the location GetDiagnostics / GetLog gave it): the raw \
                body, or the one file part of multipart/form-data. No token.
                """,
                access: .open, parameters: [.jobId], body: .upload, replies: uploadReplies
            ) { call in try await FileRoutes.receiveUpload(call.request, jobId: call["id"], gateway: call.gateway) },
            APIRoute(
                method, "/files/uploads/{id}/{name}", "uploadNamed" + verb,
                "As /files/uploads/{id}, the file named in the path (piles that append their file name to the location).",
                access: .open, parameters: [.jobId, .path("name", .text, "The file's name as the pile gives it.")], body: .upload, replies: uploadReplies
            ) { call in try await FileRoutes.receiveUpload(call.request, jobId: call["id"], gateway: call.gateway) },
        ]
    }

    private static let uploadReplies = [Reply.ok("The upload's record", .one("StoredFile"), status: 201)] + Reply.fails(400, 404, 409, 413, 503)

    static let files: [APIRoute] = [firmwareFiles, uploadFirmware, firmwareFile, downloadFirmware, uploadedFile] + uploads
}

extension Parameter {
    static let firmwareName = Parameter.path("name", .text, "The firmware's name.")
    static let jobId = Parameter.path("id", .positiveInteger, "The job.")
}
