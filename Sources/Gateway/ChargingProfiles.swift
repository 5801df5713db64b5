import Foundation
import OCPP
import SessionStore

/// The charging profiles each pile holds, as the gateway knows them: every
/// SetChargingProfile the pile accepted (sent as a command, or a remote start's
/// chargingProfile) is stored, replacing what it replaces on the pile; an accepted
/// ClearChargingProfile removes what it matches; a TxProfile ends with its transaction
/// (the store removes it when the session stops).
extension Gateway {
    /// Called by `command` after the pile answered: keeps what the gateway knows of the
    /// pile's profiles (and list) in step with what the pile accepted.
    func commandAnswered(_ chargePointId: String, version: OCPPVersion, action: String, payload: JSON, answer: JSON) async {
        let accepted = answer["status"]?.stringValue == "Accepted"
        let now = Date()
        var write: StoreCommand?
        // Both versions name these actions alike, except the remote starts.
        switch action {
        case "SetChargingProfile":
            guard accepted else { return }
            write = Self.profileRecord(fromSet: payload, version: version, chargePointId: chargePointId, now: now).map(StoreCommand.installChargingProfile)
        case "RemoteStartTransaction", "RequestStartTransaction":
            guard accepted, let profile = payload["chargingProfile"] else { return }
            let connector = (version == .v16 ? payload["connectorId"] : payload["evseId"])?.intValue ?? 0
            write = Self.profileRecord(profile, connectorId: connector, version: version, chargePointId: chargePointId, now: now)
                .map(StoreCommand.installChargingProfile)
        case "SendLocalList":
            guard accepted else { return }
            await localListSentElsewhere(chargePointId, version: version, payload: payload)
            return
        case "GetLocalListVersion":
            await localListVersionReported(chargePointId, version: version, answer: answer)
            return
        case "ClearChargingProfile":
            guard accepted else { return }
            write = .clearChargingProfiles(chargePointId: chargePointId, Self.clearFilter(payload, version: version))
        default:
            return
        }
        guard let write else { return }
        do {
            _ = try await store.write(write)
        } catch {
            logger.error("\(action) accepted by \(chargePointId) but not stored: \(error)", metadata: ["chargePoint": "\(chargePointId)"])
        }
    }

    /// The record of a SetChargingProfile's profile (1.6 connectorId + csChargingProfiles,
    /// 2.0.1 evseId + chargingProfile); nil when the payload lacks them (it passed the schema, so it does not).
    static func profileRecord(fromSet payload: JSON, version: OCPPVersion, chargePointId: String, now: Date) -> ChargingProfileRecord? {
        let connector = (version == .v16 ? payload["connectorId"] : payload["evseId"])?.intValue
        guard let connector, let profile = version == .v16 ? payload["csChargingProfiles"] : payload["chargingProfile"] else { return nil }
        return profileRecord(profile, connectorId: connector, version: version, chargePointId: chargePointId, now: now)
    }

    static func profileRecord(_ profile: JSON, connectorId: Int64, version: OCPPVersion, chargePointId: String, now: Date) -> ChargingProfileRecord? {
        guard let id = (version == .v16 ? profile["chargingProfileId"] : profile["id"])?.intValue,
            let stack = profile["stackLevel"]?.intValue, let purpose = profile["chargingProfilePurpose"]?.stringValue,
            let connector = Int(exactly: connectorId), let profileId = Int(exactly: id), let stackLevel = Int(exactly: stack)
        else { return nil }
        let transaction: String? =
            switch profile["transactionId"] {
            case .integer(let n): String(n)
            case .string(let s): s
            default: nil
            }
        return ChargingProfileRecord(
            chargePointId: chargePointId, connectorId: connector, chargingProfileId: profileId, purpose: purpose, stackLevel: stackLevel,
            transactionId: transaction, validFrom: profile["validFrom"]?.stringValue.flatMap { OCPPTimestamp.parse($0)?.date },
            validTo: profile["validTo"]?.stringValue.flatMap { OCPPTimestamp.parse($0)?.date }, profile: profile.text, ocppVersion: version.label,
            storedAt: now)
    }

    /// A ClearChargingProfile's filter (1.6: id, connectorId, chargingProfilePurpose,
    /// stackLevel; 2.0.1: chargingProfileId, chargingProfileCriteria).
    static func clearFilter(_ payload: JSON, version: OCPPVersion) -> ChargingProfileFilter {
        func int(_ value: JSON?) -> Int? { value?.intValue.flatMap { Int(exactly: $0) } }
        switch version {
        case .v16:
            return ChargingProfileFilter(
                id: int(payload["id"]), connectorId: int(payload["connectorId"]), purpose: payload["chargingProfilePurpose"]?.stringValue,
                stackLevel: int(payload["stackLevel"]))
        case .v201:
            let criteria = payload["chargingProfileCriteria"]
            return ChargingProfileFilter(
                id: int(payload["chargingProfileId"]), connectorId: int(criteria?["evseId"]),
                purpose: criteria?["chargingProfilePurpose"]?.stringValue, stackLevel: int(criteria?["stackLevel"]))
        }
    }

    /// The profiles the pile holds, as far as the gateway knows.
    public func chargingProfiles(_ chargePointId: String) async throws -> [ChargingProfileRecord] {
        try await store.chargingProfiles(chargePointId: chargePointId)
    }

    /// SetChargingProfile in the pile's version: 1.6 `connectorId` + `csChargingProfiles`,
    /// 2.0.1 `evseId` + `chargingProfile`. Answers the pile's word; stored when Accepted.
    public func setChargingProfile(
        _ chargePointId: String, connectorId: Int, profile: JSON, issuedBy: String
    ) async throws(CommandFailure) -> (version: OCPPVersion, answer: JSON) {
        let version = await commandVersion(chargePointId)
        let payload: JSON =
            version == .v16
            ? ["connectorId": .integer(Int64(connectorId)), "csChargingProfiles": profile]
            : ["evseId": .integer(Int64(connectorId)), "chargingProfile": profile]
        return (version, try await command(chargePointId, action: "SetChargingProfile", payload: payload, issuedBy: issuedBy))
    }
}
