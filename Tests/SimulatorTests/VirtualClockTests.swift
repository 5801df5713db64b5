import Foundation
import NIOCore
import XCTest

@testable import Simulator

/// What a fast-forward pile tells the gateway about time, on either clock.
final class VirtualClockTests: XCTestCase {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func testOnTheWallClockASimulatedMomentIsStampedWithTheWallMomentItHappenedAt() {
        let clock = VirtualClock(speed: 60, simulatedStart: start, wallStart: start, timestamps: .wall)
        // Ten simulated minutes in, at 60×, is ten wall seconds in.
        XCTAssertEqual(clock.stamp(start.addingTimeInterval(600)), start.addingTimeInterval(10))
        XCTAssertEqual(clock.stamp(start), start)
    }

    func testOnTheSimulatedClockTheStampIsTheSimulatedMoment() {
        let clock = VirtualClock(speed: 60, simulatedStart: start, wallStart: start, timestamps: .simulated)
        XCTAssertEqual(clock.stamp(start.addingTimeInterval(600)), start.addingTimeInterval(600))
    }

    func testAtSpeedOneBothClocksAgree() {
        for timestamps in VirtualClock.Timestamps.allCases {
            let clock = VirtualClock(speed: 1, simulatedStart: start, wallStart: start, timestamps: timestamps)
            XCTAssertEqual(clock.stamp(start.addingTimeInterval(42)), start.addingTimeInterval(42), "\(timestamps)")
            XCTAssertEqual(clock.protocolDelay(300), .seconds(300), "\(timestamps)")
        }
    }

    func testTheGatewaysIntervalsAreWallSecondsOnTheWallClockAndSimulatedOnesOtherwise() {
        XCTAssertEqual(VirtualClock(speed: 60, timestamps: .wall).protocolDelay(300), .seconds(300))
        XCTAssertEqual(VirtualClock(speed: 60, timestamps: .simulated).protocolDelay(300), .seconds(5))
        XCTAssertEqual(VirtualClock(speed: 60, timestamps: .wall).wallDelay(300), .seconds(5), "the physics runs fast on both")
    }

    func testIntervalsReadOffTheWireCannotOverflowTheTimer() {
        let clock = VirtualClock(speed: 0.001, timestamps: .wall)
        XCTAssertEqual(clock.wallDelay(Double(Int.max)), .seconds(1_000_000_000))
        XCTAssertEqual(clock.protocolDelay(.infinity), .seconds(1_000_000_000))
        XCTAssertEqual(clock.protocolDelay(.nan), .milliseconds(1))
        XCTAssertEqual(clock.protocolDelay(-5), .milliseconds(1))
    }
}
