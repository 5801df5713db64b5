import Foundation
import Gateway
import Simulator
import XCTest

/// A fast-forward pile against a gateway that judges clocks (the default clockTolerance of
/// 300 s): on the wall clock it is judged like a real pile, on the simulated clock it is not.
final class PileClockTests: SimulationTestCase {
    /// The clock and heartbeat rules the gateway recorded against a quirk-free nio-640 and a
    /// teld-120 whose timestamps carry local time without a zone (8 h off, really), after
    /// both charged a car at 600× for three wall seconds (half a simulated hour).
    private func clockFindings(_ timestamps: VirtualClock.Timestamps) async throws -> (clean: Set<String>, skewed: Set<String>) {
        var result: (Set<String>, Set<String>) = ([], [])
        try await withHarness { harness in
            let clock = VirtualClock(speed: 600, timestamps: timestamps)
            let clean = try await startPile(harness, "nio-640", identity: "NIO-CLOCK-\(timestamps)", context: { $0.clock = clock })
            let skewed = try await startPile(
                harness, "teld-120", identity: "TELD-CLOCK-\(timestamps)", quirks: [.timestampWithoutZone], context: { $0.clock = clock })
            let car = try vehicle("su7-standard")
            for pile in [clean, skewed] { pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 20, targetSoC: 100, idTag: "CLOCK") } }
            try await Task.sleep(for: .seconds(3))
            clean.stop()
            skewed.stop()
            try await harness.store.flush()
            func rules(_ id: String) async throws -> Set<String> {
                Set(try await harness.store.findings(chargePointId: id, limit: 1000).map(\.rule).filter { $0.hasPrefix("clock.") || $0.hasPrefix("heartbeat.") })
            }
            result = (try await rules("NIO-CLOCK-\(timestamps)"), try await rules("TELD-CLOCK-\(timestamps)"))
        }
        return result
    }

    func testOnTheWallClockAFastForwardPileGetsNoClockOrHeartbeatFindingsAndARealClockErrorStillDoes() async throws {
        let found = try await clockFindings(.wall)
        XCTAssertEqual(found.clean, [], "timestamps and heartbeats on the wall clock agree with the gateway's")
        XCTAssertEqual(found.skewed, ["clock.timestamp-ahead"], "a pile whose clock is really off is still found out")
    }

    func testOnTheSimulatedClockEveryFastForwardPileLooksWrong() async throws {
        // Why sim's default is the wall clock: this is what a gateway that judges clocks sees otherwise.
        let found = try await clockFindings(.simulated)
        XCTAssertTrue(found.clean.contains("clock.timestamp-ahead"), "\(found.clean)")
        XCTAssertTrue(found.clean.contains("heartbeat.too-frequent"), "\(found.clean)")
    }
}
