import Foundation
import XCTest

@testable import Simulator

final class FleetPlanTests: XCTestCase {
    func fleet(_ name: String) throws -> (FleetProfile, ProfileLibrary) {
        let library = try library()
        return (try XCTUnwrap(library.fleets[name]), library)
    }

    func testTheSameSeedPlansTheSameFleet() throws {
        let (fleet, library) = try fleet("demo")
        let a = FleetRunner.plan(fleet, library: library, seed: 7)
        let b = FleetRunner.plan(fleet, library: library, seed: 7)
        let c = FleetRunner.plan(fleet, library: library, seed: 8)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.map(\.latitude), c.map(\.latitude), "another seed scatters stations elsewhere")
        XCTAssertEqual(a.map(\.identity), c.map(\.identity), "identities do not depend on the seed")
    }

    func testShardsSplitTheFleetWithoutOverlap() throws {
        let (fleet, library) = try fleet("xiaomi-partners")
        let whole = FleetRunner.plan(fleet, library: library, seed: 1)
        XCTAssertEqual(whole.count, fleet.pileCount)
        XCTAssertEqual(Set(whole.map(\.identity)).count, whole.count, "identities are unique")
        let shards = (0..<3).map { FleetRunner.plan(fleet, library: library, shardIndex: $0, shardCount: 3, seed: 1) }
        XCTAssertEqual(shards.map(\.count).reduce(0, +), whole.count)
        XCTAssertEqual(Set(shards.flatMap { $0.map(\.identity) }), Set(whole.map(\.identity)))
        XCTAssertLessThanOrEqual(shards.map(\.count).max()! - shards.map(\.count).min()!, 1, "shards are even")
    }

    func testScalingShrinksEveryGroupButKeepsAtLeastOnePile() throws {
        let (fleet, _) = try fleet("xiaomi-partners")
        let small = fleet.scaled(by: 0.01)
        XCTAssertEqual(small.groups.count, fleet.groups.count)
        XCTAssertTrue(small.groups.allSatisfy { $0.count >= 1 && $0.stations >= 1 && $0.stations <= $0.count })
        XCTAssertEqual(Double(small.pileCount), Double(fleet.pileCount) * 0.01, accuracy: Double(fleet.groups.count))
    }

    func testStationsLieWithinTheirCityRadius() throws {
        let (fleet, library) = try fleet("demo")
        for pile in FleetRunner.plan(fleet, library: library, seed: 3) {
            let group = try XCTUnwrap(fleet.groups.first { $0.city == pile.city && $0.pile == pile.profileId })
            let dLat = (pile.latitude - group.latitude) * 111
            let dLon = (pile.longitude - group.longitude) * 111 * cos(group.latitude * .pi / 180)
            XCTAssertLessThanOrEqual((dLat * dLat + dLon * dLon).squareRoot(), group.radiusKm + 0.01, pile.identity)
        }
    }
}
