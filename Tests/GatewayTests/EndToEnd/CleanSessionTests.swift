import Foundation
import Gateway
import OCPP
import SessionStore
import Simulator
import XCTest

/// A well-behaved simulated pile of every profile charges through the gateway and the
/// compliance rules find nothing: the rules flag piles, not normal operation.
final class CleanSessionTests: SimulationTestCase {
    func testASimulatedSessionOnEveryProfileProducesNoFinding() async throws {
        var configuration = GatewayConfiguration()
        // The piles run on a virtual clock (600x): their timestamps and heartbeats are meant
        // to disagree with the wall clock, so the timing rules are off (docs/rules.md).
        configuration.clockTolerance = 0
        let profiles = try library().piles.keys.sorted()
        XCTAssertFalse(profiles.isEmpty)
        try await withHarness(configuration) { harness in
            let car = try vehicle("su7-standard")  // 400 V: every profile can charge it
            var piles: [(String, PileHandle)] = []
            for profile in profiles {
                let identity = "CLEAN-\(profile)".prefix(36).description
                let pile = try await startPile(harness, profile, identity: identity)
                pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 60, targetSoC: 70, idTag: identity.suffix(20).description) }
                piles.append((identity, pile))
            }
            for (identity, pile) in piles {
                let done = try await harness.eventually(30) { try await self.sessions(harness, identity).first?.status == .completed }
                XCTAssertTrue(done, "\(identity) did not complete its session")
                // Unplugging ends the session's status sequence: Finishing → Available.
                pile.execute { $0.unplug(connector: 1) }
            }
            for (identity, _) in piles {
                _ = try await harness.eventually(5) {
                    try await harness.store.chargePoint(id: identity)?.connectors.first { $0.connectorId == 1 }?.status == "Available"
                }
                let findings = try await harness.findings(identity)
                XCTAssertEqual(findings.map { "\($0.rule): \($0.detail)" }, [], identity)
            }
        }
    }
}
