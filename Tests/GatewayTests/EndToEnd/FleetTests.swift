import Foundation
import Gateway
import SessionStore
import Simulator
import XCTest

final class FleetTests: SimulationTestCase {
    func testTheDemoFleetRunsSessionsThatTheGatewayRecordsAlike() async throws {
        try await withHarness { harness in
            var options = FleetRunner.Options(endpoint: harness.endpoint)
            options.speed = 1200
            options.threads = 1
            let fleet = try XCTUnwrap(try library().fleets["demo"])
            let runner = try FleetRunner(fleet: fleet, library: try library(), options: options)
            try await runner.start()
            let enough = try await harness.eventually(20) { runner.stats.snapshot().sessionsCompleted >= 3 }
            XCTAssertTrue(enough, "fewer than 3 sessions completed: \(runner.stats.snapshot())")
            let stats = runner.stats.snapshot()
            await runner.stop()
            try await harness.store.flush()
            XCTAssertEqual(stats.booted, fleet.pileCount)
            XCTAssertEqual(stats.errors, [:])
            let recorded = try await harness.store.sessions(chargePointId: nil, status: nil, limit: 10_000)
            // A reply confirms a commit, so every session a pile saw start is stored (and maybe
            // one or two whose reply was still on its way when the fleet stopped).
            XCTAssertGreaterThanOrEqual(recorded.count, stats.sessionsStarted)
            XCTAssertLessThanOrEqual(recorded.count, stats.sessionsStarted + fleet.pileCount)
            let piles = try await harness.store.chargePoints()
            XCTAssertEqual(piles.count, fleet.pileCount)
            let models = try Set(fleet.groups.compactMap { try library().piles[$0.pile]?.model })
            XCTAssertEqual(Set(piles.compactMap(\.chargePoint.model)), models, "every model of the fleet booted")
        }
    }

    func testAFleetThatEndsLeavesTheGatewayNoOpenSession() async throws {
        try await withHarness { harness in
            var options = FleetRunner.Options(endpoint: harness.endpoint)
            options.speed = 1200
            options.threads = 1
            let fleet = try XCTUnwrap(try library().fleets["demo"])
            let runner = try FleetRunner(fleet: fleet, library: try library(), options: options)
            try await runner.start()
            let charging = try await harness.eventually(20) {
                try await !harness.store.sessions(chargePointId: nil, status: .active, limit: 10).isEmpty
            }
            XCTAssertTrue(charging, "some session runs before the fleet ends")
            let undelivered = await runner.endSessions()
            await runner.stop()
            XCTAssertEqual(undelivered, 0)
            try await harness.store.flush()
            let open = try await harness.store.sessions(chargePointId: nil, status: .active, limit: 10_000)
            XCTAssertEqual(open.map(\.id), [], "every session the fleet started is stopped")
            let stopped = try await harness.store.sessions(chargePointId: nil, status: .completed, limit: 10_000)
            XCTAssertTrue(stopped.contains { $0.stopReason == "Local" }, "the running ones end with reason Local")
        }
    }

    func testAPendingPileBootsAgainAfterTheIntervalTheGatewayGave() async throws {
        var configuration = GatewayConfiguration()
        configuration.unknownChargePoints = .pending
        configuration.bootRetryInterval = 60
        try await withHarness(configuration) { harness in
            var profile = try XCTUnwrap(try library().piles["li-5c"])
            profile.quirks = []
            let context = SimulationContext(endpoint: harness.endpoint, clock: VirtualClock(speed: 600))
            let pile = PileHandle(identity: "LI-PENDING", profile: profile, context: context, eventLoop: harness.group.next(), seed: 1)
            pile.start()
            let retried = try await harness.eventually(10) {
                try await harness.store.flush()
                return try await self.frames(harness, "LI-PENDING").filter { $0.direction == .incoming && $0.action == "BootNotification" }.count >= 3
            }
            XCTAssertTrue(retried, "a Pending pile boots again every bootRetryInterval (60 s simulated = 0.1 s here)")
            let status = try await pile.run { $0.registration }
            XCTAssertEqual(status, .Pending)
            let sent = try await frames(harness, "LI-PENDING").filter { $0.direction == .incoming }.compactMap(\.action)
            XCTAssertEqual(Set(sent), ["BootNotification"], "a Pending pile sends nothing but BootNotification")
            pile.stop()
        }
    }
}

final class PowerSharingTests: SimulationTestCase {
    func testTwoCarsOnATELD120ShareItsPowerAndOneAloneIsLimitedByCurrent() async throws {
        try await withHarness { harness in
            let pile = try await startPile(harness, "teld-120", identity: "TELD-SHARE", speed: 60)
            let car = try vehicle("su7-standard")  // 400 V: fits the 750 V pile, curve above 120 kW at 20 %
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 20, targetSoC: 100, idTag: "A") }
            _ = try await harness.eventually(5) { try await pile.run { $0.session(on: 1)?.transaction != nil } }
            // Physics ticks every 30 simulated seconds (0.5 s here).
            _ = try await harness.eventually(5) { try await pile.run { ($0.session(on: 1)?.powerKW ?? 0) > 0 } }
            let alone = try await pile.run { $0.session(on: 1)?.powerKW ?? 0 }
            XCTAssertEqual(alone, 100, accuracy: 0.5, "alone: 250 A × 400 V = 100 kW, below the pile's 120 kW")

            pile.execute { $0.plugIn(connector: 2, vehicle: car, soc: 20, targetSoC: 100, idTag: "B") }
            _ = try await harness.eventually(5) { try await pile.run { $0.session(on: 2)?.transaction != nil } }
            _ = try await harness.eventually(5) { try await pile.run { ($0.session(on: 2)?.powerKW ?? 0) > 0 } }
            let shared = try await pile.run { ($0.session(on: 1)?.powerKW ?? 0, $0.session(on: 2)?.powerKW ?? 0) }
            XCTAssertEqual(shared.0, 60, accuracy: 0.5)
            XCTAssertEqual(shared.1, 60, accuracy: 0.5)
        }
    }
}
