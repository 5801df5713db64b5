/// Deviations from OCPP 1.6J that real chargers show, each one a switch on a pile
/// profile. `docs/quirks.md` shows each on the wire and names the pitfall of
/// `docs/ocpp-notes.md` it reproduces.
public enum Quirk: String, Codable, Sendable, CaseIterable {
    /// `sampledValue.value` as a JSON number instead of a string (docs/ocpp-notes.md, pitfall 1).
    case sampledValueAsNumber = "sampled-value-as-number"
    /// Timestamps in local time with no zone designator (docs/ocpp-notes.md, pitfall 3).
    case timestampWithoutZone = "timestamp-without-zone"
    /// Timestamps with a local `+08:00` offset instead of UTC `Z` (docs/ocpp-notes.md, pitfall 3).
    case timestampLocalOffset = "timestamp-local-offset"
    /// Six fraction digits in timestamps (docs/ocpp-notes.md, pitfall 4).
    case timestampMicroseconds = "timestamp-microseconds"
    /// No `Sec-WebSocket-Protocol` header in the handshake (docs/ocpp-notes.md, pitfall 11).
    case noSubprotocolHeader = "no-subprotocol-header"
    /// Enumeration values in lower case (`charging`, `available`) (docs/ocpp-notes.md, pitfall 17).
    case lowercaseEnums = "lowercase-enums"
    /// MeterValues sent before the StartTransaction reply, without a transaction id (docs/ocpp-notes.md, pitfall 8).
    case meterValuesBeforeStartConf = "meter-values-before-start-conf"
    /// Energy register sent in kWh but without a unit, so it reads as Wh (not in docs/ocpp-notes.md; pitfall 14
    /// is the nearest, on unit spellings).
    case energyInKWhWithoutUnit = "energy-kwh-without-unit"
    /// The energy register restarts from zero in the middle of a session.
    case meterRegisterReset = "meter-register-reset"
    /// The same message id for every CALL.
    case reusedMessageIds = "reused-message-ids"
    /// Answers to the gateway's calls arrive after the gateway's timeout.
    case slowReplies = "slow-replies"
    /// Id tags longer than the 20-character CiString limit (docs/ocpp-notes.md, pitfall 5).
    case overlongIdTag = "overlong-id-tag"
    /// StartTransaction sent again after a reconnect (docs/ocpp-notes.md, pitfall 9).
    case duplicateStartAfterReconnect = "duplicate-start-after-reconnect"
    /// meterStart and meterStop with a fraction, e.g. 1200.5 (docs/ocpp-notes.md, pitfall 2).
    case fractionalMeterValues = "fractional-meter-values"
    /// Optional fields sent as `null` (docs/ocpp-notes.md, pitfall 5).
    case nullOptionalFields = "null-optional-fields"
    /// Faults reported as Faulted with errorCode NoError, the error left unnamed.
    case faultedWithoutErrorCode = "faulted-without-error-code"
    /// The energy register jumps by 2^32 Wh once above 50 % state of charge, and counts on
    /// from there (a 32-bit counter's carry added to the reading). Gateway rule: meter.register-jump.
    case registerJump = "register-jump"
    /// Power.Active.Import sent with a negative sign (a meter wired or configured for the
    /// export direction). Gateway rule: meter.negative-import-power.
    case negativeImportPower = "negative-import-power"
    /// StopTransaction names another id tag than the one that started the transaction (a
    /// card of no group of the starter's, unknown to the central system).
    case stopWithOtherTag = "stop-with-other-tag"
    /// Every StatusNotification sent four times at once (a pile whose status task repeats itself).
    case statusStorm = "status-storm"
    /// BootNotification sent a second time on the same connection after it was Accepted, unasked.
    case bootTwice = "boot-twice"
    /// The pile reboots a few simulated seconds after every Accepted boot: it reconnects and boots again and again.
    case bootLoop = "boot-loop"
    /// Each CALL goes out at once, without waiting for the answer to the one before (OCPP-J §4.1.1).
    case overlappingCalls = "overlapping-calls"
    /// A gateway CALL the pile cannot handle is answered with a made-up CALLERROR code
    /// (`UnknownAction` for an action it does not serve, `Rejected` for a request it refuses).
    case nonstandardErrorCodes = "nonstandard-error-codes"
    /// GetConfiguration answered with keys that lack the required `readonly` flag.
    case configKeyWithoutReadonly = "config-key-without-readonly"
    /// Charging profiles are accepted and reported, but the power does not follow them.
    case ignoresChargingProfiles = "ignores-charging-profiles"
    /// A new profile takes effect only once the pile next sends its MeterValues.
    case profileAtNextMeterValues = "profile-at-next-meter-values"
    /// Limits are applied rounded to the nearest whole ampere (15.6 A becomes 16 A).
    case wholeAmpereRounding = "whole-ampere-rounding"
    /// A limit in W is accepted, but its number is applied as amperes (no limit in effect).
    case wattsAsAmperes = "watts-as-amperes"
    /// SetChargingProfile with a Recurring profile is Rejected.
    case rejectsRecurringProfiles = "rejects-recurring-profiles"
}
