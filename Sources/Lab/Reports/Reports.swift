import Foundation

/// The run's reports: JUnit XML for CI systems, JSON for scripts, HTML for people.
public enum Reports {
    /// JUnit XML: a test suite per scenario, a test case per matrix cell case.
    public static func junit(_ report: RunReport) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<testsuites name="pilegate run" tests="\#(report.results.count)" failures="\#(report.failed)" skipped="\#(report.skipped)" time="\#(String(format: "%.3f", report.wallSeconds))">"# + "\n"
        let suites = Dictionary(grouping: report.results, by: \.scenario)
        for name in suites.keys.sorted() {
            let results = suites[name] ?? []
            let failures = results.filter { $0.outcome == .failed }.count
            let skipped = results.filter { $0.outcome == .skipped }.count
            let time = results.reduce(0) { $0 + $1.wallSeconds }
            xml += #"  <testsuite name="\#(escape(name))" tests="\#(results.count)" failures="\#(failures)" skipped="\#(skipped)" time="\#(String(format: "%.3f", time))">"# + "\n"
            for result in results {
                let classname = escape("\(result.network).\(result.model) \(result.firmware) OCPP \(result.ocppVersion)")
                xml += #"    <testcase name="\#(escape(result.caseName))" classname="\#(classname)" file="\#(escape(result.file))" time="\#(String(format: "%.3f", result.wallSeconds))">"# + "\n"
                switch result.outcome {
                case .failed:
                    xml += #"      <failure message="\#(escape(result.failures.first ?? "failed"))">\#(escape(result.failures.joined(separator: "\n")))</failure>"# + "\n"
                case .skipped:
                    xml += #"      <skipped message="\#(escape(result.skipReason ?? "skipped"))"/>"# + "\n"
                case .passed:
                    break
                }
                var out = "pile \(result.chargePointId); findings: \(result.findings.isEmpty ? "none" : result.findings.joined(separator: ", "))"
                if !result.clean { out += "\nnot clean: unexpected error findings \(result.unexpectedErrors.joined(separator: ", "))" }
                for finding in result.findingDetails {
                    out += "\n\(finding.severity) \(finding.rule): \(finding.detail)\(finding.messageId.map { " (message \($0))" } ?? "")"
                }
                for session in result.sessions { out += "\nsession \(session.session.id): \(session.apiLink)" }
                xml += "      <system-out>\(escape(out))</system-out>\n"
                xml += "    </testcase>\n"
            }
            xml += "  </testsuite>\n"
        }
        xml += "</testsuites>\n"
        return xml
    }

    /// The whole run as JSON: summary, matrix and every case with its evidence.
    public static func json(_ report: RunReport) throws -> Data {
        struct Document: Encodable {
            var summary: Summary
            var matrix: CompatibilityMatrix
            var results: [CaseResult]
            /// A campaign's sites against their limits.
            var sites: [CampaignSiteReport]?
        }
        struct Summary: Encodable {
            var startedAt: Date
            var wallSeconds: Double
            var speed: Double
            var gateway: String
            var cases: Int
            var passed: Int
            /// Passed and clean (no error finding the scenario does not expect).
            var compatible: Int
            var failed: Int
            var skipped: Int
            /// compatible / cases that ran; `passRate` counts passed ones, clean or not.
            var compatibilityRate: Double
            var passRate: Double
            var networks: [CompatibilityMatrix.Rate]
            var versions: [CompatibilityMatrix.Rate]
        }
        let matrix = CompatibilityMatrix(report)
        let document = Document(
            summary: Summary(
                startedAt: report.startedAt, wallSeconds: report.wallSeconds, speed: report.speed, gateway: report.gateway,
                cases: report.results.count, passed: report.passed, compatible: report.compatible, failed: report.failed, skipped: report.skipped,
                compatibilityRate: matrix.overallRate, passRate: matrix.overall.passRate, networks: matrix.networks, versions: matrix.versions),
            matrix: matrix, results: report.results, sites: report.sites)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(document)
    }

    /// Escapes text for XML and HTML (content and attributes).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n", "\t", "\r": out.unicodeScalars.append(scalar)
            default:
                // XML 1.0 forbids other control characters even escaped.
                if scalar.value < 0x20 { out += "?" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
