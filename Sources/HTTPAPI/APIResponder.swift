import CoreMetrics
import Foundation
import Gateway
import NIOHTTP1
import OCPP
import OCPPWebSocket
import Prometheus
import SessionStore

/// The gateway's HTTP API (docs/api.md, described in /openapi.json): the live map, scan
/// to charge, sessions with receipts, operator commands, reservations, events,
/// recommendations, metrics and the pages. Reads come from the store, so every gateway
/// process sharing it answers the same. Every route is declared once, in `Routes/`.
public struct APIResponder: HTTPResponder {
    let store: any SessionStore
    let gateway: Gateway
    let access: APIAccess
    let metrics: PrometheusCollectorRegistry?

    public init(store: any SessionStore, gateway: Gateway, access: APIAccess, metrics: PrometheusCollectorRegistry? = nil) {
        self.store = store
        self.gateway = gateway
        self.access = access
        self.metrics = metrics
    }

    /// Every route the API serves.
    public static let routes: [APIRoute] = APIRoute.pages + APIRoute.chargePoints + APIRoute.commands + APIRoute.localLists + APIRoute.security
        + APIRoute.chargingProfileRoutes + APIRoute.jobs + APIRoute.files + APIRoute.network + APIRoute.sessions + APIRoute.reservations
        + APIRoute.siteRoutes
    static let table = RouteTable(routes)
    static let openAPIDocument = OpenAPIBuilder.document(table).bytes

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        let started = ContinuousClock.now
        // The metric names the route's pattern, never the ids in a path.
        var label = "{unmatched}"
        var response: HTTPResponse
        do {
            guard let (pattern, values) = Self.table.match(try request.pathSegments()) else {
                throw APIError(.notFound, "not_found", "no route for \(request.path)")
            }
            label = pattern.path
            response = try await answer(request, pattern, values)
        } catch let error as APIError {
            response = error.response
        } catch {
            response = .error(.serviceUnavailable, code: "store_unavailable", message: "\(error)")
        }
        let elapsed = ContinuousClock.now - started
        Timer(label: "pilegate_http_request_duration_seconds", dimensions: [("route", label)])
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        if request.method == .HEAD { response.body = [] }
        return response
    }

    /// The route's declared body limit; JSON's for a path no route takes.
    public func bodyLimit(method: HTTPMethod, uri: String) -> Int {
        let request = HTTPRequest(method: method, uri: uri)
        guard let segments = try? request.pathSegments(), let (pattern, _) = Self.table.match(segments),
            let body = pattern.route(for: method)?.body
        else { return RequestBody.jsonLimit }
        return body.limit
    }

    private func answer(_ request: HTTPRequest, _ pattern: RouteTable.Pattern, _ values: [String: String]) async throws -> HTTPResponse {
        guard let route = pattern.route(for: request.method) else {
            var response = HTTPResponse.error(.methodNotAllowed, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.path)")
            response.headers.add(name: "Allow", value: pattern.allowed.map(\.rawValue).joined(separator: ", "))
            return response
        }
        if route.access.needsToken || (route.access == .read && access.protectReads) {
            guard let token = request.bearerToken, access.accepts(token) else {
                var response = HTTPResponse.error(.unauthorized, code: "unauthorized", message: "this endpoint needs Authorization: Bearer TOKEN")
                response.headers.add(name: "WWW-Authenticate", value: "Bearer realm=\"PileGate\"")
                return response
            }
        }
        let call = RouteCall(request: request, route: route, values: values, store: store, gateway: gateway, metrics: metrics, now: Date())
        return try await route.handle(call)
    }
}

/// Who may call the API: a bearer token for mutating endpoints (and for reads when
/// `protectReads` is set).
public struct APIAccess: Sendable {
    public let token: String
    public let protectReads: Bool

    public init(token: String, protectReads: Bool = false) {
        self.token = token
        self.protectReads = protectReads
    }

    /// Compares in constant time, so the token cannot be guessed byte by byte.
    func accepts(_ given: String) -> Bool {
        let a = Array(given.utf8)
        let b = Array(token.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A label for who used a token, for the command history: 8 hex digits of a hash,
    /// which cannot give the token back.
    static func fingerprint(_ token: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in token.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "token:" + String(format: "%08x", UInt32(truncatingIfNeeded: hash >> 32))
    }

    /// A random token for a gateway started without one.
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
