import Foundation
import Gateway
import OCPP
import OCPPWebSocket
import Prometheus
import SessionStore

/// One request matched to its route: the request, its path parameters, and what a handler
/// may use to answer it.
struct RouteCall: Sendable {
    let request: HTTPRequest
    let route: APIRoute
    /// Path parameters by name, percent-decoded.
    let values: [String: String]
    let store: any SessionStore
    let gateway: Gateway
    let metrics: PrometheusCollectorRegistry?
    let now: Date

    /// A path parameter (the route's pattern guarantees it is there).
    subscript(_ name: String) -> String { values[name] ?? "" }

    /// A positive integer path parameter (a session or reservation id).
    func positiveInteger(_ name: String, code: String, noun: String) throws(APIError) -> Int64 {
        guard let value = Int64(self[name]), value > 0 else { throw APIError(.badRequest, code, "\(noun) ids are positive integers, got \(self[name])") }
        return value
    }

    func sessionId() throws(APIError) -> Int64 { try positiveInteger("id", code: "invalid_session_id", noun: "session") }

    /// A query parameter of the route, read by its declared rule.
    private func declared(_ name: String) -> Parameter? { route.parameters.first { $0.name == name && $0.location == .query } }

    func text(_ name: String) -> String? { request.query[name] }

    /// An integer query parameter within its declared range; its declared default when absent.
    func integer(_ name: String) throws(APIError) -> Int {
        guard case .integer(let range, let fallback)? = declared(name)?.kind else {
            throw APIError(.internalServerError, "undeclared_parameter", "\(route.path) reads \(name), which its route does not declare as an integer")
        }
        return try request.integer(name, in: range, default: fallback)
    }

    func number(_ name: String) throws(APIError) -> Double? {
        guard case .number(let range)? = declared(name)?.kind else {
            throw APIError(.internalServerError, "undeclared_parameter", "\(route.path) reads \(name), which its route does not declare as a number")
        }
        return try request.number(name, in: range)
    }

    func choice<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) throws(APIError) -> E? where E.RawValue == String {
        try request.choice(name, type)
    }

    func coordinates(_ name: String) throws(APIError) -> (latitude: Double, longitude: Double)? { try request.coordinates(name) }

    /// The common `limit` parameter.
    var limit: Int { get throws(APIError) { try integer("limit") } }
}
