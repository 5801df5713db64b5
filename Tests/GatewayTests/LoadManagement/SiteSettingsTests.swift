import Foundation
import Gateway
import XCTest
import YAMLConfig

/// `sites:` in the configuration: the schedule's clock, and errors that name their key.
final class SiteSettingsTests: XCTestCase {
    private func load(_ text: String) throws -> GatewayConfiguration {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-sites-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try GatewayConfiguration.load(path: path)
    }

    private func assertRefused(_ text: String, naming key: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(text), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(key), "\(error)", file: file, line: line)
        }
    }

    /// 2027-01-15 at `hh:mm` UTC.
    func utc(_ hh: Int, _ mm: Int = 0) -> Date { Date(timeIntervalSince1970: 1_799_971_200 + Double(hh * 3600 + mm * 60)) }

    func testASiteLoadsWithItsDefaults() throws {
        let configuration = try load(
            """
            chargePoints: [{ id: A, station: hub, maxPowerKW: 60 }]
            sites:
              - id: hub
                gridLimitKW: 100
            """)
        let site = try XCTUnwrap(configuration.sites.first)
        XCTAssertEqual(site.marginPercent, 5)
        XCTAssertEqual(site.thresholdKW, 1)
        XCTAssertEqual(site.rebalanceSeconds, 30)
        XCTAssertEqual(site.toleranceSeconds, 60)
        XCTAssertEqual(site.utcOffset, "+00:00")
        XCTAssertEqual(site.allocatableKW(at: utc(12)), 95)
    }

    func testTheScheduleRunsOnTheSitesLocalClockAndAWindowMayCrossMidnight() throws {
        var site = SiteSettings(id: "hub", gridLimitKW: 400)
        site.utcOffset = "+08:00"
        site.limitSchedule = [.init(from: "18:00", to: "21:00", limitKW: 250), .init(from: "23:00", to: "06:00", limitKW: 300)]
        XCTAssertEqual(site.limitKW(at: utc(9, 59)), 400, "17:59 local")
        XCTAssertEqual(site.limitKW(at: utc(10)), 250, "18:00 local")
        XCTAssertEqual(site.limitKW(at: utc(13)), 400, "21:00 local: the end is outside")
        XCTAssertEqual(site.limitKW(at: utc(15, 30)), 300, "23:30 local")
        XCTAssertEqual(site.limitKW(at: utc(21, 59)), 300, "05:59 local, the next day")
        XCTAssertEqual(site.limitKW(at: utc(22)), 400, "06:00 local")
        // Overlapping windows: the lowest wins; a window above the grid limit changes nothing.
        site.limitSchedule.append(.init(from: "19:00", to: "20:00", limitKW: 200))
        site.limitSchedule.append(.init(from: "00:00", to: "23:59", limitKW: 900))
        XCTAssertEqual(site.limitKW(at: utc(11, 30)), 200)
        XCTAssertEqual(site.limitKW(at: utc(4)), 400)
        site.utcOffset = "-05:00"
        XCTAssertEqual(site.limitKW(at: utc(1)), 250, "20:00 the day before")
    }

    func testASiteWithoutALimitIsNotManaged() throws {
        let configuration = try load("sites: [{ id: hub }]\n")
        XCTAssertNil(configuration.sites.first?.limitKW(at: utc(12)))
    }

    func testMistakesAreRefusedNamingTheKey() {
        assertRefused("sites: [{ id: hub, gridLimitKW: -3 }]\n", naming: "sites[hub].gridLimitKW must be between 0 and 1000000")
        assertRefused("sites: [{ id: hub, gridLimitKW: 100, marginPercent: 80 }]\n", naming: "sites[hub].marginPercent")
        assertRefused("sites: [{ id: hub, gridLimitKW: 100, utcOffset: \"8\" }]\n", naming: "sites[hub].utcOffset must be ±HH:MM")
        assertRefused(
            "sites: [{ id: hub, gridLimitKW: 100, limitSchedule: [{ from: \"25:00\", to: \"06:00\", limitKW: 50 }] }]\n",
            naming: "sites[hub].limitSchedule[0].from must be HH:MM")
        assertRefused(
            "sites: [{ id: hub, gridLimitKW: 100, limitSchedule: [{ from: \"06:00\", to: \"06:00\", limitKW: 50 }] }]\n",
            naming: "sites[hub].limitSchedule[0]: from and to are the same time")
        assertRefused(
            "sites: [{ id: hub, gridLimitKW: 100, floors: [{ account: a, network: NIO, floorKW: 20 }] }]\n",
            naming: "sites[hub].floors[0] needs exactly one of account, accountGroup, network, chargePoint")
        assertRefused("sites: [{ id: hub, gridLimitKW: 100, floors: [{ account: a, floorKW: 200 }] }]\n", naming: "sites[hub].floors[0].floorKW")
        assertRefused("sites: [{ id: hub, gridLimitKW: 100, rebalanceSeconds: 0 }]\n", naming: "sites[hub].rebalanceSeconds")
        assertRefused("sites: [{ id: hub, gridLimitKW: 100, toleranceSeconds: 0 }]\n", naming: "sites[hub].toleranceSeconds")
        assertRefused("sites: [{ id: hub, gridLimitKW: 100 }, { id: hub, gridLimitKW: 50 }]\n", naming: "sites lists an id twice")
        assertRefused("sites: [{ id: hub, gridLimitKW: 100, limitKW: 5 }]\n", naming: "unknown key \"limitKW\"")
    }
}
