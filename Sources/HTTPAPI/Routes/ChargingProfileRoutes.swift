import Foundation
import Gateway
import NIOHTTP1
import OCPP
import OCPPWebSocket
import SessionStore

/// `/api/chargepoints/{id}/charging-profiles`: the profiles a pile accepted and holds, as
/// the gateway knows them; POST sets one (docs/api.md#charging-profiles).
enum ChargingProfileRoutes {
    static func list(_ gateway: Gateway, chargePointId: String) async throws -> HTTPResponse {
        .json(.array(try await gateway.chargingProfiles(chargePointId).map(view)))
    }

    /// POST `{"connectorId", "csChargingProfiles"}` (1.6) or `{"evseId", "chargingProfile"}` (2.0.1; either spelling for either version).
    static func set(_ request: HTTPRequest, _ gateway: Gateway, chargePointId: String) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        guard let connectorValue = body["connectorId"] ?? body["evseId"], let profile = body["csChargingProfiles"] ?? body["chargingProfile"],
            profile.objectValue != nil
        else {
            throw APIError(
                .badRequest, "invalid_request", "the body needs \"connectorId\" and \"csChargingProfiles\" (1.6; 2.0.1: \"evseId\" and \"chargingProfile\")")
        }
        guard let connector = connectorValue.intValue, (0...1000).contains(connector) else {
            throw APIError(.badRequest, "invalid_request", "connectorId must be a whole number from 0 to 1000")
        }
        do {
            let (version, answer) = try await gateway.setChargingProfile(chargePointId, connectorId: Int(connector), profile: profile, issuedBy: request.issuedBy)
            let held = try await gateway.chargingProfiles(chargePointId)
            return .json(["ocppVersion": .string(version.label), "response": answer, "profiles": .array(held.map(view))])
        } catch let error as CommandFailure {
            throw APIError(error)
        }
    }

    static func view(_ p: ChargingProfileRecord) -> JSON {
        func time(_ date: Date?) -> JSON { date.map { .string(OCPPTimestamp.format($0)) } ?? .null }
        var o = JSONObject()
        o["connectorId"] = .integer(Int64(p.connectorId))
        o["chargingProfileId"] = .integer(Int64(p.chargingProfileId))
        o["purpose"] = .string(p.purpose)
        o["stackLevel"] = .integer(Int64(p.stackLevel))
        // 1.6 transaction ids are integers, 2.0.1 ones strings: each as its version writes it.
        o["transactionId"] = p.transactionId.map { id in p.ocppVersion == OCPPVersion.v16.label ? Int64(id).map(JSON.integer) ?? .string(id) : .string(id) } ?? .null
        o["validFrom"] = time(p.validFrom)
        o["validTo"] = time(p.validTo)
        o["profile"] = (try? JSONParser.parse(p.profile)) ?? .null
        o["ocppVersion"] = .string(p.ocppVersion)
        o["storedAt"] = time(p.storedAt)
        // 2.0.1 ReportChargingProfiles: the source the station holds it under, and when it said so.
        o["source"] = p.source.map(JSON.string) ?? .null
        o["reportedAt"] = time(p.reportedAt)
        return .object(o)
    }
}

extension APIRoute {
    static let chargingProfiles = APIRoute(
        .GET, "/api/chargepoints/{id}/charging-profiles", "chargingProfiles",
        """
        The charging profiles the pile accepted and still holds, as the gateway knows them; for a 2.0.1 station, brought in line \
        with its ReportChargingProfiles (send GetChargingProfiles as a command).
        """, access: .read, parameters: [.chargePointId],
        replies: [.ok("Profiles by connector, purpose and stack level", .list("ChargingProfile"))] + Reply.fails(503)
    ) { call in try await ChargingProfileRoutes.list(call.gateway, chargePointId: call["id"]) }

    static let setChargingProfile = APIRoute(
        .POST, "/api/chargepoints/{id}/charging-profiles", "setChargingProfile", "SetChargingProfile in the pile's version; stored when the pile accepts.",
        access: .write, parameters: [.chargePointId], body: .json("ChargingProfileRequest"),
        replies: [.ok("The pile's answer and the profiles it now holds", .one("ChargingProfileAnswer"))] + Reply.commandFailures
    ) { call in try await ChargingProfileRoutes.set(call.request, call.gateway, chargePointId: call["id"]) }

    static let chargingProfileRoutes: [APIRoute] = [chargingProfiles, setChargingProfile, compositeSchedule]
}
