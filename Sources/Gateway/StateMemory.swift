import Foundation
import OCPP

/// What the state rules (FindingRule+State.swift) keep per connection beyond the core of
/// `ComplianceState`: each connector's current run of one status, and the few settings of
/// the pile's configuration the rules depend on. Empty dictionaries until used.
struct StateMemory {
    /// One connector's latest status and how often it came in a row.
    struct StatusRun {
        var state: ConnectorState
        /// Arrival order among all statuses of the connection, to tell whether connector 0's
        /// status is newer than a connector's own.
        var order: Int
        /// When the run began, by the pile's clock (the receive time when it sent none).
        var since: Date
        /// Start of the current one-second window of repeats, by receive time, and its count.
        var windowStart: Date
        var windowCount: Int
    }

    var runs: [Int: StatusRun] = [:]
    var order = 0
    /// Connectors reported idle (or whose transaction stopped) on this connection: known to
    /// run no transaction unless this connection saw one start.
    var knownIdle = ConnectorSet()
    /// The last register reading of a connector reporting Charging with no transaction.
    var idleRegister: [Int: Double] = [:]
    var settings = PileSettings()
    /// The latest timestamp the pile sent on this connection: its clock's present, as far as
    /// we know it (a refusal applies from there).
    var latestPileTime: Date?

    /// The pile booted on this connection: a rebooted 1.6 pile ends its transactions
    /// (StopTransaction, reason Reboot or PowerLoss), so every connector is idle until one starts.
    var booted = false

    /// Forgets statuses at a reboot; what the configuration says survives it.
    mutating func pileRebooted() {
        runs = [:]
        knownIdle = ConnectorSet()
        idleRegister = [:]
        booted = true
    }
}

/// The settings of a pile's configuration the rules read, as the gateway saw them on the
/// wire (1.6 GetConfiguration answers and accepted ChangeConfiguration; 2.0.1 NotifyReport,
/// GetVariables answers and accepted SetVariables). Nil: not known, so no finding.
struct PileSettings {
    /// 1.6 StopTxnSampledData, 2.0.1 SampledDataCtrlr.TxEndedMeasurands is non-empty.
    var sendsTransactionEnd: Bool?
    /// 1.6 NumberOfConnectors, 2.0.1 the highest EVSE id of the device model.
    var connectorCount: Int?
    /// Our last GetBaseReport, and the highest EVSE id of its report so far (last page not yet come).
    var baseReportId: Int?
    var reportedEVSEs: Int?
    /// Our last configuration CALL, applied when the pile accepts it.
    var pending: (messageId: String, entries: [(key: String, value: String)])?

    /// Keys of either version, by the 1.6 name.
    static let endMeasurandKeys: Set<String> = ["StopTxnSampledData", "TxEndedMeasurands"]

    mutating func apply(key: String, value: String?) {
        if Self.endMeasurandKeys.contains(key), let value {
            sendsTransactionEnd = !value.split(separator: ",").allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty }
        } else if key == "NumberOfConnectors", let count = value.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
            (0...WireBounds.connectorId.upperBound).contains(count)
        {
            connectorCount = count
        }
    }
}
