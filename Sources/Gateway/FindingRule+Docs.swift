import OCPP

extension FindingRule {
    /// The catalogue as the Markdown table in docs/rules.md (between its markers); a test
    /// fails when the two disagree, so the doc cannot drift from the code.
    public static func markdownTable() -> String {
        var lines = [
            "| Rule | Severity | Strict policy | Recorded | What it means | Tolerance | Reference |",
            "|---|---|---|---|---|---|---|",
        ]
        for rule in catalog {
            let strict = rule.strictReply.map { "CALLERROR \($0.wireName(for: .v16))" } ?? "recorded"
            let summary = rule.summary.replacingOccurrences(of: "|", with: "\\|")
            lines.append("| `\(rule.id)` | \(rule.severity.rawValue) | \(strict) | \(rule.recorded.rawValue) | \(summary) | \(rule.tolerance ?? "–") | \(rule.reference) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
