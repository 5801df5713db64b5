import OCPP
import OCPPWebSocket
import SessionStore

/// The 2.0.1 transaction rules (block E): what a station's TransactionEvents must say
/// together. Checked per connection, like the 1.6 rules; all are recorded only, since a
/// TransactionEvent is always acknowledged.
extension ChargePointSession {
    func judgeSequence(_ event: V201.TransactionEvent.Request, known: V201TransactionTrack?, _ call: IncomingCall, into verdict: inout Verdict) {
        let ref = event.transactionInfo.transactionId
        if let known {
            if known.ended {
                flag(.eventAfterEnded, "\(event.eventType.rawValue) (seqNo \(event.seqNo)) after transaction \(ref) ended", call: call, sessionId: known.sessionId, mayReject: false, into: &verdict)
            }
            if let last = known.lastSeqNo, last < Int.max, event.seqNo > last + 1 {
                flag(.seqNoGap, "seqNo went \(last) → \(event.seqNo) in transaction \(ref)", call: call, sessionId: known.sessionId, mayReject: false, into: &verdict)
            }
            // The first event named the EVSE; any later one that names it again (or another) is this rule.
            if let evse = event.evse {
                flag(.evseRepeated, "evse \(evse.id) sent again in \(event.eventType.rawValue) of transaction \(ref)", call: call, sessionId: known.sessionId, mayReject: false, into: &verdict)
            }
        }
        if let conflict = Self.triggerConflicts[event.eventType], conflict.contains(event.triggerReason) {
            flag(
                .triggerInconsistent, "\(event.eventType.rawValue) event with triggerReason \(event.triggerReason.rawValue)", call: call,
                sessionId: known?.sessionId, mayReject: false, into: &verdict)
        }
    }

    /// Trigger reasons that contradict the event they come with (E01–E07).
    static let triggerConflicts: [V201.TransactionEventEnum: Set<V201.TriggerReasonEnum>] = [
        .started: [.remoteStop, .stopAuthorized, .evDeparted, .deauthorized, .energyLimitReached, .timeLimitReached],
        // An authorization opens or continues a transaction; ending one is StopAuthorized or Deauthorized.
        .ended: [.remoteStart, .cablePluggedIn, .evDetected, .authorized],
    ]
}

extension FindingRule {
    public static let seqNoGap = FindingRule(
        id: "txevent.seqno-gap", severity: .warning,
        summary: "A TransactionEvent's seqNo skipped numbers: events of the transaction are missing.",
        reference: "OCPP 2.0.1 E01.FR.16 (seqNo increments by 1)")
    public static let seqNoRepeated = FindingRule(
        id: "txevent.seqno-repeated", severity: .error,
        summary: "A TransactionEvent's seqNo came again with other content (a retry repeats the event as it was), or restarted from 0 after a reconnect.",
        reference: "OCPP 2.0.1 E01.FR.16, OCPP-J §5 (retries)")
    public static let eventWithoutStarted = FindingRule(
        id: "txevent.event-without-started", severity: .warning,
        summary: "The first TransactionEvent of a transaction was Updated or Ended; the session was opened from it.",
        reference: "OCPP 2.0.1 E01–E06 (eventType Started first)")
    public static let eventAfterEnded = FindingRule(
        id: "txevent.event-after-ended", severity: .error,
        summary: "A TransactionEvent for a transaction after its Ended event.", reference: "OCPP 2.0.1 E06 (Ended is the last event)")
    public static let evseMissing = FindingRule(
        id: "txevent.evse-missing", severity: .error,
        summary: "The first TransactionEvent of a transaction named no evse; EVSE 1 is assumed.",
        reference: "OCPP 2.0.1 E01.FR.19 (evse in the first event)")
    public static let evseRepeated = FindingRule(
        id: "txevent.evse-repeated", severity: .info,
        summary: "A TransactionEvent after the first named the evse again (or another one).",
        reference: "OCPP 2.0.1 E01.FR.19 (evse only in the first event)", recorded: .oncePerConnection)
    public static let triggerInconsistent = FindingRule(
        id: "txevent.trigger-inconsistent", severity: .warning,
        summary: "A TransactionEvent's triggerReason contradicts its eventType (e.g. Started by RemoteStop).",
        reference: "OCPP 2.0.1 E01–E07 (trigger reasons)")

    /// The 2.0.1 transaction rules, for the catalogue.
    public static let transactionIdReused = FindingRule(
        id: "txevent.transaction-id-reused", severity: .warning,
        summary: "A transactionId that had ended was Started again: recorded as a new session; the ended one's reference becomes {id}@{session}.",
        reference: "OCPP 2.0.1 E01.FR.01 (a transactionId is unique per station)")
    static let transactions201: [FindingRule] = [
        seqNoGap, seqNoRepeated, eventWithoutStarted, eventAfterEnded, evseMissing, evseRepeated, triggerInconsistent, transactionIdReused,
    ]
}
