import Foundation
import Simulator
import XCTest
import YAMLConfig

@testable import Lab

/// The `site:` block and `expect.site`: read strictly, mistakes named with file and line.
final class SiteScenarioParsingTests: XCTestCase {
    static let library = try? ProfileLibrary(root: Repository.simulators)

    let valid = """
        name: site
        simulation: {maxSpeed: 120}
        matrix: {piles: [sunnic-120], vehicles: [su7-max], soc: [20]}
        pile: {quirks: [ignores-charging-profiles]}
        site:
          piles: 4
          gridLimitKW: 200
          quirkyPiles: 1
          floors: [{pile: 2, floorKW: 50}]
        steps:
          - boot: {}
          - plugIn: {connector: 1, idTag: "S-{n}-{k}"}
        expect:
          site:
            maxOverLimitSeconds: 120
            floorsMet: true
            energyWithinPercentOfIdeal: 10
            pileOverLimit: {kW: {min: 20}, seconds: {max: 600}, graceSeconds: 5}
        """

    func load(_ text: String) throws -> LoadedScenario {
        try ScenarioLoader(library: try XCTUnwrap(Self.library)).load(text: text, file: "site.yaml")
    }

    func failure(_ text: String) throws -> YAMLConfigError {
        let loader = ScenarioLoader(library: try XCTUnwrap(Self.library))
        do {
            _ = try loader.load(text: text, file: "site.yaml")
        } catch {
            return error
        }
        XCTFail("loaded, expected an error")
        return YAMLConfigError(file: "site.yaml", line: nil, message: "no error")
    }

    func testASiteScenarioLoadsWithItsSettings() throws {
        let loaded = try load(valid)
        XCTAssertEqual(loaded.scenario.site?.piles, 4)
        XCTAssertEqual(loaded.scenario.site?.floors?.first?.pile, 2)
        XCTAssertEqual(loaded.scenario.expect?.site?.pileOverLimit?.kW?.min, 20)
        XCTAssertEqual(loaded.scenario.simulation?.maxSpeed, 120)
    }

    func testAnUnknownSiteKeyIsReportedWithItsLine() throws {
        let error = try failure(valid.replacingOccurrences(of: "gridLimitKW: 200", with: "gridLimit: 200"))
        XCTAssertEqual(error.line, 7)
        XCTAssertTrue(error.message.contains("unknown key \"gridLimit\" in site"), error.message)
    }

    func testOutOfRangeSiteValuesAreReportedWithTheirKeyAndLine() throws {
        var error = try failure(valid.replacingOccurrences(of: "piles: 4", with: "piles: 1"))
        XCTAssertEqual(error.line, 6)
        XCTAssertTrue(error.message.contains("site.piles must be 2 to 32"), error.message)
        error = try failure(valid.replacingOccurrences(of: "{pile: 2, floorKW: 50}", with: "{pile: 9, floorKW: 50}"))
        XCTAssertEqual(error.line, 9)
        XCTAssertTrue(error.message.contains("site.floors[0].pile"), error.message)
        error = try failure(valid.replacingOccurrences(of: "{pile: 2, floorKW: 50}", with: "{pile: 2, network: NIO, floorKW: 50}"))
        XCTAssertTrue(error.message.contains("exactly one of account, accountGroup, network, pile"), error.message)
        // The gateway's own checks of a site, in the scenario's words.
        error = try failure(valid.replacingOccurrences(of: "quirkyPiles: 1", with: "quirkyPiles: 1\n  limitSchedule: [{from: \"25:00\", to: \"06:00\", limitKW: 100}]"))
        XCTAssertTrue(error.message.contains("site.limitSchedule[0].from must be HH:MM"), error.message)
        XCTAssertNotNil(error.line)
    }

    func testSiteExpectationsNeedASiteAndSaneValues() throws {
        var error = try failure(valid.replacingOccurrences(of: "energyWithinPercentOfIdeal: 10", with: "energyWithinPercentOfIdeal: 150"))
        XCTAssertEqual(error.line, 17)
        XCTAssertTrue(error.message.contains("energyWithinPercentOfIdeal must be 0 to 100"), error.message)
        let withoutSite = valid.replacingOccurrences(of: "  quirkyPiles: 1\n", with: "")
            .replacingOccurrences(of: "site:\n  piles: 4\n  gridLimitKW: 200\n  floors: [{pile: 2, floorKW: 50}]\n", with: "")
        error = try failure(withoutSite)
        XCTAssertTrue(error.message.contains("expect.site needs a site: block"), error.message)
        error = try failure(valid.replacingOccurrences(of: "pile: {quirks: [ignores-charging-profiles]}\n", with: ""))
        XCTAssertTrue(error.message.contains("quirkyPiles needs pile.quirks"), error.message)
        error = try failure(valid.replacingOccurrences(of: "maxSpeed: 120", with: "maxSpeed: 0"))
        XCTAssertEqual(error.line, 2)
    }

    func testASiteCaseRunsItsPilesWithDerivedIdentitiesAndOnlyTheQuirkyOnesQuirky() throws {
        let loaded = try load(valid)
        let library = try XCTUnwrap(Self.library)
        let cases = ScenarioCase.expand([loaded], library: library)
        XCTAssertEqual(cases.count, 1, "a site is one case")
        XCTAssertEqual(cases.first?.speed(run: 2400), 120)
        XCTAssertEqual(cases.first?.speed(run: 60), 60)
        let members = try XCTUnwrap(cases.first).members(identity: "SUNNIC-000001", serial: "000001")
        XCTAssertEqual(members.map(\.identity), ["SUNNIC-000001-S1", "SUNNIC-000001-S2", "SUNNIC-000001-S3", "SUNNIC-000001-S4"])
        XCTAssertEqual(members.map(\.serial), ["000001-1", "000001-2", "000001-3", "000001-4"])
        XCTAssertEqual(members.map { $0.profile.quirks.contains(.ignoresChargingProfiles) }, [true, false, false, false])
        // The floor naming pile 2 names its generated identity in the gateway's settings.
        let settings = try XCTUnwrap(cases.first?.siteSettings(identity: "SUNNIC-000001", serial: "000001", speed: 120))
        XCTAssertEqual(settings.floors.first?.chargePoint, "SUNNIC-000001-S2")
        XCTAssertEqual(settings.id, "LAB-SITE-000001")
    }
}
