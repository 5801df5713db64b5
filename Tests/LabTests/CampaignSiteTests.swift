import Foundation
import Lab
import Simulator
import XCTest

/// A small campaign on managed sites: the report measures each site's summed meter
/// readings against its limit (count, longest and total seconds over, worst overshoot).
final class CampaignSiteTests: XCTestCase {
    func testACampaignOnSitesReportsEachSiteAgainstItsLimit() async throws {
        let library = try ProfileLibrary(root: Repository.simulators)
        var plan = CampaignPlan(sessions: 24, seed: 7)
        plan.concurrentPiles = 6
        plan.piles = ["sunnic-120"]
        plan.meterValueSampleInterval = 60
        plan.sites = CampaignSites(pilesPerSite: 3, gridLimitKW: 150)
        var options = LabRunOptions()
        options.speed = 600
        let report = try await Campaign.run(plan, library: library, options: options)
        XCTAssertEqual(report.results.count, 24)
        XCTAssertEqual(report.results.filter { $0.outcome != .passed }.flatMap(\.failures), [])
        let sites = try XCTUnwrap(report.sites)
        XCTAssertEqual(sites.map(\.site), ["CAMP-SITE-0001", "CAMP-SITE-0002"])
        XCTAssertEqual(sites.map(\.piles), [3, 3])
        XCTAssertEqual(sites.reduce(0) { $0 + $1.sessions }, 24)
        for site in sites {
            XCTAssertEqual(site.limitKW, 150)
            XCTAssertGreaterThan(site.peakKW, 0)
            // Arrivals overshoot until their TxProfile lands, and the report says by how much.
            XCTAssertEqual(site.overLimit.stretches == 0, site.overLimit.worstKW == 0)
            XCTAssertLessThanOrEqual(site.overLimit.longestSeconds, site.overLimit.totalSeconds)
            XCTAssertLessThanOrEqual(site.overLimit.worstKW, site.peakKW - site.limitKW + 0.001)
        }
        // The JSON report carries the sites.
        let json = try JSONSerialization.jsonObject(with: try Reports.json(report)) as? [String: Any]
        XCTAssertEqual((json?["sites"] as? [Any])?.count, 2)
        XCTAssertTrue(Reports.html(report).contains("Sites against their limits"))
    }
}
