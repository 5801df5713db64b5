import Foundation
import XCTest

@testable import Lab

/// The pile's total power from its guns' readings taken at their own times.
final class PilePowerTests: XCTestCase {
    func sample(_ t: Double, _ kW: Double) -> LabSample {
        LabSample(time: Date(timeIntervalSince1970: t), measurand: "Power.Active.Import", value: kW * 1000)
    }

    func testEachGunCountsWithItsLatestReadingWhileItHasReadings() {
        // Two guns sampling at their own phases: 60 + 60 while both run; one alone takes 120 after the other's last reading.
        let a = [sample(0, 60), sample(60, 60), sample(120, 120)]
        let b = [sample(30, 60), sample(90, 60)]
        XCTAssertEqual(ExpectationChecker.peakTotal([a, b]), 120)
        // A second gun that read 100 while the first read 60: 160 at once is seen.
        XCTAssertEqual(ExpectationChecker.peakTotal([a, [sample(30, 100), sample(90, 100)]]), 160)
        XCTAssertNil(ExpectationChecker.peakTotal([[], []]))
    }
}
