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
}
