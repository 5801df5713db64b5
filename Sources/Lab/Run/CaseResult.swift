import Foundation

/// What one case of a scenario came to, with the evidence a reviewer needs.
public struct CaseResult: Sendable, Codable {
    public enum Outcome: String, Sendable, Codable { case passed, failed, skipped }

    public var scenario: String
    public var file: String
    public var caseName: String
    public var tags: [String]
    public var network: String
    public var model: String
    public var firmware: String
    /// The OCPP version the pile spoke: `1.6` or `2.0.1`.
    public var ocppVersion: String
    public var profile: String
    public var vehicle: String?
    public var soc: Double?
    public var chargePointId: String
    public var outcome: Outcome
    /// Why it failed: one line per unmet step or expectation.
    public var failures: [String]
    public var skipReason: String?
    /// Rule ids the gateway recorded against the pile, each once, sorted.
    public var findings: [String]
    public var sessions: [SessionEvidence]
    public var wallSeconds: Double
    /// The findings themselves, oldest first (at most `detailLimit`), the first few with their frames.
    public var findingDetails: [LabFinding] = []
    /// Error-severity rules recorded that the scenario does not expect, sorted.
    public var unexpectedErrors: [String] = []
    /// No unexpected error finding: "passed" says the pile did what the scenario asked,
    /// "clean" that it did so without breaking a rule that matters.
    public var clean = true

    /// Findings kept in detail per case; the rule list is always complete.
    static let detailLimit = 50

    /// Passed and clean: what the compatibility rate counts.
    public var compatible: Bool { outcome == .passed && clean }

    /// Takes the pile's findings: rule list, details, and the verdict on cleanliness.
    mutating func judge(_ found: [LabFinding], expected: Set<String>) {
        findings = Array(Set(found.map(\.rule))).sorted()
        findingDetails = Array(found.prefix(Self.detailLimit))
        unexpectedErrors = Array(Set(found.filter { $0.severity == "error" && !expected.contains($0.rule) }.map(\.rule))).sorted()
        clean = unexpectedErrors.isEmpty
    }
}

/// A session the gateway recorded: the API link, its message trace and its curve.
public struct SessionEvidence: Sendable, Codable {
    public var session: LabSession
    /// `/api/sessions/{id}` on the gateway (absolute for a remote gateway).
    public var apiLink: String
    /// The frames between the session's start and stop; nil when not collected.
    public var trace: [LabFrame]?
    public var findings: [String]
    public var curve: [CurvePoint]

    /// Seconds since the session's first sample; kW and % where the pile reported them.
    public struct CurvePoint: Sendable, Codable {
        public var t: Double
        public var powerKW: Double?
        public var soc: Double?
    }

    static func curve(_ samples: [LabSample]) -> [CurvePoint] {
        guard let start = samples.map(\.time).min() else { return [] }
        var points: [Date: CurvePoint] = [:]
        for sample in samples {
            var point = points[sample.time] ?? CurvePoint(t: sample.time.timeIntervalSince(start))
            switch sample.measurand {
            case "Power.Active.Import": point.powerKW = sample.value / 1000
            case "SoC": point.soc = sample.value
            default: continue
            }
            points[sample.time] = point
        }
        return points.values.sorted { $0.t < $1.t }
    }
}
