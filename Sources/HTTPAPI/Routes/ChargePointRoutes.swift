import OCPP
import SessionStore

/// The live map and what the gateway keeps of each pile.
extension APIRoute {
    static let listChargePoints = APIRoute(
        .GET, "/api/chargepoints", "listChargePoints",
        "The live map: piles with station, position, power, connectors with live status and QR codes, and the price now.",
        access: .read,
        parameters: [
            .query("network", .text, "Only this network (case-insensitive)."),
            .query("status", .text, "Only connected piles with a connector in this status, e.g. Available."),
            .words("powerClass", ChargePointViews.PowerClass.self, "slow ≤ 22 kW < fast ≤ 150 kW < ultra."),
            .query("near", .coordinates, "LAT,LON: sort by distance from here (piles without a position are left out)."),
            .query("radiusKm", .number(0...20_000), "With near: only piles within this distance."),
            .limit(1...100_000, default: 100_000),
        ],
        replies: [.ok("Piles", .list("ChargePoint"))]
    ) { call in
        .json(ChargePointViews(gateway: call.gateway).list(try await call.store.chargePoints(), filter: try call.mapFilter(), now: call.now))
    }

    public static let getChargePoint = APIRoute(
        .GET, "/api/chargepoints/{id}", "getChargePoint", "One pile.", access: .read, parameters: [.chargePointId],
        replies: [.ok("The pile", .one("ChargePoint"))]
    ) { call in
        guard let detail = try await call.store.chargePoint(id: call["id"]) else {
            throw APIError(.notFound, "charge_point_not_found", "no charge point \(call["id"])")
        }
        var view = ChargePointViews(gateway: call.gateway).view(detail, now: call.now).objectValue ?? JSONObject()
        // What a 2.0.1 station reported of limits from outside and of its EVs' needs.
        let reported = try await call.gateway.reportedChargingState(call["id"])
        view["chargingLimits"] = encodeJSON(reported.externalLimits)
        view["evChargingNeeds"] = encodeJSON(reported.evChargingNeeds)
        return .json(.object(view))
    }

    public static let chargePointFindings = APIRoute(
        .GET, "/api/chargepoints/{id}/findings", "chargePointFindings", "A pile's compliance findings, newest first.", access: .read,
        parameters: [.chargePointId, .limit()], replies: [.ok("Findings", .list("Finding"))]
    ) { call in .json(FindingViews.list(try await call.store.findings(chargePointId: call["id"], limit: try call.limit))) }

    public static let chargePointMessages = APIRoute(
        .GET, "/api/chargepoints/{id}/messages", "chargePointMessages",
        "A pile's most recent frames, oldest first; with messageId, the frames of that message (a finding's evidence).", access: .read,
        parameters: [.chargePointId, .limit(), .query("messageId", .text, "Only the frames with this message id: the CALL and its answer.")],
        replies: [.ok("Frames", .list("Frame"))]
    ) { call in
        let frames: [FrameRecord]
        if let messageId = call.text("messageId") {
            frames = try await call.store.frames(chargePointId: call["id"], messageId: messageId)
        } else {
            frames = try await call.store.frames(chargePointId: call["id"], limit: try call.limit)
        }
        return .json(.array(frames.map(SessionViews.frame)))
    }

    static let chargePointDeviceModel = APIRoute(
        .GET, "/api/chargepoints/{id}/device-model", "chargePointDeviceModel",
        "A 2.0.1 station's device model as its NotifyReports said (empty for 1.6 piles and stations not asked).", access: .read,
        parameters: [.chargePointId], replies: [.ok("Variable attributes, by component and variable", .list("DeviceModelAttribute"))]
    ) { call in .json(encodeJSON(try await call.store.deviceModel(chargePointId: call["id"]))) }

    static let chargePointNotices = APIRoute(
        .GET, "/api/chargepoints/{id}/notices", "chargePointNotices",
        """
        What the pile reported of its firmware, diagnostics and log jobs and its security events, newest first \
        (FirmwareStatusNotification, DiagnosticsStatusNotification, LogStatusNotification, SignedFirmwareStatusNotification, \
        SecurityEventNotification; both versions), and a 2.0.1 station's external limits and EV needs and schedules \
        (NotifyChargingLimit, ClearedChargingLimit, NotifyEVChargingNeeds, NotifyEVChargingSchedule; the content as JSON in detail).
        """,
        access: .read, parameters: [.chargePointId, .words("kind", PileNoticeRecord.Kind.self, "Only notices of this kind."), .limit()],
        replies: [.ok("Notices, newest first", .list("PileNotice"))] + Reply.fails(400)
    ) { call in
        let kind = try call.choice("kind", PileNoticeRecord.Kind.self)
        return .json(encodeJSON(try await call.store.notices(chargePointId: call["id"], kind: kind, limit: try call.limit)))
    }

    static let chargePoints: [APIRoute] = [listChargePoints, getChargePoint, chargePointFindings, chargePointMessages, chargePointDeviceModel, chargePointNotices]
}

extension RouteCall {
    /// The live map's filter from the query.
    func mapFilter() throws(APIError) -> ChargePointViews.Filter {
        let near = try coordinates("near")
        let radius = try number("radiusKm")
        if radius != nil && near == nil { throw APIError(.badRequest, "invalid_radiusKm", "radiusKm needs near=LAT,LON") }
        return ChargePointViews.Filter(
            network: text("network"), status: text("status"), powerClass: try powerClass(), near: near, radiusKm: radius, limit: try limit)
    }

    private func powerClass() throws(APIError) -> ChargePointViews.PowerClass? {
        guard let text = text("powerClass") else { return nil }
        guard let parsed = ChargePointViews.PowerClass(rawValue: text) else {
            throw APIError(.badRequest, "invalid_powerClass", "powerClass must be slow (≤ 22 kW), fast (≤ 150 kW) or ultra")
        }
        return parsed
    }
}
