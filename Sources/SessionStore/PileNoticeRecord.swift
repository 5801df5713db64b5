import Foundation

/// What a pile reported of its own jobs and state outside charging: firmware and
/// diagnostics/log upload statuses and security events. Each firmware, diagnostics or log
/// job's history is its notices in order (`requestId` where the version has one). A 2.0.1
/// station's smart-charging news are notices too: external limits (NotifyChargingLimit,
/// ClearedChargingLimit) and the EV's needs and schedule (NotifyEVChargingNeeds,
/// NotifyEVChargingSchedule), their content as JSON in `detail`.
public struct PileNoticeRecord: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case firmware, diagnostics, log, security
        case chargingLimit, chargingLimitCleared, evChargingNeeds, evChargingSchedule
    }

    public var id: Int64
    public var chargePointId: String
    /// When the gateway received it.
    public var time: Date
    public var kind: Kind
    /// The pile's status word (Downloading, Installed, Uploaded …), the security event's
    /// type, a limit's chargingLimitSource, the EV's requestedEnergyTransfer or its
    /// schedule's chargingRateUnit.
    public var status: String
    public var requestId: Int64?
    /// The security event's techInfo, the pile's own time for it, the signed variant's
    /// name, or a smart-charging notice's content (JSON).
    public var detail: String?
    public var ocppVersion: String

    public init(
        id: Int64 = 0, chargePointId: String, time: Date, kind: Kind, status: String, requestId: Int64? = nil, detail: String? = nil,
        ocppVersion: String
    ) {
        self.id = id
        self.chargePointId = chargePointId
        self.time = time
        self.kind = kind
        self.status = status
        self.requestId = requestId
        self.detail = detail
        self.ocppVersion = ocppVersion
    }
}
