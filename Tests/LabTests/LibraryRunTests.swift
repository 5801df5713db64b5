import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Lab
import Simulator
import XCTest

/// The shipped scenario library, run against an embedded gateway at a speed that keeps
/// CI short, and its reports checked: JUnit XML parses, JSON has the matrix, the HTML
/// opens in headless Chromium.
final class LibraryRunTests: XCTestCase {
    static func run(_ paths: [String], speed: Double = 2400) async throws -> RunReport {
        let library = try ProfileLibrary(root: Repository.simulators)
        let scenarios = try ScenarioLoader(library: library).load(paths: paths)
        var options = LabRunOptions()
        options.speed = speed
        options.parallel = 8
        return try await LabRun.run(ScenarioCase.expand(scenarios, library: library), library: library, options: options)
    }

    func testTheShippedLibraryPassesAgainstTheEmbeddedGateway() async throws {
        let report = try await Self.run([Repository.scenarios])
        let failures = report.results.filter { $0.outcome == .failed }.map { "\($0.caseName): \($0.failures.joined(separator: "; "))" }
        XCTAssertEqual(failures, [], "failed cases")
        XCTAssertGreaterThan(report.passed, 60)
        // PileGate's own gateway has every endpoint the steps use: nothing may be skipped.
        let skipped = report.results.filter { $0.outcome == .skipped }.map { "\($0.caseName): \($0.skipReason ?? "")" }
        XCTAssertEqual(skipped, [], "skipped cases")
        // The scenarios shared by both versions ran at both.
        XCTAssertGreaterThan(report.results.filter { $0.ocppVersion == "2.0.1" }.count, 60)
        let shared = Dictionary(grouping: report.results, by: \.scenario).mapValues { Set($0.map(\.ocppVersion)) }
        XCTAssertEqual(shared["remote stop"], ["1.6", "2.0.1"])
        XCTAssertEqual(shared["offline mid-session, queued transaction messages delivered on reconnect"], ["1.6", "2.0.1"])
        try checkReports(report)
    }

    func testAWrongExpectationFailsTheCaseWithWhatWasRecorded() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lab-wrong-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
            name: wrong on purpose
            matrix: {piles: [nio-640], vehicles: [byd-han], soc: [30]}
            steps:
              - boot: {}
              - plugIn: {connector: 1, target: 40, idTag: "W-{n}"}
              - waitStatus: {connector: 1, status: Finishing}
              - unplug: {connector: 1}
            expect:
              statuses: [{connector: 1, sequence: [Available, Charging]}]
              session: {stopReason: Remote, energy: {kWh: 1, toleranceKWh: 0.1}}
              findings: {present: [payload.string-as-number]}
            """.write(to: directory.appendingPathComponent("wrong.yaml"), atomically: true, encoding: .utf8)
        let report = try await Self.run([directory.path])
        let result = try XCTUnwrap(report.results.first)
        XCTAssertEqual(result.outcome, .failed)
        XCTAssertFalse(report.allPassed)
        let text = result.failures.joined(separator: "\n")
        XCTAssertTrue(text.contains("recorded Available → Preparing → Charging → Finishing → Available"), text)
        XCTAssertTrue(text.contains("stop reason Local, expected Remote"), text)
        XCTAssertTrue(text.contains("expected 1.000 ± 0.100 kWh"), text)
        XCTAssertTrue(text.contains("finding payload.string-as-number expected"), text)
        XCTAssertEqual(result.sessions.count, 1)
        XCTAssertFalse(result.sessions[0].trace?.isEmpty ?? true, "the session's message trace is the evidence")
    }

    /// JUnit XML parses with as many test cases and failures as the run had; the JSON
    /// carries the summary and matrix; the HTML has the matrix and the charts.
    func checkReports(_ report: RunReport) throws {
        let junit = Reports.junit(report)
        let counter = JUnitCounter()
        let parser = XMLParser(data: Data(junit.utf8))
        parser.delegate = counter
        XCTAssertTrue(parser.parse(), "JUnit XML does not parse: \(parser.parserError.map { "\($0)" } ?? "")")
        XCTAssertEqual(counter.testcases, report.results.count)
        XCTAssertEqual(counter.failures, report.failed)
        XCTAssertEqual(counter.skipped, report.skipped)

        let json = try JSONSerialization.jsonObject(with: try Reports.json(report)) as? [String: Any]
        let summary = try XCTUnwrap(json?["summary"] as? [String: Any])
        XCTAssertEqual(summary["cases"] as? Int, report.results.count)
        let matrix = try XCTUnwrap(json?["matrix"] as? [String: Any])
        XCTAssertFalse((matrix["cells"] as? [Any] ?? []).isEmpty)
        let results = try XCTUnwrap(json?["results"] as? [[String: Any]])
        let withTrace = results.flatMap { ($0["sessions"] as? [[String: Any]]) ?? [] }.filter { !(($0["trace"] as? [Any]) ?? []).isEmpty }
        XCTAssertFalse(withTrace.isEmpty, "embedded runs carry each session's message trace")

        let html = Reports.html(report)
        try openInChromium(html, expecting: ["id=\"matrix\"", "id=\"networks\"", "id=\"versions\"", "<th>OCPP</th>", "<polyline", "compatibility rate"])
    }

    func openInChromium(_ html: String, expecting fragments: [String]) throws {
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("chromium is not installed: the HTML report was not opened in a browser (apt-get install chromium)")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lab-report-\(UUID().uuidString).html")
        try html.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", file.absoluteString]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
        let dom = String(decoding: data, as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, "chromium exited with \(process.terminationStatus)")
        for fragment in fragments { XCTAssertTrue(dom.contains(fragment), "the rendered DOM lacks \(fragment)") }
    }
}

final class JUnitCounter: NSObject, XMLParserDelegate {
    var testcases = 0
    var failures = 0
    var skipped = 0

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch element {
        case "testcase": testcases += 1
        case "failure": failures += 1
        case "skipped": skipped += 1
        default: break
        }
    }
}

/// A small campaign: every session the simulated piles ran is found in the gateway's
/// store with the energy the pile delivered and the stop reason it sent.
final class CampaignTests: XCTestCase {
    func testACampaignChecksEverySessionAgainstTheGatewaysRecord() async throws {
        let library = try ProfileLibrary(root: Repository.simulators)
        var plan = CampaignPlan(sessions: 300, seed: 3)
        plan.concurrentPiles = 30
        var options = LabRunOptions()
        options.speed = 20_000
        let report = try await Campaign.run(plan, library: library, options: options)
        XCTAssertEqual(report.results.count, 300)
        XCTAssertEqual(report.results.filter { $0.outcome != .passed }.flatMap(\.failures), [])
        XCTAssertEqual(Set(report.results.map(\.profile)), Set(library.piles.keys), "every pile model takes part")
        XCTAssertGreaterThan(Set(report.results.compactMap(\.vehicle)).count, 3, "vehicles vary")
        XCTAssertGreaterThan(Set(report.results.compactMap(\.soc)).count, 10, "states of charge vary")
    }

    func testACampaignMixesVersions() async throws {
        let library = try ProfileLibrary(root: Repository.simulators)
        var plan = CampaignPlan(sessions: 80, seed: 5)
        plan.concurrentPiles = 8
        plan.piles = ["nio-640", "ykc-60"]
        plan.versions = [.v16, .v201]
        var options = LabRunOptions()
        options.speed = 20_000
        let report = try await Campaign.run(plan, library: library, options: options)
        XCTAssertEqual(report.results.count, 80)
        XCTAssertEqual(report.results.filter { $0.outcome != .passed }.flatMap(\.failures), [])
        XCTAssertEqual(Set(report.results.map(\.profile)), ["nio-640", "nio-640-v201", "ykc-60", "ykc-60@2.0.1"])
        XCTAssertEqual(Set(report.results.map(\.ocppVersion)), ["1.6", "2.0.1"])
    }
}
