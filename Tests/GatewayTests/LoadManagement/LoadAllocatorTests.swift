import OCPP
import XCTest

@testable import Gateway

/// The allocator's rule on worked cases, then its promises on thousands of seeded random sites.
final class LoadAllocatorTests: XCTestCase {
    func allocate(_ limit: Double, _ piles: [PileDemand]) -> [Double] { LoadAllocator.allocate(limitKW: limit, piles) }

    func assertEqual(_ a: [Double], _ b: [Double], accuracy: Double = 0.002, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, "\(a) vs \(b)", file: file, line: line) }
    }

    func testThreePilesThatEachWantMoreThanTheirShareGetEqualShares() {
        let piles = Array(repeating: PileDemand(maxKW: 60, minimumKW: 4.14), count: 3)
        assertEqual(allocate(95, piles), [31.666, 31.666, 31.666])
    }

    func testWhatALowMaximumPileCannotTakeGoesToTheOthers() {
        assertEqual(allocate(100, [PileDemand(maxKW: 10), PileDemand(maxKW: 60), PileDemand(maxKW: 60)]), [10, 45, 45])
    }

    func testATaperingCarsUnusedShareGoesToTheOthers() {
        let piles = [PileDemand(maxKW: 60, minimumKW: 4.14, wantsKW: 12), PileDemand(maxKW: 60, minimumKW: 4.14), PileDemand(maxKW: 60, minimumKW: 4.14)]
        assertEqual(allocate(100, piles), [12, 44, 44])
    }

    func testPowerLeftAfterEveryCarHasWhatItTakesIsSharedUpToTheMaxima() {
        // Alone, the tapering car may take more again without waiting for a re-balance.
        assertEqual(allocate(100, [PileDemand(maxKW: 60, wantsKW: 10)]), [60])
        assertEqual(allocate(50, [PileDemand(maxKW: 60, wantsKW: 10), PileDemand(maxKW: 20, wantsKW: 5)]), [30, 20])
    }

    func testFloorsComeFirstThenEqualShares() {
        let piles = [PileDemand(maxKW: 60, floorKW: 30, minimumKW: 4.14), PileDemand(maxKW: 60, minimumKW: 4.14), PileDemand(maxKW: 60, minimumKW: 4.14)]
        assertEqual(allocate(50, piles), [30, 10, 10])
        // A floor below the equal share changes nothing.
        assertEqual(allocate(90, piles), [30, 30, 30])
    }

    func testFloorsThatExceedTheLimitAreScaledDownInProportion() {
        let piles = [PileDemand(maxKW: 60, floorKW: 30), PileDemand(maxKW: 60, floorKW: 20), PileDemand(maxKW: 60, minimumKW: 4.14)]
        assertEqual(allocate(40, piles), [24, 16, 0])
    }

    func testMinimumsThatDoNotFitAreFilledToOneLevel() {
        let piles = Array(repeating: PileDemand(maxKW: 60, minimumKW: 4.14), count: 3)
        assertEqual(allocate(10, piles), [3.333, 3.333, 3.333])
        // Room for the minimums: nobody is left below them.
        let floored = [PileDemand(maxKW: 60, floorKW: 20, minimumKW: 4.14), PileDemand(maxKW: 60, minimumKW: 4.14)]
        assertEqual(allocate(24.14, floored), [20, 4.14])
    }

    func testAPileThatIgnoresItsLimitIsCountedAtWhatItDraws() {
        let piles = [PileDemand(maxKW: 60, uncontrolledKW: 58), PileDemand(maxKW: 60, minimumKW: 4.14), PileDemand(maxKW: 60, minimumKW: 4.14)]
        assertEqual(allocate(100, piles), [58, 21, 21])
        // Drawing more than its maximum counts only up to the maximum (a meter glitch).
        assertEqual(allocate(100, [PileDemand(maxKW: 60, uncontrolledKW: 900), PileDemand(maxKW: 60)]), [60, 40])
    }

    func testLimitsAreRoundedDownToWholeWattsSoTheirSumNeverRisesAboveTheLimit() {
        let limits = allocate(100, Array(repeating: PileDemand(maxKW: 60), count: 7))
        XCTAssertLessThanOrEqual(limits.reduce(0, +), 100)
        for limit in limits { XCTAssertEqual(limit * 1000, (limit * 1000).rounded(), accuracy: 1e-6) }
    }

    func testNonFiniteAndNegativeInputsGiveNothingRatherThanNonsense() {
        let piles = [
            PileDemand(maxKW: .nan, floorKW: .infinity), PileDemand(maxKW: -5, minimumKW: -1), PileDemand(maxKW: 60, wantsKW: -.infinity),
            PileDemand(maxKW: 60, uncontrolledKW: .nan),
        ]
        let limits = allocate(.infinity, piles)
        XCTAssertTrue(limits.allSatisfy { $0.isFinite && $0 >= 0 }, "\(limits)")
        XCTAssertEqual(allocate(.nan, piles).reduce(0, +), 0)
        XCTAssertEqual(allocate(-10, piles).reduce(0, +), 0)
        XCTAssertEqual(allocate(100, []), [])
    }

    /// Seeded random sites: hardware maxima, floors, tapering cars and piles that ignore their limits.
    func testOnRandomSitesTheSumStaysWithinTheLimitFloorsHoldAndNobodyStarves() {
        var rng = SeededRandom(seed: 14)
        for round in 0..<3_000 {
            let count = 1 + Int(rng.next() % 40)
            let piles = (0..<count).map { _ -> PileDemand in
                let maxKW = rng.uniform(3, 350)
                return PileDemand(
                    maxKW: maxKW, floorKW: rng.chance(0.3) ? rng.uniform(0, 80) : 0, minimumKW: 4.14,
                    wantsKW: rng.chance(0.3) ? rng.uniform(0, maxKW) : nil, uncontrolledKW: rng.chance(0.1) ? rng.uniform(0, 400) : nil)
            }
            let limit = rng.uniform(0, 2_000)
            let limits = allocate(limit, piles)
            let context = "round \(round): limit \(limit), \(piles)"
            XCTAssertEqual(limits.count, piles.count)
            let controlled = piles.indices.filter { piles[$0].uncontrolledKW == nil }
            let taken = piles.indices.filter { piles[$0].uncontrolledKW != nil }.reduce(0.0) { $0 + limits[$1] }
            let available = max(0, limit - taken)
            let sum = controlled.reduce(0.0) { $0 + limits[$1] }
            XCTAssertLessThanOrEqual(sum, available + 1e-9, context)
            for i in piles.indices {
                XCTAssertTrue(limits[i].isFinite && limits[i] >= 0 && limits[i] <= piles[i].maxKW + 1e-9, context)
            }
            let floors = controlled.map { min(piles[$0].floorKW, piles[$0].maxKW) }
            if floors.reduce(0, +) <= available {
                for (k, i) in controlled.enumerated() { XCTAssertGreaterThanOrEqual(limits[i], floors[k] - 0.001, "floor, \(context)") }
            }
            let minimums = controlled.map { min(piles[$0].maxKW, max(piles[$0].floorKW, 4.14)) }
            if minimums.reduce(0, +) <= available {
                for (k, i) in controlled.enumerated() { XCTAssertGreaterThanOrEqual(limits[i], minimums[k] - 0.001, "starved, \(context)") }
            }
            // Nothing is wasted: either every pile is at its maximum or the share is used up.
            let maxima = controlled.reduce(0.0) { $0 + piles[$1].maxKW }
            XCTAssertGreaterThanOrEqual(sum, min(maxima, available) - 0.001 * Double(count) - 1e-6, "unused power, \(context)")
        }
    }
}

extension SeededRandom {
    mutating func chance(_ p: Double) -> Bool { uniform(0, 1) < p }
}
