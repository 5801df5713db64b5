import OCPP

// Rules about what a 2.0.1 station reports of its charging profiles (ReportChargingProfiles,
// V201SmartCharging.swift); the limits and EV needs it notifies are range-checked under
// value.out-of-range and value.timestamp-out-of-window.
extension FindingRule {
    public static let unrequestedProfileReport = FindingRule(
        id: "profiles.unrequested-report", severity: .info,
        summary: "ReportChargingProfiles with a requestId no GetChargingProfiles of this connection sent: its profiles are kept, nothing the gateway knew is dropped.",
        reference: "OCPP 2.0.1 K09.FR.01 (the report carries the request's requestId)")

    public static let profileReportTooLarge = FindingRule(
        id: "profiles.report-too-large", severity: .warning,
        summary: "The reports of one GetChargingProfiles (or the unrequested reports of a connection) listed more than 1,000 profiles: the rest are not kept, and the report replaces nothing.",
        reference: "OCPP 2.0.1 K09; docs/wire-values.md (bounded sizes)")

    static let smartChargingRules: [FindingRule] = [unrequestedProfileReport, profileReportTooLarge]
}
