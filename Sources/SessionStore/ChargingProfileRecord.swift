import Foundation

/// A charging profile a pile accepted (1.6 SetChargingProfile, a RemoteStartTransaction's
/// chargingProfile, 2.0.1 SetChargingProfile): where it applies, its keys for replacement
/// and clearing, and the profile as sent.
public struct ChargingProfileRecord: Sendable, Codable, Equatable {
    public var chargePointId: String
    /// The 1.6 connectorId, or the 2.0.1 evseId (0: the whole pile).
    public var connectorId: Int
    public var chargingProfileId: Int
    /// ChargePointMaxProfile (2.0.1 ChargingStationMaxProfile), TxDefaultProfile, TxProfile (2.0.1 also ChargingStationExternalConstraints).
    public var purpose: String
    public var stackLevel: Int
    /// A TxProfile's transaction (1.6: the transaction id; 2.0.1: the station's transaction id).
    public var transactionId: String?
    public var validFrom: Date?
    public var validTo: Date?
    /// The profile's JSON as it was sent.
    public var profile: String
    public var ocppVersion: String
    public var storedAt: Date
    /// The chargingLimitSource a 2.0.1 station reported it under (CSO, EMS, SO, Other);
    /// nil for a profile this gateway set and the station has not reported since.
    public var source: String?
    /// When the station last reported holding it (ReportChargingProfiles); nil if never.
    public var reportedAt: Date?

    public init(
        chargePointId: String, connectorId: Int, chargingProfileId: Int, purpose: String, stackLevel: Int, transactionId: String? = nil,
        validFrom: Date? = nil, validTo: Date? = nil, profile: String, ocppVersion: String, storedAt: Date, source: String? = nil,
        reportedAt: Date? = nil
    ) {
        self.source = source
        self.reportedAt = reportedAt
        self.chargePointId = chargePointId
        self.connectorId = connectorId
        self.chargingProfileId = chargingProfileId
        self.purpose = purpose
        self.stackLevel = stackLevel
        self.transactionId = transactionId
        self.validFrom = validFrom
        self.validTo = validTo
        self.profile = profile
        self.ocppVersion = ocppVersion
        self.storedAt = storedAt
    }
}

/// Which profiles a ClearChargingProfile clears: by id (the other fields then do not
/// matter), else every profile matching all the fields given (none given: all).
public struct ChargingProfileFilter: Sendable, Codable, Equatable {
    public var id: Int?
    public var connectorId: Int?
    public var purpose: String?
    public var stackLevel: Int?

    public init(id: Int? = nil, connectorId: Int? = nil, purpose: String? = nil, stackLevel: Int? = nil) {
        self.id = id
        self.connectorId = connectorId
        self.purpose = purpose
        self.stackLevel = stackLevel
    }

    public func matches(_ p: ChargingProfileRecord) -> Bool {
        if let id { return p.chargingProfileId == id }
        return (connectorId.map { $0 == p.connectorId } ?? true) && (purpose.map { $0 == p.purpose } ?? true)
            && (stackLevel.map { $0 == p.stackLevel } ?? true)
    }
}

extension ChargingProfileRecord {
    /// The profiles a pile holds after it accepted `new` (1.6 §3.13.2, 2.0.1 K01): `new`
    /// replaces the profile with its id, and the one with its purpose and stack level on its connector.
    public static func installing(_ new: ChargingProfileRecord, into held: [ChargingProfileRecord]) -> [ChargingProfileRecord] {
        held.filter { old in
            old.chargingProfileId != new.chargingProfileId
                && !(old.connectorId == new.connectorId && old.stackLevel == new.stackLevel && old.purpose == new.purpose)
        } + [new]
    }

    /// The profiles a pile holds after it accepted a ClearChargingProfile with `filter`.
    public static func clearing(_ filter: ChargingProfileFilter, from held: [ChargingProfileRecord]) -> [ChargingProfileRecord] {
        held.filter { !filter.matches($0) }
    }
}

/// Which profiles a GetChargingProfiles asked about (2.0.1 K09): every field given must
/// match (none given: all the station holds). A profile the gateway set counts as CSO's.
public struct ChargingProfileScope: Sendable, Codable, Equatable {
    /// 0: the station itself; nil: every EVSE.
    public var evseId: Int?
    public var purpose: String?
    public var stackLevel: Int?
    public var ids: [Int]?
    public var sources: [String]?

    public init(evseId: Int? = nil, purpose: String? = nil, stackLevel: Int? = nil, ids: [Int]? = nil, sources: [String]? = nil) {
        self.evseId = evseId
        self.purpose = purpose
        self.stackLevel = stackLevel
        self.ids = ids
        self.sources = sources
    }

    public func matches(_ p: ChargingProfileRecord) -> Bool {
        (evseId.map { $0 == p.connectorId } ?? true) && (purpose.map { $0 == p.purpose } ?? true)
            && (stackLevel.map { $0 == p.stackLevel } ?? true) && (ids.map { $0.contains(p.chargingProfileId) } ?? true)
            && (sources.map { $0.contains(p.source ?? "CSO") } ?? true)
    }
}

/// What a 2.0.1 station reported it holds, all pages of one request together.
public struct ChargingProfileReport: Sendable, Equatable {
    public var chargePointId: String
    /// The part of the gateway's record the report is the whole truth for: what it held
    /// there and the station did not report is gone. Nil when the report speaks only for
    /// its own profiles (unrequested, or cut short at the gateway's cap).
    public var scope: ChargingProfileScope?
    public var profiles: [ChargingProfileRecord]
    /// Ids the same report's earlier pages named (already stored): kept in the scope.
    public var alreadyReported: Set<Int>

    public init(chargePointId: String, scope: ChargingProfileScope?, profiles: [ChargingProfileRecord], alreadyReported: Set<Int> = []) {
        self.chargePointId = chargePointId
        self.scope = scope
        self.profiles = profiles
        self.alreadyReported = alreadyReported
    }
}

extension ChargingProfileRecord {
    /// The profiles a pile holds as far as the gateway knows, after the station's `report`.
    public static func reconciling(_ report: ChargingProfileReport, with held: [ChargingProfileRecord]) -> [ChargingProfileRecord] {
        let kept = report.scope.map { scope in held.filter { !scope.matches($0) || report.alreadyReported.contains($0.chargingProfileId) } } ?? held
        return report.profiles.reduce(kept) { installing($1, into: $0) }
    }
}
