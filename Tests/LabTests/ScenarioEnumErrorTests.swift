import Foundation
import Lab
import Simulator
import XCTest
import YAMLConfig

/// A value a scenario's enumerated key does not take names the file, the line, the key,
/// the value and the values it does take.
final class ScenarioEnumErrorTests: XCTestCase {
    static let library = try? ProfileLibrary.standard()

    private func message(_ text: String) throws -> String? {
        let loader = ScenarioLoader(library: try XCTUnwrap(Self.library))
        do {
            _ = try loader.load(text: text, file: "bad.yaml")
            return nil
        } catch {
            return error.description
        }
    }

    private func scenario(step: String, expect: String = "") -> String {
        "name: enums\nmatrix: {piles: [nio-640], vehicles: [su7-max], soc: [20]}\nsteps:\n  - boot: {}\n  - \(step)\n" + expect
    }

    func testABadConnectorStatusNamesFileLineKeyValueAndTheStatuses() throws {
        XCTAssertEqual(
            try message(scenario(step: "waitStatus: {connector: 1, status: Chargin}")),
            #"bad.yaml:5: steps[1].waitStatus.status: "Chargin" is not allowed here; allowed: Available, Preparing, Charging, SuspendedEVSE, SuspendedEV, Finishing, Reserved, Unavailable, Faulted"#
        )
    }

    func testEveryEnumeratedScenarioKeyListsWhatItTakes() throws {
        let cases: [(String, String)] = [
            (scenario(step: "fault: {connector: 1, errorCode: Melted}"), #"steps[1].fault.errorCode: "Melted" is not allowed here; allowed: ConnectorLockFailure, "#),
            (scenario(step: "raw: {frame: '[]', expectCallError: Oops}"), #"steps[1].raw: expectCallError: "Oops" is not a CALLERROR code; allowed: FormatViolation, FormationViolation, GenericError, "#),
            (scenario(step: "injectQuirk: {quirks: [slow-replies, fast-replies]}"), #"steps[1].injectQuirk.quirks[1]: "fast-replies" is not allowed here; allowed: sampled-value-as-number, "#),
            (
                "name: enums\nmatrix: {piles: [nio-640]}\nsteps:\n  - boot: {expect: Acepted}\n",
                #"bad.yaml:4: steps[0].boot.expect: "Acepted" is not allowed here; allowed: Accepted, Pending, Rejected"#
            ),
            (
                "name: enums\nmatrix: {piles: [nio-640], versions: [ocpp2.1]}\nsteps:\n  - boot: {}\n",
                #"bad.yaml:2: matrix.versions[0]: "ocpp2.1" is not allowed here; allowed: ocpp1.6, ocpp2.0.1"#
            ),
            (
                scenario(step: "unplug: {connector: 1}", expect: "expect:\n  session: {stopReason: Bored}\n"),
                #"expect.session.stopReason: "Bored" is not allowed here; allowed: DeAuthorized, EmergencyStop, "#
            ),
            (
                scenario(step: "unplug: {connector: 1}", expect: "expect:\n  statuses: [{connector: 1, sequence: [Available], match: exactly}]\n"),
                #"expect.statuses[0].match: "exactly" is not allowed here; allowed: exact, inOrder"#
            ),
        ]
        for (text, expected) in cases {
            let found = try XCTUnwrap(try message(text), expected)
            XCTAssertTrue(found.hasPrefix("bad.yaml:"), found)
            XCTAssertTrue(found.contains(expected), "\(found)\nshould contain\n\(expected)")
        }
    }
}
