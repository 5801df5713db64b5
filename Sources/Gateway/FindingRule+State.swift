import OCPP

// Rules about transactions against the connector's state, and about status discipline.
// Checked per connection in `ChargePointSession` (StateChecks.swift); what triggers each,
// and what does not, is in docs/rules.md ("How the semantic rules decide").
extension FindingRule {
    public static let startOnInoperativeConnector = FindingRule(
        id: "session.start-on-inoperative-connector", severity: .warning,
        summary: "A transaction started on a connector last reported Faulted or Unavailable (or on a pile whose connector 0 was, since).",
        reference: "OCPP 1.6 §4.9, §5.2 (an Unavailable connector starts no transaction); OCPP 2.0.1 G03, G04")

    public static let concurrentTransaction = FindingRule(
        id: "session.concurrent-transaction", severity: .error,
        summary: "A second transaction started on a connector whose first was not stopped; the older one is closed as superseded.",
        reference: "OCPP 1.6 §4.8, §4.10 (one transaction per connector); OCPP 2.0.1 E01, E06")

    public static let chargingWithoutTransaction = FindingRule(
        id: "session.charging-without-transaction", severity: .error,
        summary: "A connector reported Charging and delivered energy (power or a rising register) with no transaction running or starting.",
        reference: "OCPP 1.6 §4.8 (energy is delivered within a transaction), §4.9 Charging", tolerance: "`idlePowerW` (default 100 W)")

    public static let meterValuesAfterStop = FindingRule(
        id: "session.meter-values-after-stop", severity: .warning,
        summary: "MeterValues naming a transaction after its StopTransaction was received (in message order).",
        reference: "OCPP 1.6 §4.7 (a transaction's meter values are sent during it), §4.10")

    public static let chargingAfterRefusal = FindingRule(
        id: "session.charging-after-refusal", severity: .error,
        summary: "The start's token was answered Blocked, Invalid or Expired and the pile went on charging (energy or a Charging status).",
        reference: "OCPP 1.6 §4.8, §9.1 StopTransactionOnInvalidId, MaxEnergyOnInvalidId; OCPP 2.0.1 E05, C03",
        recorded: .oncePerTransaction, tolerance: "`refusedEnergyWh` (default 250 Wh), `refusedGraceSeconds` (default 60 s)")

    public static let stopTagMismatch = FindingRule(
        id: "session.stop-tag-mismatch", severity: .warning,
        summary: "StopTransaction idTag is not the start's tag, not of its group (parentIdTag), nor a tag this gateway accepts.",
        reference: "OCPP 1.6 §4.10, §3.5.1 (stopping by the same tag or one of its group)")

    public static let transactionBeginRepeated = FindingRule(
        id: "session.transaction-begin-repeated", severity: .warning,
        summary: "Transaction.Begin readings sent twice for one transaction, with different timestamps and registers.",
        reference: "OCPP 1.6 §4.7, §7.30 ReadingContext; OCPP 2.0.1 J02", recorded: .oncePerTransaction)

    public static let transactionEndMissing = FindingRule(
        id: "session.transaction-end-missing", severity: .warning,
        summary: "A transaction ended without Transaction.End readings although the pile is configured to send them.",
        reference: "OCPP 1.6 §9.1 StopTxnSampledData, §4.10 transactionData; OCPP 2.0.1 J02, SampledDataCtrlr.TxEndedMeasurands")

    public static let statusStorm = FindingRule(
        id: "status.storm", severity: .warning,
        summary: "The same status on the same connector sent more often than statusRepeatsPerSecond within one second.",
        reference: "OCPP 1.6 §4.9 (a status is sent when it changes)", recorded: .oncePerConnection,
        tolerance: "`statusRepeatsPerSecond` (default 3)")

    public static let connectorBeyondCount = FindingRule(
        id: "status.connector-beyond-count", severity: .warning,
        summary: "A message names a connector (2.0.1: EVSE) beyond the pile's known count (configuration, device model or registry).",
        reference: "OCPP 1.6 §9.1 NumberOfConnectors, §4.9; OCPP 2.0.1 B07 (EVSE components)", recorded: .oncePerConnection)

    /// The family's rules, appended to `catalog`.
    static let stateRules: [FindingRule] = [
        startOnInoperativeConnector, concurrentTransaction, chargingWithoutTransaction, meterValuesAfterStop, chargingAfterRefusal,
        stopTagMismatch, transactionBeginRepeated, transactionEndMissing, statusStorm, connectorBeyondCount,
    ]
}
