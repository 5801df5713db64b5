import Foundation
import OCPP
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The few HTTP calls the lab and `pilegate call` make to a gateway's API (docs/api.md).
public struct GatewayHTTP: Sendable {
    /// e.g. `http://127.0.0.1:8180`.
    public let base: String
    let token: String?

    public init(base: String, token: String?) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.token = token
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static let tokenRefused =
        "the gateway refused the API token (HTTP 401): pass the token `pilegate serve` uses (--api-token, PILEGATE_API_TOKEN or api.token) with --token or PILEGATE_API_TOKEN"

    /// A path segment percent-encoded, so an id with `/` or spaces names one segment.
    public static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? text
    }

    public func get(_ path: String) async throws -> (status: Int, body: JSON) {
        try await send("GET", path, body: nil)
    }

    public func post(_ path: String, _ body: JSON) async throws -> (status: Int, body: JSON) {
        try await send("POST", path, body: body)
    }

    /// Any method; `body` nil sends none.
    public func request(_ method: String, _ path: String, body: JSON?) async throws -> (status: Int, body: JSON) {
        try await send(method, path, body: body)
    }

    /// POST of a raw body (a firmware file).
    public func post(_ path: String, bytes: [UInt8], contentType: String) async throws -> (status: Int, body: JSON) {
        try await send("POST", path, raw: bytes, contentType: contentType)
    }

    private func send(_ method: String, _ path: String, body: JSON?) async throws -> (status: Int, body: JSON) {
        try await send(method, path, raw: body?.bytes, contentType: body == nil ? nil : "application/json")
    }

    private func send(_ method: String, _ path: String, raw: [UInt8]?, contentType: String?) async throws -> (status: Int, body: JSON) {
        guard let url = URL(string: base + path) else { throw Failure(description: "bad URL \(base + path)") }
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.httpMethod = method
        if let raw {
            request.httpBody = Data(raw)
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let text = String(decoding: data, as: UTF8.self)
        let json = (try? JSONParser.parse(text)) ?? .string(text)
        return (status, json)
    }
}

extension JSON {
    /// `{"error": {"code": …}}` of an error response.
    public var errorCode: String? { self["error"]?["code"]?.stringValue }
}
