import OCPP

// Rules about what the messages mean together: registers, transactions, statuses,
// clocks, heartbeats and message ids. Each is checked per connection in
// `ChargePointSession` (ComplianceChecks.swift); definitions are in docs/rules.md.
extension FindingRule {
    public static let messageIdReused = FindingRule(
        id: "rpc.message-id-reused", severity: .error,
        summary: "A message id already used for a different CALL among the last 64 of this connection.",
        reference: "OCPP-J 1.6 §4.1.4", strictReply: .genericError, recorded: .oncePerConnection)

    public static let energyRegisterDecreased = FindingRule(
        id: "session.energy-register-decreased", severity: .error,
        summary: "Energy.Active.Import.Register went below an earlier reading (or meterStart) of the same transaction.",
        reference: "OCPP 1.6 §7.31; docs/ocpp-notes.md (energy registers)", strictReply: .propertyConstraintViolation,
        recorded: .oncePerTransaction)

    public static let meterValuesOutsideTransaction = FindingRule(
        id: "session.meter-values-outside-transaction", severity: .warning,
        summary: "Transaction-bound readings (Sample.Periodic, Transaction.Begin/End) for a connector known to be idle.",
        reference: "OCPP 1.6 §4.7, §9.1 MeterValueSampleInterval", strictReply: .occurrenceConstraintViolation)

    public static let socOutOfRange = FindingRule(
        id: "meter.soc-out-of-range", severity: .warning,
        summary: "A SoC reading outside 0–100 percent (stored and shown as sent).",
        reference: "OCPP 1.6 §7.31 Measurand SoC, §7.45 UnitOfMeasure Percent", strictReply: .propertyConstraintViolation,
        recorded: .oncePerConnection)

    public static let stopBeforeStart = FindingRule(
        id: "session.stop-before-start", severity: .error,
        summary: "StopTransaction timestamped before its transaction's StartTransaction.",
        reference: "OCPP 1.6 §4.8, §4.10", strictReply: .propertyConstraintViolation)

    public static let illegalStatusTransition = FindingRule(
        id: "status.illegal-transition", severity: .warning,
        summary: "A connector status change the 1.6 status table does not allow (e.g. Available → Finishing).",
        reference: "OCPP 1.6 §4.9 (status transition table)", strictReply: .propertyConstraintViolation)

    public static let faultedWithoutError = FindingRule(
        id: "status.faulted-without-error", severity: .warning,
        summary: "A connector reported Faulted with errorCode NoError: a fault that names no error.",
        reference: "OCPP 1.6 §4.9, §7.6 (ChargePointErrorCode: NoError is no error to report)", strictReply: .propertyConstraintViolation)

    public static let statusMissingAroundSession = FindingRule(
        id: "status.missing-around-session", severity: .warning,
        summary: "No Charging/SuspendedEV/SuspendedEVSE status during a transaction, or no status after its stop.",
        reference: "OCPP 1.6 §4.9, §4.8, §4.10")

    public static let timestampAhead = FindingRule(
        id: "clock.timestamp-ahead", severity: .error,
        summary: "A pile timestamp later than the gateway's receive time by more than clockTolerance.",
        reference: "OCPP 1.6 §4.2, §4.6 (currentTime to set the pile's clock)", strictReply: .propertyConstraintViolation,
        recorded: .oncePerConnection)

    public static let timestampBehind = FindingRule(
        id: "clock.timestamp-behind", severity: .warning,
        summary: "A live message timestamped earlier than its receive time by more than clockTolerance.",
        reference: "OCPP 1.6 §4.2, §4.6 (currentTime to set the pile's clock)", strictReply: .propertyConstraintViolation,
        recorded: .oncePerConnection)

    public static let heartbeatTooFrequent = FindingRule(
        id: "heartbeat.too-frequent", severity: .info,
        summary: "A Heartbeat less than half the heartbeat interval after the previous one, unrequested.",
        reference: "OCPP 1.6 §4.6, §9.1 HeartbeatInterval", recorded: .oncePerConnection)

    public static let silentTooLong = FindingRule(
        id: "heartbeat.silent-too-long", severity: .warning,
        summary: "No message at all from the pile for more than twice its heartbeat interval.",
        reference: "OCPP 1.6 §4.6, §9.1 HeartbeatInterval")
}
