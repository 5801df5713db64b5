import Foundation
import OCPP
import SessionStore

/// A limit a 2.0.1 station reported from outside the CSMS (NotifyChargingLimit: an EMS, the
/// grid operator), as a notice's `detail`; a ClearedChargingLimit is one without a schedule.
public struct ExternalChargingLimit: Sendable, Codable, Equatable {
    /// 0: the whole station. In a clearing, nil: every EVSE of that source.
    public var evseId: Int?
    /// EMS, SO, Other (CSO limits are profiles the CSMS set).
    public var source: String
    public var isGridCritical: Bool?
    /// The schedules, without the periods whose numbers no pile can mean (findings say which).
    public var chargingSchedule: [V201.ChargingSchedule]?
    public var reportedAt: Date

    public init(evseId: Int?, source: String, isGridCritical: Bool? = nil, chargingSchedule: [V201.ChargingSchedule]? = nil, reportedAt: Date) {
        self.evseId = evseId
        self.source = source
        self.isGridCritical = isGridCritical
        self.chargingSchedule = chargingSchedule
        self.reportedAt = reportedAt
    }
}

/// What the EV said it needs (NotifyEVChargingNeeds), range-checked: a value no car can
/// mean is left out (with a finding), so a load manager may read every field as sound.
public struct EVChargingNeeds: Sendable, Codable, Equatable {
    public var evseId: Int
    /// DC, AC_single_phase, AC_two_phase, AC_three_phase.
    public var requestedEnergyTransfer: String
    public var departureTime: Date?
    public var energyAmountWh: Int?
    public var evMinCurrentA: Int?
    public var evMaxCurrentA: Int?
    public var evMaxVoltageV: Int?
    public var evMaxPowerW: Int?
    public var stateOfCharge: Int?
    public var evEnergyCapacityWh: Int?
    public var fullSoC: Int?
    public var bulkSoC: Int?
    public var maxScheduleTuples: Int?
    public var reportedAt: Date
}

/// The smart-charging state a station reported, newest per EVSE, for the pile's API view
/// and a load manager. Read from its notices, so it survives restarts.
public struct ReportedChargingState: Sendable, Codable, Equatable {
    /// The external limit in force per EVSE (0: the station), none once cleared.
    public var externalLimits: [ExternalChargingLimit]
    /// The EV's needs per EVSE, as last notified.
    public var evChargingNeeds: [EVChargingNeeds]
}

extension Gateway {
    /// How many of a pile's newest notices of each kind are read: older limits and needs
    /// than that are long superseded.
    static let smartChargingNoticeWindow = 200

    /// The limits and EV needs the pile last reported, per EVSE.
    public func reportedChargingState(_ chargePointId: String) async throws -> ReportedChargingState {
        func read(_ kind: PileNoticeRecord.Kind) async throws -> [PileNoticeRecord] {
            try await store.notices(chargePointId: chargePointId, kind: kind, limit: Self.smartChargingNoticeWindow)
        }
        let limits = try await read(.chargingLimit) + read(.chargingLimitCleared)
        let needs = try await read(.evChargingNeeds)
        return ReportedChargingState(externalLimits: Self.limitsInForce(limits), evChargingNeeds: Self.newestPerEVSE(needs))
    }

    /// Replays set and cleared limits oldest first: a clearing removes its source's limit
    /// on its EVSE (or on every EVSE).
    static func limitsInForce(_ notices: [PileNoticeRecord]) -> [ExternalChargingLimit] {
        var inForce: [Int: ExternalChargingLimit] = [:]
        for notice in notices.sorted(by: { $0.id < $1.id }) {
            guard let limit: ExternalChargingLimit = decodeDetail(notice) else { continue }
            if notice.kind == .chargingLimit {
                inForce[limit.evseId ?? 0] = limit
            } else {
                inForce = inForce.filter { evse, held in held.source != limit.source || (limit.evseId.map { $0 != evse } ?? false) }
            }
        }
        return inForce.values.sorted { ($0.evseId ?? 0) < ($1.evseId ?? 0) }
    }

    static func newestPerEVSE(_ notices: [PileNoticeRecord]) -> [EVChargingNeeds] {
        var newest: [Int: EVChargingNeeds] = [:]
        for notice in notices.sorted(by: { $0.id < $1.id }) {
            if let needs: EVChargingNeeds = decodeDetail(notice) { newest[needs.evseId] = needs }
        }
        return newest.values.sorted { $0.evseId < $1.evseId }
    }

    /// A notice's JSON detail; nil for one written otherwise (older, or damaged).
    static func decodeDetail<T: Decodable>(_ notice: PileNoticeRecord) -> T? {
        guard let text = notice.detail, let json = try? JSONParser.parse(text) else { return nil }
        return try? JSONValueDecoder().decode(T.self, from: json)
    }
}
