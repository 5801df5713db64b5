import EVModel
import Foundation
import Simulator
import XCTest

/// Who unplugs a car in fleet mode: the fleet's own drivers leave after the dwell; a car
/// plugged in by hand (the demo's app users, scenarios) stays until it is unplugged, so
/// its idle time is the caller's to decide.
final class DriverDepartureTests: SimulationTestCase {
    func plan(_ car: VehicleProfile, perHour: Double) -> ArrivalPlan {
        ArrivalPlan(
            perConnectorPerHour: perHour, vehicles: [(car, 1)], arrivalSoC: 40...40, targetSoC: 50...50, dwellMinutes: 1,
            idTagPattern: "FLEET-{n}")
    }

    func testAFleetDriverUnplugsAfterTheDwell() async throws {
        try await withHarness { harness in
            let pile = try await startPile(harness, identity: "NIO-DWELL-1")
            let car = try vehicle("su7-max")
            let arrivals = plan(car, perHour: 600)
            pile.execute { $0.startArrivals(arrivals) }
            let left = try await harness.eventually(20) {
                try await self.sessions(harness, "NIO-DWELL-1").contains { $0.status == .completed && $0.unpluggedAt != nil }
            }
            XCTAssertTrue(left, "a fleet car charged, and its driver came back and unplugged")
        }
    }

    func testACarPluggedInByHandStaysPastTheDwell() async throws {
        try await withHarness { harness in
            let pile = try await startPile(harness, identity: "NIO-DWELL-2")
            let car = try vehicle("su7-max")
            let arrivals = plan(car, perHour: 0)
            pile.execute { $0.startArrivals(arrivals) }
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 40, targetSoC: 45, idTag: "HAND-1") }
            let done = try await harness.eventually(20) { try await self.sessions(harness, "NIO-DWELL-2").first?.status == .completed }
            XCTAssertTrue(done, "the session did not complete")
            // Ten dwells of simulated time (at 600×, a minute is 0.1 s).
            try await Task.sleep(for: .seconds(1))
            let plugged = try await pile.run { $0.session(on: 1)?.vehicle != nil }
            XCTAssertTrue(plugged, "the fleet's dwell does not unplug a car it did not bring")
            let session = try await sessions(harness, "NIO-DWELL-2").first
            XCTAssertNil(session?.unpluggedAt)
        }
    }
}
