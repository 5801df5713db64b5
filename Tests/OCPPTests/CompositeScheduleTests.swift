import Foundation
import OCPP
import XCTest

/// The composite schedule against worked examples in the manner of the OCA 1.6 test cases
/// (TC_066, TC_072: purposes and stack levels) and against the edges the field gets wrong.
/// Every expected period is worked out by hand from the rules in CompositeSchedule's doc comment.
final class CompositeScheduleTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28T20:26:40Z
    let ac = ChargingElectrics.ac()

    func profile(
        _ id: Int, _ purpose: ChargingLimitProfile.Purpose, stack: Int = 0, kind: ChargingLimitProfile.Kind = .absolute,
        start: Date? = nil, duration: Int? = nil, unit: ChargingLimitProfile.RateUnit = .amperes, _ periods: [(Int, Double)],
        phases: Int? = nil, validFrom: Date? = nil, validTo: Date? = nil, transactionId: String? = nil
    ) -> ChargingLimitProfile {
        ChargingLimitProfile(
            id: id, stackLevel: stack, purpose: purpose, kind: kind, validFrom: validFrom, validTo: validTo, transactionId: transactionId,
            startSchedule: start ?? t0, duration: duration, unit: unit, periods: periods.map { .init(start: $0.0, limit: $0.1, phases: phases) },
            installedAt: t0)
    }

    func periods(_ c: CompositeSchedule) -> [[Double]] { c.periods.map { [Double($0.start), $0.limit] } }

    func testAHigherStackLevelWinsWhileItHasAPeriodThenTheLowerOneResumes() {
        // TC_072-like: stack 0 for 400 s (6, 8, 10 A), stack 1 for 150 s (10 A, then 6 A).
        let low = profile(1, .txDefault, stack: 0, duration: 400, [(0, 6), (100, 8), (200, 10)])
        let high = profile(2, .txDefault, stack: 1, duration: 150, [(0, 10), (100, 6)])
        let stack = ProfileStack(evse: 1, evseProfiles: [low, high], stationProfiles: [], electrics: ac)
        let c = CompositeSchedule(stack, from: t0, duration: 500, unit: .amperes, ceilingWatts: 32 * 690)
        XCTAssertEqual(periods(c), [[0, 10], [100, 6], [150, 8], [200, 10], [400, 32]])
    }

    func testThePilesMaximumCapsTheTransactionsLimitAndATxProfileOverrulesTheDefault() {
        // TC_066-like: ChargePointMaxProfile 10 A; TxDefaultProfile 6/12 A; a TxProfile 8 A for 300 s.
        let max = profile(1, .stationMax, duration: 86_400, [(0, 10)])
        let txDefault = profile(2, .txDefault, stack: 5, [(0, 6), (200, 12)])
        let tx = profile(3, .tx, stack: 0, duration: 300, [(0, 8)], transactionId: "42")
        let stack = ProfileStack(evse: 1, evseProfiles: [tx], stationProfiles: [max, txDefault], transaction: ("42", t0), electrics: ac)
        let c = CompositeSchedule(stack, from: t0, duration: 400, unit: .amperes, ceilingWatts: 32 * 690)
        // TxProfile 8 until 300 (a lower stack level still overrules the default), then the default's 12 capped to 10.
        XCTAssertEqual(periods(c), [[0, 8], [300, 10]])
        // The pile as a whole (EVSE 0) only has its maximum.
        let pile = CompositeSchedule(
            ProfileStack(evse: 0, evseProfiles: [], stationProfiles: [max, txDefault], electrics: ac), from: t0, duration: 400, unit: .amperes,
            ceilingWatts: 32 * 690)
        XCTAssertEqual(periods(pile), [[0, 10]])
    }

    func testATxProfileOfAnotherTransactionOrWithoutOneDoesNotApply() {
        let tx = profile(3, .tx, [(0, 8)], transactionId: "42")
        let other = ProfileStack(evse: 1, evseProfiles: [tx], stationProfiles: [], transaction: ("43", t0), electrics: ac)
        XCTAssertNil(CompositeSchedule.limit(other, at: t0))
        let none = ProfileStack(evse: 1, evseProfiles: [tx], stationProfiles: [], electrics: ac)
        XCTAssertNil(CompositeSchedule.limit(none, at: t0))
        let same = ProfileStack(evse: 1, evseProfiles: [tx], stationProfiles: [], transaction: ("42", t0), electrics: ac)
        XCTAssertEqual(CompositeSchedule.limit(same, at: t0)?.watts, 8 * 690)
    }

    func testADefaultOnTheEVSEOverrulesTheStationsDefaultWhateverTheirStackLevels() {
        let station = profile(1, .txDefault, stack: 9, [(0, 20)])
        let evse = profile(2, .txDefault, stack: 0, [(0, 13)])
        let stack = ProfileStack(evse: 2, evseProfiles: [evse], stationProfiles: [station], transaction: (nil, t0), electrics: ac)
        XCTAssertEqual(CompositeSchedule.limit(stack, at: t0)?.watts, 13 * 690)
        let otherEVSE = ProfileStack(evse: 1, evseProfiles: [], stationProfiles: [station], transaction: (nil, t0), electrics: ac)
        XCTAssertEqual(CompositeSchedule.limit(otherEVSE, at: t0)?.watts, 20 * 690)
    }

    func testADailyProfileCrossingMidnightRepeatsEveryDay() throws {
        // 22:00 to 06:00 the next day: 16 A until 02:00, then 32 A; no limit in the day.
        let night = try XCTUnwrap(ISO8601DateFormatter().date(from: "2026-12-01T22:00:00Z"))
        let p = profile(1, .txDefault, kind: .recurring(.daily), start: night, duration: 8 * 3600, [(0, 16), (4 * 3600, 32)])
        let stack = ProfileStack(evse: 1, evseProfiles: [p], stationProfiles: [], transaction: (nil, night), electrics: ac)
        func amps(_ hoursAfter: Double) -> Double? {
            CompositeSchedule.limit(stack, at: night.addingTimeInterval(hoursAfter * 3600)).map { $0.watts / 690 }
        }
        XCTAssertEqual(amps(1), 16)  // 23:00
        XCTAssertEqual(amps(3), 16)  // 01:00 the next day
        XCTAssertEqual(amps(5), 32)  // 03:00
        XCTAssertNil(amps(9))  // 07:00: outside the schedule's 8 hours
        XCTAssertEqual(amps(24 + 1), 16)  // the next night
        XCTAssertEqual(amps(7 * 24 + 5), 32)  // a week later
        // A composite over a day from noon: free until 22:00, 16 A to 02:00, 32 A to 06:00, free.
        let noon = night.addingTimeInterval(14 * 3600)
        let c = CompositeSchedule(stack, from: noon, duration: 86_400, unit: .amperes, ceilingWatts: 63 * 690)
        XCTAssertEqual(periods(c), [[0, 63], [10 * 3600, 16], [14 * 3600, 32], [18 * 3600, 63]])
    }

    func testAWeeklyProfileRepeatsAfterSevenDays() {
        let p = profile(1, .stationMax, kind: .recurring(.weekly), duration: 86_400, [(0, 10)])
        let stack = ProfileStack(evse: 0, evseProfiles: [], stationProfiles: [p], electrics: ac)
        XCTAssertNotNil(CompositeSchedule.limit(stack, at: t0.addingTimeInterval(3600)))
        XCTAssertNil(CompositeSchedule.limit(stack, at: t0.addingTimeInterval(2 * 86_400)))
        XCTAssertNotNil(CompositeSchedule.limit(stack, at: t0.addingTimeInterval(7 * 86_400 + 3600)))
    }

    func testARelativeProfileCountsFromTheTransactionsStartEvenWhenItArrivesMidPeriod() {
        // The transaction began 5 minutes ago; the profile says 10 A for 10 minutes, then 20 A.
        let started = t0.addingTimeInterval(-300)
        let p = profile(1, .tx, kind: .relative, [(0, 10), (600, 20)])
        let stack = ProfileStack(evse: 1, evseProfiles: [p], stationProfiles: [], transaction: ("7", started), electrics: ac)
        let c = CompositeSchedule(stack, from: t0, duration: 900, unit: .amperes, ceilingWatts: 32 * 690)
        XCTAssertEqual(periods(c), [[0, 10], [300, 20]])
        // Without a transaction a Relative default counts from the composite's start.
        let idle = ProfileStack(
            evse: 1, evseProfiles: [profile(2, .txDefault, kind: .relative, [(0, 10), (600, 20)])], stationProfiles: [], electrics: ac)
        XCTAssertEqual(periods(CompositeSchedule(idle, from: t0, duration: 900, unit: .amperes, ceilingWatts: 32 * 690)), [[0, 10], [600, 20]])
    }

    func testAmperesBecomeWattsAtThePilesVoltageAndThePhasesInUse() {
        let amps = profile(1, .txDefault, [(0, 16)])
        func watts(_ e: ChargingElectrics, _ p: ChargingLimitProfile = amps) -> Double? {
            CompositeSchedule.limit(ProfileStack(evse: 1, evseProfiles: [p], stationProfiles: [], transaction: (nil, t0), electrics: e), at: t0)?.watts
        }
        XCTAssertEqual(watts(.ac()), 16 * 230 * 3)
        XCTAssertEqual(watts(.ac(phases: 1)), 16 * 230)  // a one-phase car on a three-phase post
        XCTAssertEqual(watts(.ac(), profile(2, .txDefault, [(0, 16)], phases: 1)), 16 * 230)  // the period allows one phase
        XCTAssertEqual(watts(.dc(volts: 400), profile(3, .txDefault, [(0, 100)])), 40_000)
        // And back: an 11,040 W limit is 16 A per phase on three phases.
        let w = profile(4, .txDefault, unit: .watts, [(0, 11_040)])
        let stack = ProfileStack(evse: 1, evseProfiles: [w], stationProfiles: [], transaction: (nil, t0), electrics: ac)
        XCTAssertEqual(periods(CompositeSchedule(stack, from: t0, duration: 60, unit: .amperes, ceilingWatts: 22_080)), [[0, 16]])
        // A W limit and an A limit together: the lower in watts wins.
        let both = ProfileStack(
            evse: 1, evseProfiles: [profile(5, .tx, [(0, 10)])], stationProfiles: [profile(6, .stationMax, unit: .watts, [(0, 5000)])],
            transaction: (nil, t0), electrics: ac)
        XCTAssertEqual(CompositeSchedule.limit(both, at: t0)?.watts, 5000)
    }

    func testValidityWindowsBoundAProfileAndTheCompositeShowsTheirEdges() {
        let p = profile(1, .txDefault, [(0, 10)], validFrom: t0.addingTimeInterval(60), validTo: t0.addingTimeInterval(120))
        let stack = ProfileStack(evse: 1, evseProfiles: [p], stationProfiles: [], transaction: (nil, t0), electrics: ac)
        let c = CompositeSchedule(stack, from: t0, duration: 180, unit: .amperes, ceilingWatts: 32 * 690)
        XCTAssertEqual(periods(c), [[0, 32], [60, 10], [120, 32]])
    }

    func testExternalConstraintsAndTheMinimumRateAreCarried() {
        var tx = profile(1, .tx, [(0, 16)])
        tx.minChargingRate = 6
        let external = profile(2, .externalConstraints, [(0, 12)])
        let stack = ProfileStack(evse: 1, evseProfiles: [tx, external], stationProfiles: [], transaction: (nil, t0), electrics: ac)
        let limit = CompositeSchedule.limit(stack, at: t0)
        XCTAssertEqual(limit?.watts, 12 * 690)
        XCTAssertEqual(limit?.minChargingRateWatts, 6 * 690)
    }

    func testPilesRefuseSchedulesTheSchemaCannotCatch() {
        XCTAssertThrowsError(try profile(1, .tx, [(10, 6)]).validated())
        XCTAssertThrowsError(try profile(1, .tx, [(0, 6), (0, 8)]).validated())
        XCTAssertThrowsError(try profile(1, .tx, [(0, -1)]).validated())
        XCTAssertThrowsError(try profile(1, .tx, [(0, .nan)]).validated())
        XCTAssertThrowsError(try profile(1, .tx, [(0, 6)], phases: 4).validated())
        XCTAssertThrowsError(try profile(1, .tx, []).validated())
        var recurring = profile(1, .tx, kind: .recurring(.daily), [(0, 6)])
        recurring.startSchedule = nil
        XCTAssertThrowsError(try recurring.validated())
        XCTAssertNoThrow(try profile(1, .tx, [(0, 6), (60, 0)]).validated())
    }

    func testWireProfilesOfBothVersionsBecomeTheSameNeutralProfile() throws {
        let v16: JSON = [
            "chargingProfileId": 7, "stackLevel": 1, "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Recurring",
            "recurrencyKind": "Weekly",
            "chargingSchedule": ["startSchedule": "2026-05-28T20:26:40Z", "chargingRateUnit": "W", "chargingSchedulePeriod": [["startPeriod": 0, "limit": 7400.0]]],
        ]
        let v201: JSON = [
            "id": 7, "stackLevel": 1, "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Recurring", "recurrencyKind": "Weekly",
            "chargingSchedule": [
                ["id": 1, "startSchedule": "2026-05-28T20:26:40Z", "chargingRateUnit": "W", "chargingSchedulePeriod": [["startPeriod": 0, "limit": 7400.0]]]
            ],
        ]
        let a = try XCTUnwrap(ChargingLimitProfile(json: v16, version: .v16, installedAt: t0))
        let b = try XCTUnwrap(ChargingLimitProfile(json: v201, version: .v201, installedAt: t0))
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.kind, .recurring(.weekly))
        XCTAssertEqual(a.startSchedule, t0)
        XCTAssertNil(ChargingLimitProfile(json: ["id": "x"], version: .v201, installedAt: t0))
    }

    /// Random stacks: the composite starts at 0, its periods strictly increase, never exceed
    /// the ceiling, and each period's limit is what `limit(at:)` gives at its start.
    func testRandomStacksGiveConsistentBoundedComposites() {
        var rng = SeededRandom(seed: 0xC0FFEE)
        let purposes = ChargingLimitProfile.Purpose.allCases
        for _ in 0..<300 {
            var profiles: [ChargingLimitProfile] = []
            for id in 0..<Int(rng.next() % 6) + 1 {
                var periods: [(Int, Double)] = [(0, Double(rng.next() % 640) / 10)]
                for _ in 0..<Int(rng.next() % 4) { periods.append(((periods.last?.0 ?? 0) + 1 + Int(rng.next() % 20_000), Double(rng.next() % 640) / 10)) }
                let kinds: [ChargingLimitProfile.Kind] = [.absolute, .relative, .recurring(.daily), .recurring(.weekly)]
                profiles.append(
                    profile(
                        id, purposes[Int(rng.next() % 4)], stack: Int(rng.next() % 3), kind: kinds[Int(rng.next() % 4)],
                        start: t0.addingTimeInterval(Double(rng.next() % 172_800) - 86_400), duration: rng.next() % 2 == 0 ? nil : Int(rng.next() % 90_000),
                        unit: rng.next() % 2 == 0 ? .amperes : .watts, periods, phases: rng.next() % 3 == 0 ? Int(rng.next() % 3) + 1 : nil))
            }
            let split = Int(rng.next() % UInt64(profiles.count + 1))
            let stack = ProfileStack(
                evse: 1, evseProfiles: Array(profiles[..<split]), stationProfiles: Array(profiles[split...]), transaction: ("1", t0.addingTimeInterval(-600)),
                electrics: rng.next() % 2 == 0 ? .ac(phases: Int(rng.next() % 3) + 1) : .dc(volts: 400))
            let ceiling = 150_000.0
            let c = CompositeSchedule(stack, from: t0, duration: 3 * 86_400, unit: .watts, ceilingWatts: ceiling)
            XCTAssertEqual(c.periods.first?.start, 0)
            XCTAssertLessThanOrEqual(c.periods.count, CompositeSchedule.maxPoints)
            for (a, b) in zip(c.periods, c.periods.dropFirst()) { XCTAssertLessThan(a.start, b.start) }
            for p in c.periods {
                XCTAssertLessThanOrEqual(p.limit, ceiling)
                let expected = min(CompositeSchedule.limit(stack, at: t0.addingTimeInterval(Double(p.start)), origin: t0)?.watts ?? ceiling, ceiling)
                XCTAssertEqual(p.limit, (expected * 10).rounded() / 10, accuracy: 0.051)
            }
        }
    }

    func testALongRecurringCompositeStaysBounded() {
        let many = (0..<1000).map { ($0 * 60, Double($0 % 32)) }
        let p = profile(1, .txDefault, kind: .recurring(.daily), many)
        let stack = ProfileStack(evse: 1, evseProfiles: [p], stationProfiles: [], transaction: (nil, t0), electrics: ac)
        let c = CompositeSchedule(stack, from: t0, duration: 365 * 86_400, unit: .amperes, ceilingWatts: 32 * 690)
        XCTAssertLessThanOrEqual(c.periods.count, CompositeSchedule.maxPoints)
        XCTAssertGreaterThan(c.periods.count, 1000)
    }
}
