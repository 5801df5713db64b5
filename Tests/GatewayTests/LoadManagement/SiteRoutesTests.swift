import Foundation
import Gateway
import OCPP
import XCTest

/// `/api/sites` without piles: the shapes, and each way a site is not there.
final class SiteRoutesTests: XCTestCase {
    func testSitesAreListedAndAnUnknownOrUnmanagedSiteIsItsOwn404() async throws {
        var configuration = GatewayConfiguration()
        var hub = SiteSettings(id: "hub", gridLimitKW: 100)
        hub.name = "Hub"
        hub.marginPercent = 10
        configuration.sites = [hub, SiteSettings(id: "plain")]
        try await GatewayHarness.with(configuration) { harness in
            let list = await harness.api("GET", "/api/sites")
            XCTAssertEqual(list.status, 200, list.text)
            XCTAssertEqual(list.json.arrayValue?.count, 1, "only managed sites: \(list.text)")
            XCTAssertEqual(list.json[path: "0.id"], "hub")
            XCTAssertEqual(list.json[path: "0.limitKW"]?.doubleValue, 100)
            XCTAssertEqual(list.json[path: "0.allocatableKW"]?.doubleValue, 90)
            XCTAssertEqual(list.json[path: "0.activePiles"]?.intValue, 0)
            let one = await harness.api("GET", "/api/sites/hub")
            XCTAssertEqual(one.status, 200, one.text)
            XCTAssertEqual(one.json[path: "name"], "Hub")
            XCTAssertEqual(one.json[path: "piles"], .array([]))
            let history = await harness.api("GET", "/api/sites/hub/history?limit=5")
            XCTAssertEqual(history.status, 200, history.text)
            XCTAssertEqual(history.json[path: "pushes"], .array([]))
            let unknown = await harness.api("GET", "/api/sites/nowhere")
            XCTAssertEqual(unknown.status, 404)
            XCTAssertEqual(unknown.json[path: "error.code"], "site_not_found")
            let plain = await harness.api("GET", "/api/sites/plain/history")
            XCTAssertEqual(plain.status, 404)
            XCTAssertEqual(plain.json[path: "error.code"], "site_not_managed")
            let badLimit = await harness.api("GET", "/api/sites/hub/history?limit=0")
            XCTAssertEqual(badLimit.status, 400, badLimit.text)
            let page = await harness.api("GET", "/sites", token: nil)
            XCTAssertEqual(page.status, 200)
            XCTAssertTrue(page.text.contains("svg.site-chart"))
        }
    }
}
