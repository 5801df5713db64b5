import EVModel
import Foundation
import XCTest

@testable import Simulator

final class ChargingPhysicsTests: XCTestCase {
    // MARK: Curve interpolation

    func testCurveGivesTheExactFigureAtEachPoint() throws {
        let car = try vehicle("su7-max")
        for point in car.curve where point.soc < 100 {
            XCTAssertEqual(ChargingPhysics.curvePower(car.curve, soc: point.soc), point.kW, "soc \(point.soc)")
        }
    }

    func testCurveInterpolatesLinearlyBetweenPoints() throws {
        let car = try vehicle("su7-max")  // (30,223) (50,190) (80,103) (90,63)
        XCTAssertEqual(ChargingPhysics.curvePower(car.curve, soc: 40), 206.5, accuracy: 1e-9)
        XCTAssertEqual(ChargingPhysics.curvePower(car.curve, soc: 35), 223 - 33 * 0.25, accuracy: 1e-9)
        XCTAssertEqual(ChargingPhysics.curvePower(car.curve, soc: 85), 83, accuracy: 1e-9)
        // BYD Han's step: 119 kW at 59 %, 71 kW at 60 %.
        let han = try vehicle("byd-han")
        XCTAssertEqual(ChargingPhysics.curvePower(han.curve, soc: 59.5), 95, accuracy: 1e-9)
    }

    func testCurveIsFlatBeyondItsEnds() throws {
        XCTAssertEqual(ChargingPhysics.curvePower(try vehicle("su7-max").curve, soc: 2), 250)
        XCTAssertEqual(ChargingPhysics.curvePower(try vehicle("nio-et5").curve, soc: 5), 123)
        XCTAssertEqual(ChargingPhysics.curvePower(try vehicle("xpeng-g6").curve, soc: 95), 50)
        XCTAssertEqual(ChargingPhysics.curvePower(try vehicle("byd-han").curve, soc: 99.9), 50)
    }

    func testCurveIsZeroAtAndAbove100Percent() throws {
        for car in try library().vehicles.values {
            XCTAssertEqual(ChargingPhysics.curvePower(car.curve, soc: 100), 0, car.id)
            XCTAssertEqual(ChargingPhysics.curvePower(car.curve, soc: 101), 0, car.id)
            XCTAssertEqual(ChargingPhysics.power(vehicle: car, pile: try pile("nio-640"), soc: 100, grantedKW: 640), 0, car.id)
        }
        XCTAssertEqual(ChargingPhysics.curvePower([], soc: 50), 0)
    }

    // MARK: Power limits

    func testPowerIsCappedByPileCurrentTimesPackVoltage() throws {
        // teld-stack-360: 250 A per gun; a 400 V NIO ET5 gets 250 × 400 = 100 kW though its curve wants 127.
        let et5 = try vehicle("nio-et5")
        XCTAssertEqual(ChargingPhysics.power(vehicle: et5, pile: try pile("teld-stack-360"), soc: 18, grantedKW: 180), 100, accuracy: 1e-9)
        // nio-640: 765 A × 400 V = 306 kW, "400 V cars capped near 300 kW".
        var fast400 = et5
        fast400.curve = [.init(soc: 0, kW: 600), .init(soc: 100, kW: 600)]
        XCTAssertEqual(ChargingPhysics.power(vehicle: fast400, pile: try pile("nio-640"), soc: 20, grantedKW: 640), 306, accuracy: 1e-9)
        // xpeng-s4: 670 A, full 480 kW only from 716 V up.
        fast400.packVoltageV = 716
        XCTAssertEqual(ChargingPhysics.power(vehicle: fast400, pile: try pile("xpeng-s4"), soc: 20, grantedKW: 480), 479.72, accuracy: 1e-9)
        fast400.packVoltageV = 800
        XCTAssertEqual(ChargingPhysics.power(vehicle: fast400, pile: try pile("xpeng-s4"), soc: 20, grantedKW: 480), 480)
    }

    func testPowerIsTheCurveWhenThePileIsNotTheLimit() throws {
        XCTAssertEqual(ChargingPhysics.power(vehicle: try vehicle("su7-max"), pile: try pile("nio-640"), soc: 30, grantedKW: 640), 223)
        XCTAssertEqual(ChargingPhysics.power(vehicle: try vehicle("li-mega"), pile: try pile("li-5c"), soc: 20, grantedKW: 520), 500)
    }

    func testPowerIsCappedByTheGrantedShareAndThePileMaximum() throws {
        let yu7 = try vehicle("yu7-max")
        XCTAssertEqual(ChargingPhysics.power(vehicle: yu7, pile: try pile("teld-stack-360"), soc: 20, grantedKW: 60), 60)
        XCTAssertEqual(ChargingPhysics.power(vehicle: yu7, pile: try pile("teld-stack-360"), soc: 20, grantedKW: 360), 180)
    }

    func testPackVoltageAboveThePileMaximumGivesNoPower() throws {
        // su7-max: 871 V; teld-120: 750 V ceiling.
        let su7 = try vehicle("su7-max")
        let teld = try pile("teld-120")
        for soc in stride(from: 0.0, through: 99, by: 11) {
            XCTAssertEqual(ChargingPhysics.power(vehicle: su7, pile: teld, soc: soc, grantedKW: 120), 0)
        }
        let result = ChargingPhysics.advance(vehicle: su7, pile: teld, soc: 20, grantedKW: 120, seconds: 600, targetSoC: 80)
        XCTAssertEqual(result.energyKWh, 0)
        XCTAssertEqual(result.soc, 20)
        XCTAssertFalse(result.reachedTarget)
        // A 400 V car charges there.
        XCTAssertEqual(ChargingPhysics.power(vehicle: try vehicle("su7-standard"), pile: teld, soc: 50, grantedKW: 120), 100)  // 250 A × 400 V
    }

    func testACIsLimitedByTheOnboardChargerAndThePile() throws {
        let ac = try pile("xiaoju-ac7")
        var car = try vehicle("su7-max")  // 11 kW onboard, 871 V pack: neither curve nor pack voltage applies on AC
        XCTAssertEqual(car.acOnboardKW, 11)
        XCTAssertEqual(ChargingPhysics.power(vehicle: car, pile: ac, soc: 95, grantedKW: 7), 7)
        car.acOnboardKW = 3.3
        XCTAssertEqual(ChargingPhysics.power(vehicle: car, pile: ac, soc: 50, grantedKW: 7), 3.3)
        XCTAssertEqual(ChargingPhysics.power(vehicle: car, pile: ac, soc: 100, grantedKW: 7), 0)
    }

    // MARK: Integration

    /// Seconds from `from` to `to` percent: ∫ batteryKWh/100 × 3600 / P(soc) dsoc, by the
    /// midpoint rule, with P interpolated here from the curve points of the YAML file (not
    /// through ChargingPhysics) and capped by the pile's limits.
    private func expectedSeconds(_ car: VehicleProfile, on pile: PileProfile, from: Double, to: Double, step: Double = 0.001) -> Double {
        func curve(_ soc: Double) -> Double {
            let points = car.curve
            if soc <= points[0].soc { return points[0].kW }
            for k in 1..<points.count where soc <= points[k].soc {
                let a = points[k - 1], b = points[k]
                return a.kW + (b.kW - a.kW) * (soc - a.soc) / (b.soc - a.soc)
            }
            return points[points.count - 1].kW
        }
        let pileLimit = min(pile.maxPowerKW, pile.totalPowerKW, pile.maxCurrentA * car.packVoltageV / 1000)
        var seconds = 0.0
        var soc = from
        while soc < to - 1e-12 {
            let ds = min(step, to - soc)
            seconds += car.batteryKWh / 100 * 3600 / min(curve(soc + ds / 2), pileLimit) * ds
            soc += ds
        }
        return seconds
    }

    func testSU7MaxFrom10To80PercentOnNIO640TakesTheTimeItsCurveImplies() throws {
        let car = try vehicle("su7-max")
        let nio = try pile("nio-640")
        let expected = expectedSeconds(car, on: nio, from: 10, to: 80)
        let result = ChargingPhysics.advance(vehicle: car, pile: nio, soc: 10, grantedKW: nio.totalPowerKW, seconds: 4 * 3600, targetSoC: 80, step: 1)
        XCTAssertTrue(result.reachedTarget)
        XCTAssertEqual(result.soc, 80, accuracy: 1e-9)
        XCTAssertEqual(result.energyKWh, 0.7 * car.batteryKWh, accuracy: 1e-6)
        XCTAssertEqual(result.seconds, expected, accuracy: expected * 0.02, "simulated \(result.seconds) s, curve implies \(expected) s")
        // docs/profile-figures.md: ~23 min [M].
        XCTAssertGreaterThanOrEqual(result.seconds / 60, 18)
        XCTAssertLessThanOrEqual(result.seconds / 60, 28)
    }

    func testEveryVehicleFrom10To80PercentMatchesItsCurveOnAnUnlimitedPile() throws {
        // The 10→80 % column of docs/profile-figures.md, in minutes, with a generous band.
        let quoted: [String: Double] = [
            "su7-standard": 23, "su7-max": 23, "yu7-max": 12, "nio-et5": 39, "li-mega": 10.5, "xpeng-g6": 20, "byd-han": 35,
        ]
        var unlimited = try pile("nio-640")
        unlimited.maxPowerKW = 2000
        unlimited.maxCurrentA = 3000
        for car in try library().vehicles.values {
            let expected = expectedSeconds(car, on: unlimited, from: 10, to: 80)
            let result = ChargingPhysics.advance(vehicle: car, pile: unlimited, soc: 10, grantedKW: 2000, seconds: 4 * 3600, targetSoC: 80)
            XCTAssertEqual(result.seconds, expected, accuracy: expected * 0.02, car.id)
            let minutes = try XCTUnwrap(quoted[car.id], car.id)
            XCTAssertEqual(result.seconds / 60, minutes, accuracy: minutes * 0.1, "\(car.id): the curve should give about the quoted time")
        }
    }

    func testAdvanceStopsAtTheTargetAndSaysWhen() throws {
        let car = try vehicle("su7-standard")
        let result = ChargingPhysics.advance(vehicle: car, pile: try pile("nio-640"), soc: 79.9, grantedKW: 640, seconds: 60, targetSoC: 80)
        XCTAssertTrue(result.reachedTarget)
        XCTAssertEqual(result.soc, 80, accuracy: 1e-9)
        XCTAssertLessThan(result.seconds, 60)
        XCTAssertEqual(result.energyKWh, 0.001 * car.batteryKWh, accuracy: 1e-9)
        let already = ChargingPhysics.advance(vehicle: car, pile: try pile("nio-640"), soc: 85, grantedKW: 640, seconds: 60, targetSoC: 80)
        XCTAssertTrue(already.reachedTarget)
        XCTAssertEqual(already.seconds, 0)
        XCTAssertEqual(already.energyKWh, 0)
    }

    func testAdvanceForAWholeIntervalAddsEnergyAtTheDeliveredPower() throws {
        let car = try vehicle("nio-et5")
        // 100 kW (250 A × 400 V) for 36 s = 1 kWh.
        let result = ChargingPhysics.advance(vehicle: car, pile: try pile("teld-stack-360"), soc: 20, grantedKW: 180, seconds: 36)
        XCTAssertFalse(result.reachedTarget)
        XCTAssertEqual(result.seconds, 36, accuracy: 1e-9)
        XCTAssertEqual(result.energyKWh, 1, accuracy: 1e-9)
        XCTAssertEqual(result.soc, 20 + 100.0 / 90, accuracy: 1e-9)
    }

    // MARK: Sharing a cabinet

    func testTwoGunsOnTELD120BothWanting120Get60Each() {
        XCTAssertEqual(ChargingPhysics.share(totalKW: 120, demandKW: [120, 120]), [60, 60])
    }

    func testWhatOneGunCannotUseGoesToTheOther() {
        XCTAssertEqual(ChargingPhysics.share(totalKW: 120, demandKW: [30, 120]), [30, 90])
        XCTAssertEqual(ChargingPhysics.share(totalKW: 120, demandKW: [120, 30]), [90, 30])
    }

    func testSixCarsOnTELDStack360Get60EachAndTwoGet180Each() throws {
        let stack = try pile("teld-stack-360")
        let want = stack.maxPowerKW  // each gun takes at most 180
        XCTAssertEqual(ChargingPhysics.share(totalKW: stack.totalPowerKW, demandKW: Array(repeating: want, count: 6)), Array(repeating: 60, count: 6))
        XCTAssertEqual(ChargingPhysics.share(totalKW: stack.totalPowerKW, demandKW: [want, want, 0, 0, 0, 0]), [180, 180, 0, 0, 0, 0])
    }

    func testIdleGunsGetNothingAndTheBudgetIsNeverExceeded() {
        let granted = ChargingPhysics.share(totalKW: 360, demandKW: [0, 50, 200, 180, 0, 100])
        XCTAssertEqual(granted[0], 0)
        XCTAssertEqual(granted[4], 0)
        XCTAssertEqual(granted[1], 50)
        XCTAssertLessThanOrEqual(granted.reduce(0, +), 360 + 1e-9)
        XCTAssertEqual(granted.reduce(0, +), 360, accuracy: 1e-9)
        XCTAssertEqual(ChargingPhysics.share(totalKW: 480, demandKW: []), [])
    }
}
