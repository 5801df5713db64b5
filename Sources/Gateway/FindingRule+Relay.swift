import OCPP

// Relay mode: what the operator's backend gets wrong, judged from the frames it sends
// the relay (the findings name the pile whose connection it was). Checked in
// Relay/BackendChecks.swift; the pile's own frames are judged by the rules above.
extension FindingRule {
    public static let backendMalformedFrame = FindingRule(
        id: "backend.malformed-frame", severity: .error, summary: "The backend sent a message that is not a valid OCPP-J RPC frame.",
        reference: "OCPP-J 1.6 §4.1; OCPP-J 2.0.1 §4.1")
    public static let backendUnknownErrorCode = FindingRule(
        id: "backend.unknown-error-code", severity: .warning,
        summary: "The backend answered with a CALLERROR whose errorCode the connection's version does not define (a 2.0.1 code to a 1.6 pile, say).",
        reference: "OCPP-J 1.6 §4.2.3 (errorCode table); OCPP-J 2.0.1 §4.3")
    public static let backendReplySchemaViolation = FindingRule(
        id: "backend.reply-schema-violation", severity: .error,
        summary: "The backend's CALLRESULT to a pile's CALL breaks that action's response schema (or deviates from it).",
        reference: "OCPP-J 1.6 §4.2.2; OCPP-J 2.0.1 §4.2.2")
    public static let backendCallTimeout = FindingRule(
        id: "backend.call-timeout", severity: .error,
        summary: "The backend did not answer a pile's CALL within the call timeout (the relay answered the pile itself where it may).",
        reference: "OCPP-J 1.6 §4.1.1; OCPP-J 2.0.1 §4.1.1")
    public static let backendLateReply = FindingRule(
        id: "backend.late-reply", severity: .warning,
        summary: "The backend answered a CALL after its timeout, or answered no CALL at all.",
        reference: "OCPP-J 1.6 §4.1.4; OCPP-J 2.0.1 §4.1.4")
    public static let backendUnknownAction = FindingRule(
        id: "backend.unknown-action", severity: .error,
        summary: "The backend sent a CALL the connection's version does not define for a central system to send.",
        reference: "OCPP 1.6 §5 (operations initiated by the central system); OCPP 2.0.1 Part 2")
    public static let backendSchemaViolation = FindingRule(
        id: "backend.schema-violation", severity: .error,
        summary: "A CALL from the backend breaks its request schema (it was passed to the pile unchanged).",
        reference: "OCPP-J 1.6 §4.2.3; OCPP-J 2.0.1 §4.2.3")
    public static let backendUndelivered = FindingRule(
        id: "backend.undelivered", severity: .error,
        summary: "A queued transactional message the backend left unanswered three times was given up (its frame stays in the message log).",
        reference: "OCPP 1.6 §4.7 (transaction-related messages are delivered, in order); OCPP 2.0.1 E12")

    static let relayRules: [FindingRule] = [
        backendMalformedFrame, backendUnknownErrorCode, backendReplySchemaViolation, backendCallTimeout, backendLateReply,
        backendUnknownAction, backendSchemaViolation, backendUndelivered,
    ]
}
