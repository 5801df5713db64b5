import Foundation
import Gateway
import OCPP

/// `GET /api/chargepoints/{id}/composite-schedule`: the limit the gateway expects the pile
/// to keep, from the profiles it knows the pile accepted; with `ask=pile`, also the pile's own
/// GetCompositeSchedule and whether the two agree (a compatibility check on smart charging).
extension APIRoute {
    static let compositeSchedule = APIRoute(
        .GET, "/api/chargepoints/{id}/composite-schedule", "compositeSchedule",
        """
        The composite schedule the gateway expects on a connector (0: the pile), computed from the profiles it knows the pile holds; \
        ask=pile also sends GetCompositeSchedule and compares (then it needs the token).
        """,
        access: .asksThePile,
        parameters: [
            .chargePointId, .query("connector", .integer(0...1000, default: 1), "Connector or EVSE; 0 is the whole pile."),
            .query("duration", .integer(1...Gateway.maxCompositeSeconds, default: 3600), "Seconds from now."),
            .query("unit", .words(["W", "A"]), "The unit of the limits (default W)."),
            .query("ask", .words(["pile"]), "Also ask the pile and compare."),
        ],
        replies: [.ok("The expected schedule, and the pile's when asked", .one("CompositeScheduleView"))] + Reply.commandFailures
    ) { call in
        let connector = try call.integer("connector")
        let duration = try call.integer("duration")
        let unit: ChargingLimitProfile.RateUnit = call.text("unit") == "A" ? .amperes : .watts
        guard call.text("unit").map({ ["W", "A"].contains($0) }) ?? true, call.text("ask").map({ $0 == "pile" }) ?? true else {
            throw APIError(.badRequest, "invalid_request", "unit is W or A, and ask can only be pile")
        }
        let id = call["id"]
        let expected = try await call.gateway.expectedComposite(id, connector: connector, duration: duration, unit: unit)
        var view = JSONObject()
        view["connectorId"] = .integer(Int64(connector))
        view["expected"] = CompositeScheduleViews.view(expected)
        guard call.text("ask") == "pile" else { return .json(.object(view)) }
        let version = await call.gateway.commandVersion(id)
        let payload: JSON =
            version == .v16
            ? ["connectorId": .integer(Int64(connector)), "duration": .integer(Int64(duration)), "chargingRateUnit": .string(unit.rawValue)]
            : ["evseId": .integer(Int64(connector)), "duration": .integer(Int64(duration)), "chargingRateUnit": .string(unit.rawValue)]
        let answer = try await call.operate { issuedBy throws(CommandFailure) in
            try await call.gateway.command(id, action: "GetCompositeSchedule", payload: payload, issuedBy: issuedBy)
        }
        view["ocppVersion"] = .string(version.label)
        view["pile"] = answer
        let periods = (version == .v16 ? answer["chargingSchedule"] : answer["schedule"])?["chargingSchedulePeriod"]?.arrayValue
        let pile = periods.map(CompositeScheduleViews.periods)
        let differences = pile.map { CompositeScheduleViews.differences(expected: expected.periods, pile: $0, duration: duration) }
        view["agrees"] = differences.map { .bool($0.isEmpty) } ?? .null
        view["differences"] = .array((differences ?? []).prefix(20).map(JSON.string))
        return .json(.object(view))
    }
}

enum CompositeScheduleViews {
    static func view(_ c: CompositeSchedule) -> JSON {
        let periods: [JSON] = c.periods.map { p in
            var o = JSONObject()
            o["startPeriod"] = .integer(Int64(p.start))
            o["limit"] = .number(p.limit)
            if let phases = p.phases { o["numberPhases"] = .integer(Int64(phases)) }
            return .object(o)
        }
        return [
            "scheduleStart": .string(OCPPTimestamp.format(c.start)), "duration": .integer(Int64(c.duration)), "chargingRateUnit": .string(c.unit.rawValue),
            "chargingSchedulePeriod": .array(periods),
        ]
    }

    /// A pile's periods as (start, limit); entries without both numbers are left out.
    static func periods(_ json: [JSON]) -> [(start: Int, limit: Double)] {
        json.compactMap { p in
            guard let start = p["startPeriod"]?.intValue.flatMap({ Int(exactly: $0) }), let limit = p["limit"]?.doubleValue, limit.isFinite else { return nil }
            return (start, limit)
        }.sorted { $0.start < $1.start }
    }

    /// Where the pile's schedule and the expected one differ by more than 1 % (or 0.1),
    /// checked one second after every period start of either (the two starts differ by the
    /// request's flight time).
    static func differences(expected: [ChargingLimitProfile.Period], pile: [(start: Int, limit: Double)], duration: Int) -> [String] {
        func at(_ t: Int, _ list: [(start: Int, limit: Double)]) -> Double? { list.last { $0.start <= t }?.limit }
        let mine = expected.map { (start: $0.start, limit: $0.limit) }
        let moments = Set((mine.map(\.start) + pile.map(\.start)).map { $0 + 1 }.filter { $0 < duration }).sorted()
        return moments.prefix(1000).compactMap { t in
            let a = at(t, mine)
            let b = at(t, pile)
            guard let a, let b else { return a == nil && b == nil ? nil : "at \(t) s: expected \(a.map { "\($0)" } ?? "none"), the pile \(b.map { "\($0)" } ?? "none")" }
            return abs(a - b) <= max(0.1, 0.01 * max(a, b)) ? nil : "at \(t) s: expected \(a), the pile \(b)"
        }
    }
}
