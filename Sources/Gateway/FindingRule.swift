import OCPP

/// A compliance rule the gateway checks on every frame. Ids are stable: reports and
/// users' scripts rely on them.
public struct FindingRule: Sendable, Hashable {
    public enum Severity: String, Sendable, Codable { case error, warning, info }

    public let id: String
    public let severity: Severity
    public let summary: String
    /// Where the spec (or docs/ocpp-notes.md) says so.
    public let reference: String
    /// The CALLERROR a strict policy answers the offending CALL with; nil when the rule is
    /// only recorded (it concerns history, the transport, or a message the spec says to
    /// acknowledge anyway).
    public let strictReply: RPCErrorCode?
    /// How often it is stored: rules a misbehaving pile would break on every message (a
    /// wrong clock, a heartbeat loop) are stored once per connection, so they cannot flood
    /// the store; a strict policy still answers every occurrence.
    public let recorded: Recording
    /// The `tolerances` key(s) the rule reads, with their default, for docs/rules.md; nil
    /// when the rule has no margin (the spec's letter decides).
    public let tolerance: String?

    public enum Recording: String, Sendable {
        case everyTime = "every time"
        case oncePerTransaction = "once per transaction"
        case oncePerConnection = "once per connection"
    }

    public init(
        id: String, severity: Severity, summary: String, reference: String, strictReply: RPCErrorCode? = nil,
        recorded: Recording = .everyTime, tolerance: String? = nil
    ) {
        self.id = id
        self.severity = severity
        self.summary = summary
        self.reference = reference
        self.strictReply = strictReply
        self.recorded = recorded
        self.tolerance = tolerance
    }

    // Transport.
    public static let missingSubprotocol = FindingRule(
        id: "transport.missing-subprotocol", severity: .warning,
        summary: "The handshake offered no Sec-WebSocket-Protocol; taken as OCPP 1.6.",
        reference: "OCPP-J 1.6 §3.1.2; docs/ocpp-notes.md, pitfall 11")
    public static let basicSchemeCase = FindingRule(
        id: "transport.basic-scheme-case", severity: .info,
        summary: "The handshake's Authorization scheme is not written `Basic` (`basic`, say): accepted (RFC 7235), but a stricter CSMS may refuse it.",
        reference: "RFC 7235 §2.1; OCPP 1.6 security whitepaper and OCPP 2.0.1 Part 2 A00 (security profile 1: HTTP Basic)", recorded: .oncePerConnection)
    public static let oversizedMessage = FindingRule(
        id: "transport.oversized-message", severity: .error,
        summary: "A WebSocket message exceeded the size limit and was refused (close 1009).", reference: "RFC 6455 §7.4.1")
    public static let keepaliveTimeout = FindingRule(
        id: "transport.keepalive-timeout", severity: .warning,
        summary: "The pile stopped answering WebSocket pings and was disconnected.", reference: "OCPP-J 1.6 §5.2")
    public static let binaryFrame = FindingRule(
        id: "transport.binary-frame", severity: .error, summary: "A binary WebSocket frame; OCPP-J uses text frames.",
        reference: "OCPP-J 1.6 §4")

    // RPC framing.
    public static let malformedFrame = FindingRule(
        id: "rpc.malformed-frame", severity: .error, summary: "A message that is not a valid OCPP-J RPC frame.",
        reference: "OCPP-J 1.6 §4.1")
    public static let unknownMessageType = FindingRule(
        id: "rpc.unknown-message-type", severity: .warning, summary: "An unknown message type id (ignored in 1.6).",
        reference: "OCPP-J 1.6 §4.1.3")
    public static let messageIdTooLong = FindingRule(
        id: "rpc.message-id-too-long", severity: .warning, summary: "A message id longer than 36 characters.",
        reference: "OCPP-J 1.6 §4.1.4")
    public static let unsolicitedReply = FindingRule(
        id: "rpc.unsolicited-reply", severity: .warning, summary: "A CALLRESULT or CALLERROR for no outstanding CALL.",
        reference: "OCPP-J 1.6 §4.1.4")
    public static let callTimeout = FindingRule(
        id: "rpc.call-timeout", severity: .error, summary: "The pile did not answer a CALL within the timeout.",
        reference: "OCPP-J 1.6 §4.1.1")
    public static let schemaViolation = FindingRule(
        id: "rpc.schema-violation", severity: .error, summary: "A payload broke its JSON schema and was answered with CALLERROR.",
        reference: "OCPP-J 1.6 §4.2.3")
    public static let otherVersionAction = FindingRule(
        id: "rpc.other-version-action", severity: .error,
        summary: "A CALL of an action of the other OCPP version than the connection negotiated (a 1.6 StartTransaction on 2.0.1, say).",
        reference: "OCPP-J 1.6 §3.1.2, OCPP-J 2.0.1 §3.1 (the subprotocol fixes the version)")
    public static let unknownAction = FindingRule(
        id: "rpc.unknown-action", severity: .warning, summary: "A CALL for an action this gateway does not know or support.",
        reference: "OCPP-J 1.6 §4.2.3")

    // Payload deviations repaired in lenient mode, one rule per kind.
    public static func deviation(_ kind: PayloadDeviation.Kind) -> FindingRule {
        switch kind {
        case .numberAsString:
            FindingRule(id: "payload.number-as-string", severity: .warning, summary: "A number sent as a JSON string.", reference: "OCPP 1.6 JSON schemas")
        case .stringAsNumber:
            FindingRule(id: "payload.string-as-number", severity: .warning, summary: "A string field (e.g. sampledValue.value) sent as a JSON number.", reference: "docs/ocpp-notes.md, pitfall 1")
        case .fractionalInteger:
            FindingRule(id: "payload.fractional-integer", severity: .warning, summary: "An integer field with a fraction (e.g. meterStart), rounded.", reference: "docs/ocpp-notes.md, pitfall 2")
        case .nullOptional:
            FindingRule(id: "payload.null-optional", severity: .info, summary: "An optional field sent as null.", reference: "docs/ocpp-notes.md, pitfall 5")
        case .enumLetterCase:
            FindingRule(id: "payload.enum-letter-case", severity: .warning, summary: "An enumeration value in the wrong letter case.", reference: "docs/ocpp-notes.md, pitfall 17")
        case .stringTooLong:
            FindingRule(id: "payload.string-too-long", severity: .warning, summary: "A string longer than its schema maximum.", reference: "docs/ocpp-notes.md, pitfall 5")
        case .unknownProperty:
            FindingRule(id: "payload.unknown-property", severity: .warning, summary: "A property the schema does not define.", reference: "OCPP 1.6 JSON schemas (additionalProperties: false)")
        case .timestampOffSpec:
            FindingRule(id: "payload.timestamp-off-spec", severity: .warning, summary: "A date-time without zone, with a local offset or otherwise off RFC 3339.", reference: "docs/ocpp-notes.md, pitfalls 3 and 4")
        }
    }

    // Session semantics.
    public static let duplicateStartTransaction = FindingRule(
        id: "session.duplicate-start", severity: .warning,
        summary: "StartTransaction repeated (same connector, tag, time, meterStart); answered with the same id.",
        reference: "docs/ocpp-notes.md, pitfall 9")
    public static let duplicateStopTransaction = FindingRule(
        id: "session.duplicate-stop", severity: .warning, summary: "StopTransaction for a transaction already stopped.",
        reference: "docs/ocpp-notes.md, pitfall 9")
    public static let stopUnknownTransaction = FindingRule(
        id: "session.stop-unknown-transaction", severity: .error,
        summary: "StopTransaction for a transaction id this gateway never issued; acknowledged anyway.",
        reference: "docs/ocpp-notes.md, pitfall 7")
    public static let meterValuesUnknownTransaction = FindingRule(
        id: "session.meter-values-unknown-transaction", severity: .error,
        summary: "MeterValues naming a transaction id this gateway never issued.", reference: "docs/ocpp-notes.md, pitfall 7")
    public static let meterStopBelowStart = FindingRule(
        id: "session.meter-stop-below-start", severity: .error,
        summary: "meterStop is lower than meterStart: the energy register went backwards.", reference: "OCPP 1.6 §7.31")
    public static let unparsableSample = FindingRule(
        id: "session.unparsable-sample", severity: .warning, summary: "A raw sampled value that is not a decimal number.",
        reference: "OCPP 1.6 §7.43")

    /// Every rule, for documentation and reports; ids are unique (a test checks).
    public static var catalog: [FindingRule] {
        [
            missingSubprotocol, basicSchemeCase, oversizedMessage, keepaliveTimeout, binaryFrame, malformedFrame, unknownMessageType,
            messageIdTooLong, messageIdReused, unsolicitedReply, callTimeout, schemaViolation, unknownAction, otherVersionAction,
        ] + PayloadDeviation.Kind.allCases.map(deviation)
            + [
                duplicateStartTransaction, duplicateStopTransaction, stopUnknownTransaction, meterValuesUnknownTransaction,
                meterStopBelowStart, unparsableSample, energyRegisterDecreased, meterValuesOutsideTransaction, socOutOfRange, stopBeforeStart,
                illegalStatusTransition, faultedWithoutError, statusMissingAroundSession, timestampAhead, timestampBehind, heartbeatTooFrequent,
                silentTooLong, valueOutOfRange, timestampOutOfWindow,
            ] + transactions201
            + meterRules
            + stateRules
            + rpcDisciplineRules
            + relayRules
            + smartChargingRules
            + loadRules
    }

    /// The rule with `id`, if the catalogue has one.
    public static func rule(id: String) -> FindingRule? { catalog.first { $0.id == id } }
}
