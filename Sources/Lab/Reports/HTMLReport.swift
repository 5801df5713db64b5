import Foundation

/// A self-contained HTML report (inline CSS, JS and SVG; nothing fetched): the
/// compatibility matrix, pass rates per network, and each case with its sessions'
/// power and state-of-charge curves and message traces.
extension Reports {
    /// Cases shown in detail: every failure first, then the rest, up to this many.
    static let detailLimit = 300

    public static func html(_ report: RunReport) -> String {
        let matrix = CompatibilityMatrix(report)
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <title>PileGate compatibility report</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
            h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}
            table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
            th{background:#f3f3f3}.pass{background:#dff5df}.fail{background:#fbdada}.unclean{background:#fff0c2}.sev-error{color:#b00}.sev-warning{color:#a60}.skip{background:#eee;color:#777}
            .barbg{display:inline-block;width:160px;height:10px;background:#e66;vertical-align:middle}.bar{display:block;height:10px;background:#3a3}
            .case{border:1px solid #ddd;margin:.8em 0;padding:.5em .8em}.case.failed{border-color:#d66}
            pre{white-space:pre-wrap;word-break:break-all;font-size:12px;background:#fafafa;padding:.5em;max-height:30em;overflow:auto}
            .muted{color:#777}svg{background:#fcfcfc;border:1px solid #eee}
            </style></head><body>
            <h1>PileGate compatibility report</h1>

            """
        html += "<p id=\"summary\">\(report.results.count) cases: <b>\(report.passed) passed</b> the scenario, <b id=\"clean\">\(report.compatible)</b> of them clean"
        html += " (no error finding the scenario does not expect), <b>\(report.failed) failed</b>, \(report.skipped) skipped; "
        html += String(format: "compatibility rate (passed and clean) <b id=\"rate\">%.1f %%</b>", matrix.overallRate * 100)
        html += " — gateway \(escape(report.gateway)), speed \(Int(report.speed))×, \(String(format: "%.1f", report.wallSeconds)) s, started \(escape(ISO8601DateFormatter().string(from: report.startedAt)))</p>\n"

        html += "<h2>Compatibility per network</h2>\n<table id=\"networks\"><tr><th>network</th><th>passed</th><th>passed and clean</th><th>rate</th></tr>\n"
        for network in matrix.networks {
            let width = Int(network.rate * 160)
            html += "<tr><td>\(escape(network.name))</td><td>\(network.passed)/\(network.total)</td><td>\(network.compatible)/\(network.total)</td><td><span class=\"barbg\"><span class=\"bar\" style=\"width:\(width)px\"></span></span> \(String(format: "%.1f %%", network.rate * 100))</td></tr>\n"
        }
        html += "</table>\n"
        html += "<h2>Compatibility per OCPP version</h2>\n<table id=\"versions\"><tr><th>OCPP</th><th>passed</th><th>passed and clean</th><th>rate</th></tr>\n"
        for version in matrix.versions {
            html += "<tr><td>\(escape(version.name))</td><td>\(version.passed)/\(version.total)</td><td>\(version.compatible)/\(version.total)</td><td>\(String(format: "%.1f %%", version.rate * 100))</td></tr>\n"
        }
        html += "</table>\n"
        if let sites = report.sites { html += siteTable(sites) }

        html += "<h2>Compatibility matrix</h2>\n<p class=\"muted\">Rows: network, pile model, firmware, OCPP version. Columns: scenarios. A cell lists passed/run (yellow: passed, but with error findings the scenario does not expect) and the findings recorded; click it for the cases.</p>\n"
        html += "<table id=\"matrix\"><tr><th>network</th><th>model</th><th>firmware</th><th>OCPP</th>"
        for (i, scenario) in matrix.scenarios.enumerated() { html += "<th title=\"\(escape(scenario))\">S\(i + 1)</th>" }
        html += "</tr>\n"
        for row in matrix.rows {
            html += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined()
            for scenario in matrix.scenarios {
                guard let cell = matrix.cell(row, scenario) else {
                    html += "<td></td>"
                    continue
                }
                let ran = cell.passed + cell.failed
                let findings = cell.findings.isEmpty ? "" : "<br><small>\(cell.findings.map(escape).joined(separator: "<br>"))</small>"
                let target = cell.cases.first.map { "#case-\($0)" } ?? "#"
                let unclean = cell.passed > cell.clean ? " <small>(\(cell.passed - cell.clean) not clean)</small>" : ""
                html += "<td class=\"\(cell.outcome)\"><a href=\"\(target)\">\(cell.outcome == "skip" ? "skip" : "\(cell.passed)/\(ran)")</a>\(unclean)\(findings)</td>"
            }
            html += "</tr>\n"
        }
        html += "</table>\n<ol class=\"muted\">\n"
        for scenario in matrix.scenarios { html += "<li>\(escape(scenario))</li>\n" }
        html += "</ol>\n"

        html += "<h2>Cases</h2>\n<p><label><input type=\"checkbox\" id=\"onlyFailed\"> only failed</label></p>\n"
        let order = report.results.indices.sorted { (report.results[$0].outcome == .failed ? 0 : 1, $0) < (report.results[$1].outcome == .failed ? 0 : 1, $1) }
        for index in order.prefix(detailLimit) { html += caseHTML(report.results[index], index: index) }
        if order.count > detailLimit {
            html += "<p class=\"muted\">\(order.count - detailLimit) more cases are in the JSON report.</p>\n"
        }
        html += """
            <script>
            document.getElementById('onlyFailed').addEventListener('change', function (e) {
              document.querySelectorAll('.case').forEach(function (c) {
                c.style.display = e.target.checked && !c.classList.contains('failed') ? 'none' : '';
              });
            });
            </script>
            </body></html>

            """
        return html
    }

    static func caseHTML(_ result: CaseResult, index: Int) -> String {
        var html = "<div class=\"case \(result.outcome.rawValue)\(result.clean ? "" : " unclean")\" id=\"case-\(index)\">\n"
        let mark = result.outcome == .passed ? (result.clean ? "✓" : "✓ passed, not clean:") : result.outcome == .failed ? "✗" : "–"
        html += "<h3>\(mark) \(escape(result.caseName))</h3>\n"
        html += "<p class=\"muted\">\(escape(result.file)) — pile \(escape(result.chargePointId)) (\(escape(result.network)), \(escape(result.model)), firmware \(escape(result.firmware)), OCPP \(escape(result.ocppVersion))) — \(String(format: "%.1f", result.wallSeconds)) s</p>\n"
        if !result.failures.isEmpty {
            html += "<ul>" + result.failures.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
        }
        if let reason = result.skipReason { html += "<p>skipped: \(escape(reason))</p>\n" }
        html += findingsHTML(result)
        for evidence in result.sessions {
            let s = evidence.session
            let energy = s.energyWh.map { String(format: "%.2f kWh", Double($0) / 1000) } ?? "–"
            html += "<h4>session \(s.id) <a href=\"\(escape(evidence.apiLink))\">\(escape(evidence.apiLink))</a></h4>\n"
            html += "<p>connector \(s.connectorId), \(escape(s.status)), \(energy), stop \(escape(s.stopReason ?? "–")), idTag \(escape(s.idTag ?? "–"))\(s.costFen.map { ", cost \($0) fen" } ?? "")</p>\n"
            if !evidence.curve.isEmpty { html += chart(evidence.curve) }
            if let trace = evidence.trace, !trace.isEmpty {
                html += "<details><summary>message trace (\(trace.count) frames)</summary><pre>"
                for frame in trace {
                    html += escape("\(ISO8601DateFormatter().string(from: frame.time)) \(frame.direction == "in" ? "→" : "←") \(frame.text)") + "\n"
                }
                html += "</pre></details>\n"
            }
        }
        return html + "</div>\n"
    }

    /// The case's findings: rule, severity, the detail with the values that broke it, and the
    /// offending message's frames (or the API link to them).
    static func findingsHTML(_ result: CaseResult) -> String {
        guard !result.findings.isEmpty else { return "<p>findings: none</p>\n" }
        var html = result.clean ? "" : "<p>not clean: error findings the scenario does not expect: \(result.unexpectedErrors.map { "<code>\(escape($0))</code>" }.joined(separator: " "))</p>\n"
        html += "<table class=\"findings\"><tr><th>severity</th><th>rule</th><th>detail</th><th>message</th></tr>\n"
        for finding in result.findingDetails {
            var evidence = finding.messageId.map(escape) ?? "–"
            if let link = finding.evidence, link.hasPrefix("http") { evidence = "<a href=\"\(escape(link))\">\(evidence)</a>" }
            if let frames = finding.frames, !frames.isEmpty {
                let text = frames.map { "\($0.direction == "in" ? "→" : "←") \($0.text)" }.joined(separator: "\n")
                evidence += "<details><summary>frames</summary><pre>\(escape(text))</pre></details>"
            }
            html += "<tr><td class=\"sev-\(escape(finding.severity))\">\(escape(finding.severity))</td><td><code>\(escape(finding.rule))</code></td>"
            html += "<td>\(escape(finding.detail))\(finding.sessionId.map { " <small class=\"muted\">(session \($0))</small>" } ?? "")</td><td>\(evidence)</td></tr>\n"
        }
        html += "</table>\n"
        if result.findingDetails.count < result.findings.count || result.findingDetails.count == CaseResult.detailLimit {
            html += "<p class=\"muted\">rules recorded: \(result.findings.map { "<code>\(escape($0))</code>" }.joined(separator: " ")) (first \(result.findingDetails.count) findings shown)</p>\n"
        }
        return html
    }

    /// Power (kW, green, left scale) and state of charge (%, blue, right scale) over time.
    static func chart(_ points: [SessionEvidence.CurvePoint]) -> String {
        let width = 560.0, height = 160.0, left = 40.0, right = 40.0, top = 10.0, bottom = 20.0
        let span = max(points.map(\.t).max() ?? 1, 1)
        let maxPower = max(points.compactMap(\.powerKW).max() ?? 1, 1)
        func x(_ t: Double) -> String { String(format: "%.1f", left + t / span * (width - left - right)) }
        func y(_ fraction: Double) -> String { String(format: "%.1f", top + (1 - fraction) * (height - top - bottom)) }
        let power = points.compactMap { p in p.powerKW.map { "\(x(p.t)),\(y($0 / maxPower))" } }.joined(separator: " ")
        let soc = points.compactMap { p in p.soc.map { "\(x(p.t)),\(y($0 / 100))" } }.joined(separator: " ")
        var svg = "<svg class=\"chart\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<line x1=\"\(left)\" y1=\"\(y(0))\" x2=\"\(width - right)\" y2=\"\(y(0))\" stroke=\"#999\"/>"
        if !power.isEmpty { svg += "<polyline fill=\"none\" stroke=\"#2a2\" stroke-width=\"2\" points=\"\(power)\"/>" }
        if !soc.isEmpty { svg += "<polyline fill=\"none\" stroke=\"#26c\" stroke-width=\"2\" points=\"\(soc)\"/>" }
        svg += "<text x=\"2\" y=\"\(top + 10)\" font-size=\"10\" fill=\"#2a2\">\(Int(maxPower.rounded())) kW</text>"
        svg += "<text x=\"\(width - right + 4)\" y=\"\(top + 10)\" font-size=\"10\" fill=\"#26c\">100 %</text>"
        svg += "<text x=\"\(width - right - 60)\" y=\"\(height - 4)\" font-size=\"10\" fill=\"#555\">\(Int(span / 60)) min</text>"
        svg += "<text x=\"\(left)\" y=\"\(height - 4)\" font-size=\"10\" fill=\"#555\">power (kW) · state of charge (%)</text></svg>\n"
        return svg
    }

    /// A campaign's sites: how often, how long and how far their measured total went above the limit.
    static func siteTable(_ sites: [CampaignSiteReport]) -> String {
        var html = "<h2>Sites against their limits</h2>\n<table id=\"sites\"><tr><th>site</th><th>limit kW</th><th>piles</th><th>sessions</th><th>peak kW</th>"
        html += "<th>stretches over</th><th>longest s</th><th>seconds over</th><th>worst overshoot kW</th></tr>\n"
        for site in sites {
            let o = site.overLimit
            html += "<tr><td>\(escape(site.site))</td><td>\(String(format: "%.0f", site.limitKW))</td><td>\(site.piles)</td><td>\(site.sessions)</td>"
            html += "<td>\(String(format: "%.1f", site.peakKW))</td><td>\(o.stretches)</td><td>\(String(format: "%.0f", o.longestSeconds))</td>"
            html += "<td>\(String(format: "%.0f", o.totalSeconds))</td><td>\(String(format: "%.1f", o.worstKW))</td></tr>\n"
        }
        return html + "</table>\n"
    }
}
