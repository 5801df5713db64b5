import OCPP

// Rules about how a pile boots and how it takes part in the RPC exchange: boots it had
// no reason for, reboot loops, answers that break their schema or use codes its version
// does not define, CALLs sent without waiting. Checked in RPCDisciplineChecks.swift.
extension FindingRule {
    public static let bootRepeatedOnConnection = FindingRule(
        id: "boot.repeated-on-connection", severity: .warning,
        summary: "BootNotification again on a connection whose boot was Accepted, with no Reset or TriggerMessage(BootNotification) asking for it.",
        reference: "OCPP 1.6 §4.2 (no new BootNotification after Accepted until reboot); OCPP 2.0.1 B01.FR.01, B02", recorded: .oncePerConnection)

    public static let bootReconnectLoop = FindingRule(
        id: "boot.reconnect-loop", severity: .error,
        summary: "The pile keeps rebooting: boot after boot, each on a new connection, within a short time, with no Reset or UpdateFirmware asking for it (once per episode).",
        reference: "OCPP 1.6 §4.2, §5.13 (a reboot follows a Reset); OCPP 2.0.1 B01, B11/B12",
        tolerance: "`bootLoopCount` boots (default 3) within `bootLoopSeconds` (default 60)")

    public static let replySchemaViolation = FindingRule(
        id: "rpc.reply-schema-violation", severity: .error,
        summary: "A CALLRESULT to one of the gateway's CALLs breaks that action's response schema (the answer cannot be used).",
        reference: "OCPP-J 1.6 §4.2.2; OCPP-J 2.0.1 §4.2.2 (the action's response JSON schema)")

    public static let unknownErrorCode = FindingRule(
        id: "rpc.unknown-error-code", severity: .warning,
        summary: "A CALLERROR whose errorCode is not one of the connection's version's codes (made up, or the other version's spelling).",
        reference: "OCPP-J 1.6 §4.2.3 (errorCode table); OCPP-J 2.0.1 §4.2.3, §4.3 (RPC framework error codes)")

    public static let overlappingCall = FindingRule(
        id: "rpc.overlapping-call", severity: .warning,
        summary: "The pile sent a CALL while an earlier CALL of its own was still unanswered by the gateway.",
        reference: "OCPP-J 1.6 §4.1.1 (one CALL in flight per direction; SHOULD NOT); OCPP-J 2.0.1 §4.1.1 (SHALL NOT)",
        recorded: .oncePerConnection,
        tolerance: "`callOverlapSeconds` (default 10): an earlier CALL unanswered longer than this may have been given up")

    static let rpcDisciplineRules: [FindingRule] = [
        bootRepeatedOnConnection, bootReconnectLoop, replySchemaViolation, unknownErrorCode, overlappingCall,
    ]
}
