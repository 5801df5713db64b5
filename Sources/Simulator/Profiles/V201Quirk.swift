/// Deviations of OCPP 2.0.1 stations' TransactionEvents seen in the field, each a switch
/// on a pile profile (`v201Quirks:`). The payload quirks of `Quirk` (timestamps, letter
/// case, message ids, handshake) apply to 2.0.1 stations as well. `docs/quirks.md` shows
/// each on the wire and names the gateway rule that catches it.
public enum V201Quirk: String, Codable, Sendable, CaseIterable {
    /// The seqNo skips a number after the Started event (txevent.seqno-gap).
    case seqNoGap = "seqno-gap"
    /// The first event of a transaction names no `evse` (txevent.evse-missing).
    case evseMissing = "evse-missing"
    /// Every event names the `evse`, not only the first (txevent.evse-repeated).
    case evseInEveryEvent = "evse-in-every-event"
    /// The next transaction on an EVSE reuses the previous `transactionId`, seqNo from 0 again.
    case transactionIdReused = "transaction-id-reused"
    /// No meter values in Started or Updated: the readings come only in Ended.
    case meterValuesOnlyInEnded = "meter-values-only-in-ended"
    /// Every event after Started repeats the Started event's triggerReason (txevent.trigger-inconsistent).
    case staleTriggerReason = "stale-trigger-reason"
    /// One more Updated event (a last meter reading) after Ended (txevent.event-after-ended).
    case updatedAfterEnded = "updated-after-ended"
    /// After a reconnect, a running transaction's seqNo starts again from 0.
    case seqNoRestartAtReconnect = "seqno-restart-at-reconnect"
    /// Events queued while offline are replayed without `offline: true`.
    case offlineFlagMissing = "offline-flag-missing"
    /// A transaction started by RequestStartTransaction never carries the idToken.
    case noIdTokenAfterRemoteStart = "no-id-token-after-remote-start"
}
