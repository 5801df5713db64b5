import Gateway
import OCPP
import SessionStore

/// Reads across the whole network: compatibility, findings, recommendations, live events.
extension APIRoute {
    static let compatibility = APIRoute(
        .GET, "/api/compatibility", "compatibility",
        "Findings of every network × pile model × firmware by rule, with pile and session counts, and the rule catalogue (docs/rules.md).",
        access: .read, replies: [.ok("The compatibility picture", .one("Compatibility"))]
    ) { call in .json(CompatibilityRoute.body(try await call.store.compatibility())) }

    static let listFindings = APIRoute(
        .GET, "/api/findings", "listFindings", "The most recent findings of every pile, newest first.", access: .read,
        parameters: [.limit()], replies: [.ok("Findings", .list("Finding"))]
    ) { call in .json(FindingViews.list(try await call.store.findings(chargePointId: nil, limit: try call.limit))) }

    static let recommend = APIRoute(
        .GET, "/api/recommend", "recommend",
        "Ranks connected piles with a free connector by minutes until charged (drive plus charge), then price, then distance; each estimate explained.",
        access: .read,
        parameters: [
            .query("vehicle", .text, "A vehicle profile id, e.g. su7-max.", required: true, example: "su7-max"),
            .query("soc", .number(0...100), "State of charge now, percent.", required: true, example: 20),
            .query("target", .number(0...100), "State of charge wanted, percent.", required: true, example: 80),
            .query("near", .coordinates, "LAT,LON of the driver.", example: "39.90,116.40"),
            .limit(1...1000, default: 10, "Most piles to return."),
        ],
        replies: [.ok("Ranked piles", .one("Recommendations"))]
    ) { call in
        guard let vehicle = call.text("vehicle"), !vehicle.isEmpty else {
            throw APIError(.badRequest, "invalid_vehicle", "vehicle=ID is required (a vehicle profile id, e.g. su7-max)")
        }
        guard let soc = try call.number("soc"), let target = try call.number("target") else {
            throw APIError(.badRequest, "invalid_soc", "soc=N and target=M (percent) are required")
        }
        let near = try call.coordinates("near")
        let limit = try call.limit
        do throws(RecommendError) {
            let ranked = try await call.gateway.recommend(vehicleId: vehicle, soc: soc, target: target, near: near, limit: limit)
            return .json(["vehicle": call.gateway.vehicles.vehicles[vehicle].map(encodeJSON) ?? .null, "recommendations": encodeJSON(ranked)])
        } catch .unknownVehicle(let id, let known) {
            throw APIError(.notFound, "vehicle_not_found", RecommendError.unknownVehicle(id, known: known).description)
        } catch .invalid(let why) {
            throw APIError(.badRequest, "invalid_request", why)
        } catch .store(let why) {
            throw APIError(.serviceUnavailable, "store_unavailable", why)
        }
    }

    static let events = APIRoute(
        .GET, "/api/events", "events",
        "Server-Sent Events: status, connection, session (with live figures) and finding, as they happen in this gateway process.",
        access: .read, replies: [.ok("An endless text/event-stream", .media("text/event-stream"))]
    ) { call in EventStream.response(call.gateway) }

    static let network: [APIRoute] = [compatibility, listFindings, recommend, events]
}
