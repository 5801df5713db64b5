import Foundation
import Gateway
import OCPP
import SessionStore
import Simulator
import XCTest

/// A site of three simulated 60 kW 1.6 piles behind one grid connection, over loopback:
/// the gateway shares the limit with TxProfiles and the piles' own meters show it held.
final class LoadManagementEndToEndTests: SimulationTestCase {
    static let piles = ["HUB-1", "HUB-2", "HUB-3"]

    func configuration(gridLimitKW: Double) -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        configuration.chargePoints = Self.piles.map { id in
            var pile = GatewayConfiguration.KnownChargePoint(id: id, network: "NIO", model: "Power Charger 640")
            pile.station = "hub"
            pile.maxPowerKW = 60
            return pile
        }
        var site = SiteSettings(id: "hub", gridLimitKW: gridLimitKW)
        site.name = "Test hub"
        site.rebalanceSeconds = 1
        site.toleranceSeconds = 2
        configuration.sites = [site]
        return configuration
    }

    /// Three 60 kW piles with a car each, plugged in one after the other.
    func startCharging(_ harness: GatewayHarness, script: @escaping @Sendable (String, SimulatedPile) -> Void = { _, _ in }) async throws -> [PileHandle] {
        var handles: [PileHandle] = []
        let car = try vehicle("su7-max")
        for (n, id) in Self.piles.enumerated() {
            let pile = try await startPile(harness, identity: id, speed: 300) { $0.maxPowerKW = 60 }
            try await pile.run { script(id, $0) }
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 10, targetSoC: 90, idTag: "HUB-CAR-\(n)") }
            handles.append(pile)
        }
        return handles
    }

    func site(_ harness: GatewayHarness) throws -> SiteView { try XCTUnwrap(harness.gateway.site("hub")) }

    /// SetChargingProfile CALLs the gateway sent each pile.
    func pushes(_ harness: GatewayHarness) async throws -> [String: Int] {
        try await harness.store.flush()
        var counts: [String: Int] = [:]
        for id in Self.piles {
            counts[id] = try await frames(harness, id).filter { $0.direction == .outgoing && $0.messageType == 2 && $0.action == "SetChargingProfile" }.count
        }
        return counts
    }

    func testThreePilesShareTheSiteLimitAndTheirMetersStayUnderIt() async throws {
        try await withHarness(configuration(gridLimitKW: 100)) { harness in
            let handles = try await startCharging(harness)
            // Settled: every pile holds its third of 95 kW and its meter shows it.
            let settled = try await harness.eventually(20) {
                let view = try self.site(harness)
                return view.piles.count == 3
                    && view.piles.allSatisfy { p in
                        guard let limit = p.limitKW, let measured = p.measuredKW else { return false }
                        return abs(limit - 95.0 / 3) < 0.01 && measured <= limit + 0.1
                    }
            }
            let view = try site(harness)
            XCTAssertTrue(settled, "not settled: \(view.piles)")
            // From now on the piles' own meter values keep the site under its limit.
            let before = try await pushes(harness)
            for _ in 0..<25 {
                let now = try site(harness)
                XCTAssertLessThanOrEqual(now.measuredKW, 100, "\(now.piles.map { ($0.chargePointId, $0.measuredKW ?? -1) })")
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            for id in Self.piles {
                let sessionId = try await sessions(harness, id).first?.id
                let detail = try await harness.store.session(id: try XCTUnwrap(sessionId))
                let power = (detail?.samples ?? []).filter { $0.measurand == "Power.Active.Import" }.map(\.value)
                XCTAssertLessThanOrEqual(power.last ?? .infinity, 95_000.0 / 3 + 100, "\(id): \(power.suffix(5))")
            }
            // Timer re-balances ran meanwhile (every second) and changed nothing: no new pushes.
            let after = try await pushes(harness)
            XCTAssertEqual(before, after, "pushes without a change")
            let history = try XCTUnwrap(harness.gateway.siteHistory("hub"))
            XCTAssertEqual(history.pushes.count, after.values.reduce(0, +))
            for id in Self.piles {
                let limits = history.pushes.filter { $0.chargePointId == id }.map(\.limitKW)
                for (a, b) in zip(limits, limits.dropFirst()) { XCTAssertGreaterThan(abs(a - b), 1, "\(id) pushed within the threshold: \(limits)") }
            }
            XCTAssertTrue(history.pushes.allSatisfy { $0.answer == "Accepted" })
            XCTAssertGreaterThanOrEqual(history.series.count, 2, "a point per re-balance")
            XCTAssertTrue(history.series.allSatisfy { $0.allocatedKW <= $0.allocatableKW + 1e-6 })
            var siteFindings: [String] = []
            for id in Self.piles { siteFindings += try await harness.findings(id).map(\.rule).filter { $0.hasPrefix("site.") } }
            XCTAssertEqual(siteFindings, [])

            // A departure: the two left share the site.
            handles[2].execute { $0.unplug(connector: 1) }
            let shared = try await harness.eventually(15) {
                let view = try self.site(harness)
                return view.piles.count == 2 && view.piles.allSatisfy { abs(($0.limitKW ?? 0) - 47.5) < 0.01 }
            }
            let left = try site(harness).piles
            XCTAssertTrue(shared, "\(left)")
            for handle in handles { handle.stop() }
        }
    }

    func testAPileThatIgnoresItsLimitAndOneThatRejectsItAreFindingsAndTheirPowerIsCounted() async throws {
        try await withHarness(configuration(gridLimitKW: 150)) { harness in
            let handles = try await startCharging(harness) { id, pile in
                // HUB-1 says Accepted but keeps drawing; HUB-2 says Rejected.
                if id == "HUB-1" { pile.setOutcome("SetChargingProfile", "Accepted") }
                if id == "HUB-2" { pile.setOutcome("SetChargingProfile", "Rejected") }
            }
            let rejected = try await harness.finding("site.profile-rejected", for: "HUB-2", timeout: 20)
            XCTAssertTrue(rejected.detail.contains("Rejected"), rejected.detail)
            let ignored = try await harness.finding("site.limit-exceeded", for: "HUB-1", timeout: 20)
            XCTAssertTrue(ignored.detail.contains("against its limit"), ignored.detail)
            XCTAssertNotNil(ignored.sessionId)
            // Both draw their 60 kW; the third gets what is left of 142.5 kW.
            let accounted = try await harness.eventually(15) {
                let view = try self.site(harness)
                let states = Dictionary(uniqueKeysWithValues: view.piles.map { ($0.chargePointId, $0.state) })
                let third = view.piles.first { $0.chargePointId == "HUB-3" }?.limitKW ?? 0
                return states == ["HUB-1": "ignoring", "HUB-2": "rejected", "HUB-3": "following"] && abs(third - 22.5) < 0.5
            }
            let states = try site(harness).piles
            XCTAssertTrue(accounted, "\(states)")
            // The rejecting pile is not asked again within its transaction.
            try await harness.store.flush()
            let toRejecting = try await frames(harness, "HUB-2").filter { $0.direction == .outgoing && $0.action == "SetChargingProfile" }
            XCTAssertEqual(toRejecting.count, 1)
            let findings = try await harness.findings("HUB-1").filter { $0.rule == "site.limit-exceeded" }
            XCTAssertEqual(findings.count, 1, "once per transaction")
            for handle in handles { handle.stop() }
        }
    }

    func testAGatewayWithoutSitesSendsNoProfiles() async throws {
        var configuration = configuration(gridLimitKW: 100)
        configuration.sites[0].gridLimitKW = nil
        try await withHarness(configuration) { harness in
            XCTAssertNil(harness.gateway.site("hub"))
            XCTAssertTrue(harness.gateway.sites().isEmpty)
            let pile = try await startPile(harness, identity: "HUB-1", speed: 300) { $0.maxPowerKW = 60 }
            let car = try vehicle("su7-max")
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 10, targetSoC: 30, idTag: "HUB-CAR") }
            let active = try await harness.eventually(10) { try await self.sessions(harness, "HUB-1").first?.status == .active }
            XCTAssertTrue(active)
            try await Task.sleep(nanoseconds: 1_500_000_000)
            let sent = try await pushes(harness)
            XCTAssertEqual(sent["HUB-1"], 0)
            pile.stop()
        }
    }
}
