import Foundation
@testable import Lab
import XCTest

/// The matrix keeps a model's versions apart: a row per network, model, firmware and OCPP
/// version, pass rates per version, and the version in every report.
final class CompatibilityMatrixTests: XCTestCase {
    func result(_ scenario: String, version: String, _ outcome: CaseResult.Outcome) -> CaseResult {
        CaseResult(
            scenario: scenario, file: "\(scenario).yaml", caseName: "\(scenario) [nio-640 ocpp\(version)]", tags: [], network: "NIO",
            model: "NIO Power Charger 640", firmware: "4.0.1", ocppVersion: version, profile: "nio-640", vehicle: nil, soc: nil,
            chargePointId: "NIO-1", outcome: outcome, failures: outcome == .failed ? ["broken"] : [], skipReason: nil, findings: [],
            sessions: [], wallSeconds: 0.1)
    }

    var report: RunReport {
        RunReport(
            startedAt: Date(), wallSeconds: 1, speed: 600, gateway: "embedded",
            results: [
                result("happy path", version: "1.6", .passed), result("happy path", version: "2.0.1", .failed),
                result("remote stop", version: "1.6", .passed), result("remote stop", version: "2.0.1", .passed),
            ])
    }

    func testTheSameModelAtTwoVersionsIsTwoRows() {
        let matrix = CompatibilityMatrix(report)
        XCTAssertEqual(matrix.rows, [["NIO", "NIO Power Charger 640", "4.0.1", "1.6"], ["NIO", "NIO Power Charger 640", "4.0.1", "2.0.1"]])
        XCTAssertEqual(matrix.cell(matrix.rows[1], "happy path")?.outcome, "fail")
        XCTAssertEqual(matrix.cell(matrix.rows[0], "happy path")?.outcome, "pass")
        XCTAssertEqual(matrix.versions.map(\.name), ["1.6", "2.0.1"])
        XCTAssertEqual(matrix.versions.map(\.passed), [2, 1])
        XCTAssertEqual(matrix.versions.map(\.total), [2, 2])
        XCTAssertEqual(matrix.overall.passed, 3)
    }

    func testEveryReportSaysTheVersion() throws {
        let junit = Reports.junit(report)
        XCTAssertTrue(junit.contains(#"classname="NIO.NIO Power Charger 640 4.0.1 OCPP 2.0.1""#), junit)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Reports.json(report)) as? [String: Any])
        let versions = try XCTUnwrap((json["summary"] as? [String: Any])?["versions"] as? [[String: Any]])
        XCTAssertEqual(versions.compactMap { $0["name"] as? String }, ["1.6", "2.0.1"])
        let cells = try XCTUnwrap((json["matrix"] as? [String: Any])?["cells"] as? [[String: Any]])
        XCTAssertEqual(Set(cells.compactMap { $0["version"] as? String }), ["1.6", "2.0.1"])
        let html = Reports.html(report)
        XCTAssertTrue(html.contains("<th>OCPP</th>"), "the matrix has a version column")
        XCTAssertTrue(html.contains("<tr><td>NIO</td><td>NIO Power Charger 640</td><td>4.0.1</td><td>2.0.1</td>"), html)
        XCTAssertTrue(html.contains(#"<table id="versions">"#))
    }

    func finding(_ rule: String, _ severity: String, messageId: String? = "m3") -> LabFinding {
        LabFinding(
            rule: rule, severity: severity, detail: "\(rule) broke with value 42", messageId: messageId, sessionId: 7, time: Date(),
            evidence: messageId.map { "/api/chargepoints/NIO-1/messages?messageId=\($0)" },
            frames: [LabFrame(time: Date(), direction: "in", messageType: 2, messageId: messageId, action: "MeterValues", text: "[2,\"m3\",\"MeterValues\",{}]")])
    }

    func testAPassedCaseWithAnUnexpectedErrorFindingIsNotCompatible() throws {
        var expected = result("quirk", version: "1.6", .passed)
        expected.judge([finding("meter.energy-below-power", "error")], expected: ["meter.energy-below-power"])
        var unexpected = result("happy path", version: "1.6", .passed)
        unexpected.judge([finding("session.meter-stop-below-start", "error"), finding("status.illegal-transition", "warning")], expected: [])
        var warned = result("remote stop", version: "1.6", .passed)
        warned.judge([finding("status.illegal-transition", "warning")], expected: [])
        XCTAssertTrue(expected.clean, "the scenario expects it")
        XCTAssertFalse(unexpected.clean)
        XCTAssertEqual(unexpected.unexpectedErrors, ["session.meter-stop-below-start"])
        XCTAssertTrue(warned.clean, "a warning does not make a case unclean")

        let report = RunReport(startedAt: Date(), wallSeconds: 1, speed: 600, gateway: "embedded", results: [expected, unexpected, warned])
        let matrix = CompatibilityMatrix(report)
        XCTAssertEqual(matrix.overall.passed, 3)
        XCTAssertEqual(matrix.overall.compatible, 2)
        XCTAssertEqual(matrix.overallRate, 2.0 / 3.0, accuracy: 1e-9, "not 100 % compatible")
        XCTAssertEqual(matrix.overall.passRate, 1)
        XCTAssertEqual(matrix.cell(matrix.rows[0], "happy path")?.outcome, "unclean")
        XCTAssertEqual(matrix.cell(matrix.rows[0], "quirk")?.outcome, "pass")

        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Reports.json(report)) as? [String: Any])
        let summary = try XCTUnwrap(json["summary"] as? [String: Any])
        XCTAssertEqual(summary["passed"] as? Int, 3)
        XCTAssertEqual(summary["compatible"] as? Int, 2)
        let results = try XCTUnwrap(json["results"] as? [[String: Any]])
        XCTAssertEqual(results.map { $0["clean"] as? Bool }, [true, false, true])
        let details = try XCTUnwrap(results[1]["findingDetails"] as? [[String: Any]])
        XCTAssertEqual(details.first?["detail"] as? String, "session.meter-stop-below-start broke with value 42")

        let html = Reports.html(report)
        XCTAssertTrue(html.contains("session.meter-stop-below-start broke with value 42"), "the detail text is shown")
        XCTAssertTrue(html.contains("passed, not clean"), html)
        XCTAssertTrue(html.contains("<details><summary>frames</summary><pre>→ [2,&quot;m3&quot;,&quot;MeterValues&quot;,{}]</pre></details>"), "the evidence frames are shown")
        XCTAssertTrue(html.contains("<b id=\"clean\">2</b>"), "passed and clean are told apart")
        XCTAssertTrue(html.contains("66.7 %"), "the rate counts compatible cases")
        let junit = Reports.junit(report)
        XCTAssertTrue(junit.contains("not clean: unexpected error findings session.meter-stop-below-start"), junit)
    }
}
