import OCPP

// Rules about a pile's part in its site's load management: a TxProfile it refused, a
// limit it did not keep. Checked in LoadManagement/LoadManager.swift from the pile's answers
// and its own meter values.
extension FindingRule {
    public static let siteProfileRejected = FindingRule(
        id: "site.profile-rejected", severity: .error,
        summary: "The pile refused the TxProfile that carries its share of the site's grid limit (a status other than Accepted, or a CALLERROR); it is not asked again during the transaction and its measured power is counted as taken.",
        reference: "OCPP 1.6 §3.13.2, §5.16 (SetChargingProfile); OCPP 2.0.1 K01; docs/load-management.md",
        recorded: .oncePerTransaction)

    public static let siteLimitExceeded = FindingRule(
        id: "site.limit-exceeded", severity: .error,
        summary: "The pile accepted its TxProfile but, by its own meter values, kept drawing more than that limit; its measured power is then counted as taken.",
        reference: "OCPP 1.6 §3.13 (the charge point SHALL keep the composite schedule); OCPP 2.0.1 K01.FR.17; docs/load-management.md",
        recorded: .oncePerTransaction,
        tolerance: "above the limit by more than 5 % or 1 kW (the larger) for longer than the site's `toleranceSeconds` (default 60)")

    static let loadRules: [FindingRule] = [siteProfileRejected, siteLimitExceeded]
}
