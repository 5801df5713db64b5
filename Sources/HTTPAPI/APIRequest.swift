import Foundation
import NIOHTTP1
import OCPP
import OCPPWebSocket

/// An API failure: the status and the `{"error": {"code", "message"}}` body.
struct APIError: Error {
    let status: HTTPResponseStatus
    let code: String
    let message: String
    /// What a program needs beyond the message (a payload's field path, a pile's CALLERROR code).
    var details: JSON?

    init(_ status: HTTPResponseStatus, _ code: String, _ message: String, details: JSON? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    var response: HTTPResponse {
        guard let details else { return .error(status, code: code, message: message) }
        return .json(["error": ["code": .string(code), "message": .string(message), "details": details]], status: status)
    }
}

extension HTTPRequest {
    /// The path's segments, each percent-decoded once. This is the one place where API ids
    /// are decoded, as `/ocpp/{id}` decodes a pile's identity, so `PILE%20WITH%20SPACE`
    /// names the pile `PILE WITH SPACE` on every route. The path is split first: an encoded
    /// `/` (`%2F`) stays inside its segment.
    func pathSegments() throws(APIError) -> [String] {
        var segments: [String] = []
        for raw in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let decoded = String(raw).removingPercentEncoding else {
                throw APIError(
                    .badRequest, "invalid_path", "the path segment \"\(raw.prefix(100))\" is not valid percent-encoding (%XX of UTF-8 bytes)")
            }
            segments.append(decoded)
        }
        return segments
    }

    /// An integer query parameter within `range`; `fallback` when absent.
    /// One of an enumeration's words, or nil when the query leaves it out.
    func choice<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) throws(APIError) -> E? where E.RawValue == String {
        guard let text = query[name] else { return nil }
        guard let value = E(rawValue: text) else {
            throw APIError(.badRequest, "invalid_\(name)", "\(name) must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    func integer(_ name: String, in range: ClosedRange<Int>, default fallback: Int) throws(APIError) -> Int {
        guard let text = query[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw APIError(.badRequest, "invalid_\(name)", "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A number query parameter within `range`; nil when absent.
    func number(_ name: String, in range: ClosedRange<Double>) throws(APIError) -> Double? {
        guard let text = query[name] else { return nil }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw APIError(.badRequest, "invalid_\(name)", "\(name) must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// `near=LAT,LON`.
    func coordinates(_ name: String) throws(APIError) -> (latitude: Double, longitude: Double)? {
        guard let text = query[name] else { return nil }
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let lat = parts[0], let lon = parts[1], (-90...90).contains(lat), (-180...180).contains(lon) else {
            throw APIError(.badRequest, "invalid_\(name)", "\(name) must be LATITUDE,LONGITUDE in degrees, e.g. 39.90,116.40")
        }
        return (lat, lon)
    }

    /// The body as a JSON object.
    func jsonObject() throws(APIError) -> JSONObject {
        guard let value = try? JSONParser.parse(String(decoding: body, as: UTF8.self)), let object = value.objectValue else {
            throw APIError(.badRequest, "invalid_request", "the body must be a JSON object")
        }
        return object
    }

    /// Who sent a command, for the history: the token's fingerprint, never the token.
    var issuedBy: String { bearerToken.map(APIAccess.fingerprint) ?? "anonymous" }

    var bearerToken: String? {
        guard let header = headers.first(name: "Authorization") else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }
}

extension HTTPResponse {
    static func json(_ value: JSON, status: HTTPResponseStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: value.bytes)
    }
}

/// Encodes records for responses; our records always encode, so a failure is a bug shown as null.
func encodeJSON<T: Encodable>(_ value: T) -> JSON {
    (try? JSONValueEncoder().encode(value)) ?? .null
}
