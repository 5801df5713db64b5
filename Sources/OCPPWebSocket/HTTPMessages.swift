import Foundation
import NIOCore
import NIOHTTP1

/// A plain HTTP request on the gateway's port (anything that is not an OCPP upgrade).
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var uri: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: HTTPMethod, uri: String, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }

    public var path: String { String(uri.split(separator: "?", maxSplits: 1).first ?? "") }

    /// Query parameters, percent-decoded; later duplicates win.
    public var query: [String: String] {
        guard let q = uri.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
        var result: [String: String] = [:]
        for pair in q.split(separator: "&") {
            // "=", "=x" and "x=" are all possible; nothing here may assume a side exists.
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawKey = String(parts.first ?? "")
            let rawValue = parts.count > 1 ? String(parts[1]) : ""
            result[rawKey.replacingPlus.removingPercentEncoding ?? rawKey] = rawValue.replacingPlus.removingPercentEncoding ?? rawValue
        }
        return result
    }
}

public struct HTTPResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// A body written chunk by chunk as it comes (Server-Sent Events), after `body`; the
    /// response ends when the stream finishes or the client goes away.
    public var stream: AsyncStream<[UInt8]>?

    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: [UInt8] = [], stream: AsyncStream<[UInt8]>? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = stream
    }

    /// `{"error": {"code": ..., "message": ...}}`, the API's error shape.
    public static func error(_ status: HTTPResponseStatus, code: String, message: String) -> HTTPResponse {
        var body: [UInt8] = Array(#"{"error":{"code":"#.utf8)
        appendJSONString(code, to: &body)
        body += Array(#","message":"#.utf8)
        appendJSONString(message, to: &body)
        body += Array("}}".utf8)
        return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    private static func appendJSONString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += Array(#"\""#.utf8)
            case "\\": out += Array(#"\\"#.utf8)
            case "\n": out += Array(#"\n"#.utf8)
            default:
                if scalar.value < 0x20 { out += Array(" ".utf8) } else { out += Array(String(scalar).utf8) }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Answers the HTTP requests that arrive on the OCPP port.
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest) async -> HTTPResponse
    /// The largest body a request may carry, known from its head: a larger one is
    /// answered 413 without being kept.
    func bodyLimit(method: HTTPMethod, uri: String) -> Int
}

extension HTTPResponder {
    public func bodyLimit(method: HTTPMethod, uri: String) -> Int { 1 << 20 }
}

extension String {
    fileprivate var replacingPlus: String { replacingOccurrences(of: "+", with: " ") }
}
