import Foundation
import Gateway
import NIOHTTP1
import OCPP
import OCPPWebSocket

/// `/api/sites`: station load management — each managed site's limit, its piles' measured
/// power and allocation, and the TxProfiles sent (docs/load-management.md).
enum SiteRoutes {
    static func list(_ gateway: Gateway) -> HTTPResponse {
        .json(.array(gateway.sites().map { view($0, piles: false) }))
    }

    static func one(_ gateway: Gateway, id: String) throws(APIError) -> HTTPResponse {
        .json(view(try site(gateway, id), piles: true))
    }

    static func history(_ gateway: Gateway, id: String, limit: Int) throws(APIError) -> HTTPResponse {
        _ = try site(gateway, id)
        guard let history = gateway.siteHistory(id) else { throw notFound(gateway, id) }
        return .json([
            "pushes": .array(history.pushes.suffix(limit).map(push)),
            "series": .array(history.series.suffix(limit).map(point)),
        ])
    }

    private static func site(_ gateway: Gateway, _ id: String) throws(APIError) -> SiteView {
        guard let site = gateway.site(id) else { throw notFound(gateway, id) }
        return site
    }

    private static func notFound(_ gateway: Gateway, _ id: String) -> APIError {
        gateway.isConfiguredSite(id)
            ? APIError(.notFound, "site_not_managed", "site \(id) has no gridLimitKW: load management is off there")
            : APIError(.notFound, "site_not_found", "no site \(id) in the configuration's sites")
    }

    static func time(_ date: Date?) -> JSON { date.map { .string(OCPPTimestamp.format($0)) } ?? .null }
    static func kW(_ value: Double?) -> JSON { value.map { .number(($0 * 1000).rounded() / 1000) } ?? .null }

    static func view(_ s: SiteView, piles: Bool) -> JSON {
        var o = JSONObject()
        o["id"] = .string(s.id)
        o["name"] = s.name.map(JSON.string) ?? .null
        o["limitKW"] = kW(s.limitKW)
        o["gridLimitKW"] = kW(s.gridLimitKW)
        o["marginPercent"] = .number(s.marginPercent)
        o["allocatableKW"] = kW(s.allocatableKW)
        o["measuredKW"] = kW(s.measuredKW)
        o["allocatedKW"] = kW(s.allocatedKW)
        o["thresholdKW"] = .number(s.thresholdKW)
        o["activePiles"] = .integer(Int64(s.piles.count))
        o["profilesPushed"] = .integer(Int64(s.profilesPushed))
        o["lastRebalance"] = time(s.lastRebalance)
        if piles { o["piles"] = .array(s.piles.map(pile)) }
        return .object(o)
    }

    static func pile(_ p: SitePileView) -> JSON {
        var o = JSONObject()
        o["chargePointId"] = .string(p.chargePointId)
        o["connectorId"] = .integer(Int64(p.connectorId))
        o["sessionId"] = .integer(p.sessionId)
        o["maxKW"] = kW(p.maxKW)
        o["floorKW"] = kW(p.floorKW)
        o["allocatedKW"] = kW(p.allocatedKW)
        o["limitKW"] = kW(p.limitKW)
        o["limitSince"] = time(p.limitSince)
        o["measuredKW"] = kW(p.measuredKW)
        o["measuredAt"] = time(p.measuredAt)
        o["wantsKW"] = kW(p.wantsKW)
        o["state"] = .string(p.state)
        o["overLimitSince"] = time(p.overLimitSince)
        return .object(o)
    }

    static func push(_ p: ProfilePushRecord) -> JSON {
        [
            "time": time(p.time), "sentAt": time(p.sentAt), "chargePointId": .string(p.chargePointId), "connectorId": .integer(Int64(p.connectorId)),
            "sessionId": .integer(p.sessionId), "limitKW": kW(p.limitKW), "previousKW": kW(p.previousKW), "answer": .string(p.answer),
        ]
    }

    static func point(_ p: SitePowerPoint) -> JSON {
        [
            "time": time(p.time), "limitKW": kW(p.limitKW), "allocatableKW": kW(p.allocatableKW), "measuredKW": kW(p.measuredKW),
            "allocatedKW": kW(p.allocatedKW),
        ]
    }
}

extension APIRoute {
    static let sites = APIRoute(
        .GET, "/api/sites", "sites",
        "The managed sites (those with a gridLimitKW): the limit in force, the margin, the power the piles' own meters show, the allocated total.",
        access: .read, replies: [.ok("The sites by id", .list("Site"))]
    ) { call in SiteRoutes.list(call.gateway) }

    static let site = APIRoute(
        .GET, "/api/sites/{id}", "site",
        "One site with each charging pile's allocation, accepted limit, measured power, floor and over-limit state.",
        access: .read, parameters: [.siteId],
        replies: [.ok("The site", .one("SiteDetail")), .fails(404, "site_not_found, or site_not_managed (no gridLimitKW)")]
    ) { call in try SiteRoutes.one(call.gateway, id: call["id"]) }

    static let siteHistory = APIRoute(
        .GET, "/api/sites/{id}/history", "siteHistory",
        "The TxProfiles sent (time, pile, limit, answer; newest last) and the site's power against its limit over time, kept in memory (500 pushes, 720 points).",
        access: .read, parameters: [.siteId, .limit(1...720, default: 720, "Most pushes and points to return (the newest).")],
        replies: [.ok("Pushes and the power series", .one("SiteHistory")), .fails(404, "site_not_found, or site_not_managed (no gridLimitKW)")]
    ) { call in try SiteRoutes.history(call.gateway, id: call["id"], limit: try call.limit) }

    static let sitesPage = APIRoute(
        .GET, "/sites", "sitesPage", "The sites page: each site's power against its limit and its piles' allocation, live (HTML and JavaScript).",
        access: .open, replies: [.html]
    ) { _ in .html(SitesPage.html) }

    static let siteRoutes: [APIRoute] = [sites, site, siteHistory, sitesPage]
}

extension Parameter {
    static let siteId = Parameter.path("id", .text, "The site's id, as in the configuration's sites (and chargePoints[].station).")
}
