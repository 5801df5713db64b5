import OCPP
import OCPPWebSocket

/// The pages and the process's own endpoints: no token, ever.
extension APIRoute {
    static let dashboard = APIRoute(
        .GET, "/", "dashboard", "The dashboard page (HTML and JavaScript).", access: .open, replies: [.html]
    ) { _ in .html(DashboardPage.html) }

    static let pilePage = APIRoute(
        .GET, "/piles/{id}", "pilePage",
        "One pile's page: connectors, configuration, frames, findings, command history and an operations panel (HTML and JavaScript).",
        access: .open, parameters: [.chargePointId], replies: [.html]
    ) { _ in .html(PilePage.html) }

    public static let health = APIRoute(
        .GET, "/health", "health", "Liveness: 200 once the gateway serves.", access: .open, replies: [.ok("Serving", .one("Health"))]
    ) { call in .json(["status": "ok", "connectedChargePoints": .integer(Int64(call.gateway.connectedCount))]) }

    static let metrics = APIRoute(
        .GET, "/metrics", "metrics", "Prometheus metrics (text exposition format).", access: .open, replies: [.ok("Metrics", .media("text/plain"))]
    ) { call in
        var body: [UInt8] = []
        call.metrics?.emit(into: &body)
        return HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: body)
    }

    static let openAPI = APIRoute(
        .GET, "/openapi.json", "openapi", "The OpenAPI document (this one), built from the route table.", access: .open,
        replies: [.ok("The OpenAPI document", .anyObject)]
    ) { _ in HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: APIResponder.openAPIDocument) }

    static let pages: [APIRoute] = [health, metrics, openAPI, dashboard, pilePage]
}

extension Parameter {
    static let chargePointId = Parameter.path("id", .text, "The charge point's identity, as in ws://…/ocpp/{id}.")
}

extension HTTPResponse {
    static func html(_ page: String) -> HTTPResponse {
        HTTPResponse(status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"], body: Array(page.utf8))
    }
}
