import Foundation

// The words the gateway thinks, stores and shows in, whichever OCPP version a pile
// speaks. Where 1.6 and 2.0.1 share a word, the raw value is that word, so stored rows,
// the API and the dashboard read the same for both; each version's handlers map their
// enums onto these (V16/V16Mapping.swift).

/// A connector's state. 1.6 reports it whole in StatusNotification; 2.0.1 splits it
/// between StatusNotification (Available, Occupied, Reserved, Unavailable, Faulted) and
/// the charging state of TransactionEvent.
public enum ConnectorState: String, Sendable, Codable, CaseIterable {
    case available = "Available"
    case preparing = "Preparing"
    case charging = "Charging"
    case suspendedEV = "SuspendedEV"
    case suspendedEVSE = "SuspendedEVSE"
    case finishing = "Finishing"
    case reserved = "Reserved"
    case unavailable = "Unavailable"
    case faulted = "Faulted"
    /// 2.0.1: something is plugged in or a transaction runs; which, its TransactionEvents tell.
    case occupied = "Occupied"

    /// Energy may flow in a transaction.
    public var isChargingLike: Bool { self == .charging || self == .suspendedEV || self == .suspendedEVSE }
    /// The connector has no transaction.
    public var isIdle: Bool { self == .available || self == .preparing || self == .reserved || self == .unavailable }
}

/// Why a session ended: the union of 1.6's and 2.0.1's reasons, and the gateway's own
/// for sessions it closed because the pile forgot them (SessionReconciliation.swift).
public enum StopReason: String, Sendable, Codable, CaseIterable {
    case deAuthorized = "DeAuthorized", emergencyStop = "EmergencyStop", evDisconnected = "EVDisconnected"
    case hardReset = "HardReset", local = "Local", other = "Other", powerLoss = "PowerLoss", reboot = "Reboot"
    case remote = "Remote", softReset = "SoftReset", unlockCommand = "UnlockCommand"
    // 2.0.1 only.
    case energyLimitReached = "EnergyLimitReached", groundFault = "GroundFault", immediateReset = "ImmediateReset"
    case localOutOfCredit = "LocalOutOfCredit", masterPass = "MasterPass", overcurrentFault = "OvercurrentFault"
    case powerQuality = "PowerQuality", socLimitReached = "SOCLimitReached", stoppedByEV = "StoppedByEV"
    case timeLimitReached = "TimeLimitReached", timeout = "Timeout"
    // The gateway's: the pile never ended these.
    case superseded, pileRebooted = "pile_rebooted", connectorIdle = "connector_idle", closedByOperator = "operator"
}

/// What the gateway says of an id token: the union of 1.6's AuthorizationStatus and
/// 2.0.1's AuthorizationStatusEnumType.
public enum TokenStatus: String, Sendable, Codable, CaseIterable {
    case accepted = "Accepted", blocked = "Blocked", expired = "Expired", invalid = "Invalid"
    /// The token already has a transaction running elsewhere.
    case concurrentTx = "ConcurrentTx"
    // 2.0.1 only.
    case noCredit = "NoCredit", notAllowedTypeEVSE = "NotAllowedTypeEVSE", notAtThisLocation = "NotAtThisLocation"
    case notAtThisTime = "NotAtThisTime", unknown = "Unknown"
}

/// The verdict on an id token (1.6 IdTagInfo, 2.0.1 IdTokenInfo).
public struct TokenVerdict: Sendable, Equatable {
    public var status: TokenStatus
    public var expiry: Date?
    /// 1.6 parentIdTag, 2.0.1 groupIdToken.
    public var group: String?

    public init(status: TokenStatus, expiry: Date? = nil, group: String? = nil) {
        self.status = status
        self.expiry = expiry
        self.group = group
    }
}

/// Whether a booting pile may talk, and when to ask again.
public enum RegistrationVerdict: String, Sendable { case accepted = "Accepted", pending = "Pending", rejected = "Rejected" }

/// Measurand names (the same strings in 1.6 and 2.0.1).
public enum Measurand {
    public static let energyImportRegister = "Energy.Active.Import.Register"
    public static let powerImport = "Power.Active.Import"
    public static let powerFactor = "Power.Factor"
    public static let soc = "SoC"
    public static let currentImport = "Current.Import"
    public static let voltage = "Voltage"
}

/// Reading contexts that say a reading belongs to a transaction (the same in both versions).
public enum ReadingContext {
    public static let samplePeriodic = "Sample.Periodic"
    public static let transactionBegin = "Transaction.Begin"
    public static let transactionEnd = "Transaction.End"
    public static let transactionBound: Set<String> = [samplePeriodic, transactionBegin, transactionEnd]
}
