import Foundation
import Lab
import OCPP
import Simulator
import XCTest
import YAMLConfig

/// Malformed scenarios are reported with file, line and what is wrong, before anything runs.
final class ScenarioParsingTests: XCTestCase {
    static let library = try? ProfileLibrary(root: Repository.simulators)

    var loader: ScenarioLoader {
        get throws { ScenarioLoader(library: try XCTUnwrap(Self.library, "Simulators/ did not load")) }
    }

    func error(_ text: String, file: String = "bad.yaml") throws -> YAMLConfigError? {
        let loader = try loader
        do {
            _ = try loader.load(text: text, file: file)
            return nil
        } catch {
            return error
        }
    }

    let valid = """
        name: ok
        matrix:
          piles: [nio-640]
          vehicles: [su7-max]
          soc: [20]
        steps:
          - boot: {}
          - plugIn: {connector: 1, target: 50, idTag: T}
        expect:
          sessions: 1
        """

    func testAValidScenarioLoads() throws {
        let loaded = try loader.load(text: valid, file: "ok.yaml")
        XCTAssertEqual(loaded.steps.map(\.kind), ["boot", "plugIn"])
        XCTAssertEqual(loaded.steps.map(\.line), [7, 8])
    }

    func testAnUnknownKeyIsReportedWithItsLineAndTheKeysAllowedThere() throws {
        let text = valid.replacingOccurrences(of: "target: 50", with: "traget: 50")
        let failure = try XCTUnwrap(try error(text))
        XCTAssertEqual(failure.file, "bad.yaml")
        XCTAssertEqual(failure.line, 8)
        XCTAssertTrue(failure.message.contains("unknown key \"traget\" in steps[1].plugIn"), failure.message)
        XCTAssertTrue(failure.message.contains("target"), "lists the allowed keys: \(failure.message)")
    }

    func testAnUnknownStepKindIsReportedWithItsLine() throws {
        let failure = try XCTUnwrap(try error(valid.replacingOccurrences(of: "- boot: {}", with: "- bootUp: {}")))
        XCTAssertEqual(failure.line, 7)
        XCTAssertTrue(failure.message.contains("bootUp"), failure.message)
    }

    func testAStepWithTwoKindsIsRefused() throws {
        let failure = try XCTUnwrap(try error(valid.replacingOccurrences(of: "- boot: {}", with: "- {boot: {}, reboot: {}}")))
        XCTAssertEqual(failure.line, 7)
        XCTAssertTrue(failure.message.contains("exactly one of"), failure.message)
    }

    func testAnUnknownPileProfileNamesTheEntryAndTheKnownOnes() throws {
        let failure = try XCTUnwrap(try error(valid.replacingOccurrences(of: "piles: [nio-640]", with: "piles:\n    - nio-640\n    - nio-9000")))
        XCTAssertEqual(failure.line, 5)
        XCTAssertTrue(failure.message.contains("unknown pile profile \"nio-9000\""), failure.message)
        XCTAssertTrue(failure.message.contains("teld-120"), failure.message)
    }

    func testABadStatusValueIsReportedWithItsLine() throws {
        let text = valid + "\n  statuses:\n    - sequence: [Available, Charing]\n"
        let failure = try XCTUnwrap(try error(text))
        XCTAssertEqual(failure.line, 12)
        XCTAssertTrue(failure.message.contains("statuses"), failure.message)
    }

    func testAStateOfChargeOutsideTheRangeIsRefused() throws {
        let failure = try XCTUnwrap(try error(valid.replacingOccurrences(of: "soc: [20]", with: "soc: [20, 120]")))
        XCTAssertEqual(failure.line, 5)
        XCTAssertTrue(failure.message.contains("120"), failure.message)
    }

    func testAPlugInWithoutAVehicleIsRefused() throws {
        let failure = try XCTUnwrap(try error(valid.replacingOccurrences(of: "  vehicles: [su7-max]\n", with: "")))
        XCTAssertEqual(failure.line, 7)
        XCTAssertTrue(failure.message.contains("no vehicle"), failure.message)
    }

    func testAMissingMatrixIsRefused() throws {
        let failure = try XCTUnwrap(try error("name: x\nsteps:\n  - boot: {}\n"))
        XCTAssertTrue(failure.message.contains("matrix"), failure.message)
    }

    func testInvalidYAMLIsReportedWithItsLine() throws {
        let failure = try XCTUnwrap(try error("name: x\nmatrix: {piles: [nio-640]\nsteps: []\n"))
        XCTAssertNotNil(failure.line)
        XCTAssertTrue(failure.message.contains("YAML"), failure.message)
    }

    func testAMissingGatewayConfigurationIsReported() throws {
        let failure = try XCTUnwrap(try error("gateway: nowhere.yaml\n" + valid, file: "/tmp/s.yaml"))
        XCTAssertEqual(failure.line, 1)
        XCTAssertTrue(failure.message.contains("nowhere.yaml"), failure.message)
    }

    func testEveryErrorOfSeveralFilesIsReportedBeforeAnythingRuns() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lab-parse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try valid.replacingOccurrences(of: "nio-640", with: "nope").write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try valid.replacingOccurrences(of: "sessions: 1", with: "sesions: 1").write(to: directory.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        try valid.write(to: directory.appendingPathComponent("c.yaml"), atomically: true, encoding: .utf8)
        let loader = try loader
        XCTAssertThrowsError(try loader.load(paths: [directory.path])) { error in
            let errors = (error as? ScenarioLoadErrors)?.errors ?? []
            XCTAssertEqual(errors.map { URL(fileURLWithPath: $0.file).lastPathComponent }, ["a.yaml", "b.yaml"])
            XCTAssertEqual(errors.map(\.line), [3, 10])
        }
    }

    func testTheShippedLibraryLoadsAndExpandsItsMatrices() throws {
        let loader = try loader
        let scenarios = try loader.load(paths: [Repository.scenarios])
        XCTAssertGreaterThan(scenarios.count, 30)
        let cases = ScenarioCase.expand(scenarios, library: loader.library)
        // The happy path runs on every pile profile of Simulators/piles.
        // The happy path runs on every pile profile of Simulators/piles, and every model at both versions.
        let happy = cases.filter { $0.scenario.scenario.tags?.contains("happy-path") == true }
        XCTAssertTrue(Set(happy.map(\.profileId)).isSuperset(of: loader.library.piles.keys))
        let models = Dictionary(grouping: happy) { "\($0.network) \($0.model)" }.mapValues { Set($0.map(\.version)) }
        XCTAssertEqual(Set(models.values), [Set(OCPPVersion.allCases)], "\(models)")
        // Scenarios that name versions: each case at one of them.
        for loaded in scenarios {
            guard let versions = loaded.scenario.matrix?.versions else { continue }
            XCTAssertEqual(Set(cases.filter { $0.scenario.file == loaded.file }.map(\.version)), Set(versions), loaded.file)
        }
        // Every quirk of the simulator has a scenario.
        let quirks = Set(scenarios.flatMap { $0.scenario.pile?.quirks ?? [] } + scenarios.flatMap { $0.scenario.steps ?? [] }.flatMap { $0.injectQuirk?.quirks ?? [] })
        XCTAssertEqual(quirks, Set(Quirk.allCases))
        XCTAssertEqual(Set(scenarios.flatMap { $0.scenario.pile?.v201Quirks ?? [] }), Set(V201Quirk.allCases), "every 2.0.1 quirk has a scenario")
        XCTAssertEqual(ScenarioCase.expand(scenarios, library: loader.library, repeat: 3).count, cases.count * 3)
    }

    func testEachPileRunsAtEachVersionAsItsVariantOrSwitched() throws {
        let loader = try loader
        let loaded = try loader.load(
            text: valid.replacingOccurrences(of: "piles: [nio-640]", with: "piles: [nio-640, teld-120, nio-640-v201]\n  versions: [ocpp1.6, ocpp2.0.1]"),
            file: "both.yaml")
        let cases = ScenarioCase.expand([loaded], library: loader.library)
        // nio-640 and nio-640-v201 are one model at two versions: each runs once.
        XCTAssertEqual(cases.map(\.profileId), ["nio-640", "nio-640-v201", "teld-120", "teld-120@2.0.1"])
        XCTAssertEqual(cases.map(\.version), [.v16, .v201, .v16, .v201])
        XCTAssertEqual(cases.map(\.firmware), ["3.2.0", "4.0.1", loader.library.piles["teld-120"]?.firmware, loader.library.piles["teld-120"]?.firmware])
        XCTAssertTrue(cases[1].name.contains("ocpp2.0.1"), cases[1].name)
        // Without versions each pile speaks its own.
        let own = ScenarioCase.expand([try loader.load(text: valid.replacingOccurrences(of: "[nio-640]", with: "[nio-640-v201]"), file: "own.yaml")], library: loader.library)
        XCTAssertEqual(own.map(\.version), [.v201])
        XCTAssertFalse(own[0].name.contains("ocpp2.0.1"), "a scenario without versions keeps its case names")
    }

    func testARawFrameCannotRunAtTwoVersions() throws {
        let text = """
            name: raw at both
            matrix: {piles: [nio-640], versions: [ocpp1.6, ocpp2.0.1]}
            steps:
              - boot: {}
              - raw: {frame: '[2,"x","Heartbeat",{}]', expectResult: true}
            """
        let error = try XCTUnwrap(try self.error(text))
        XCTAssertEqual(error.line, 5)
        XCTAssertTrue(error.message.contains("a raw frame is written for one OCPP version"), error.message)
    }

    func testVersionsAreCheckedWhereTheyAreWritten() throws {
        let empty = try XCTUnwrap(try error(valid.replacingOccurrences(of: "soc: [20]", with: "soc: [20]\n  versions: []")))
        XCTAssertTrue(empty.message.contains("matrix.versions is empty"), empty.message)
        let unknown = try XCTUnwrap(try error(valid.replacingOccurrences(of: "soc: [20]", with: "soc: [20]\n  versions: [ocpp2.1]")))
        XCTAssertEqual(unknown.line, 6)
        XCTAssertTrue(unknown.message.contains("ocpp1.6") && unknown.message.contains("ocpp2.0.1"), unknown.message)
    }

    func testACommandStepIsCheckedWhereItIsWritten() throws {
        func scenario(_ step: String) -> String { "name: c\nmatrix: {piles: [nio-640]}\nsteps:\n  - boot: {}\n  - \(step)\n" }
        let loaded = try loader.load(text: scenario("command: {action: Reset, payload: {type: Soft}, expect: {status: Accepted}}"), file: "ok.yaml")
        XCTAssertEqual(loaded.steps.map(\.kind), ["boot", "command"])
        let code = try XCTUnwrap(try error(scenario("command: {action: Reset, expectError: pile_sad}")))
        XCTAssertEqual(code.line, 5)
        XCTAssertTrue(code.message.contains("expectError is one of pile_error"), code.message)
        let both = try XCTUnwrap(try error(scenario("command: {action: Reset, expect: {status: Accepted}, expectError: pile_error}")))
        XCTAssertTrue(both.message.contains("not both"), both.message)
        let payload = try XCTUnwrap(try error(scenario("command: {action: Reset, payload: [1]}")))
        XCTAssertTrue(payload.message.contains("payload must be a mapping"), payload.message)
        let key = try XCTUnwrap(try error(scenario("command: {action: Reset, answer: {}}")))
        XCTAssertTrue(key.message.contains("unknown key \"answer\""), key.message)
    }
}
