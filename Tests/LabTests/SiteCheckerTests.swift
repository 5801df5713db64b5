import EVModel
import Foundation
import Gateway
import Simulator
import XCTest

@testable import Lab

/// Site expectations on crafted meter readings: the settling time, floors, the ideal
/// allocator's bound and each pile against the limits it accepted.
final class SiteCheckerTests: XCTestCase {
    static let library = try? ProfileLibrary(root: Repository.simulators)
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    func power(_ t: Double, _ kW: Double) -> LabSample {
        LabSample(time: t0.addingTimeInterval(t), measurand: "Power.Active.Import", value: kW * 1000)
    }

    /// A two-pile site case (100 kW) and a checker at speed 1, so wall and simulated time agree.
    func checker(floors: String = "", pushes: [SitePush] = []) throws -> (SiteChecker, [CaseMember]) {
        let library = try XCTUnwrap(Self.library)
        let text = """
            name: crafted
            matrix: {piles: [sunnic-120], vehicles: [su7-max], soc: [20]}
            site: {piles: 2, gridLimitKW: 100\(floors)}
            steps: [{boot: {}}, {plugIn: {target: 90}}]
            """
        let loaded = try ScenarioLoader(library: library).load(text: text, file: "crafted.yaml")
        let testCase = try XCTUnwrap(ScenarioCase.expand([loaded], library: library).first)
        let settings = try XCTUnwrap(testCase.siteSettings(identity: "P", serial: "1", speed: 1))
        let spec = try XCTUnwrap(loaded.scenario.site)
        let clock = VirtualClock(speed: 1, simulatedStart: t0, wallStart: t0)
        return (
            SiteChecker(settings: settings, spec: spec, testCase: testCase, library: library, clock: clock, pushes: pushes),
            testCase.members(identity: "P", serial: "1")
        )
    }

    func pile(_ member: CaseMember, session id: Int64, _ samples: [LabSample], energyWh: Int64? = nil) -> SitePileRecord {
        let times = samples.map(\.time)
        let session = LabSession(
            id: id, chargePointId: member.identity, connectorId: 1, idTag: nil, status: "completed", startTime: times.min(), energyWh: energyWh,
            stopReason: nil, costFen: nil, ocppVersion: "1.6", reservationId: nil, stopTime: times.max())
        return SitePileRecord(
            member: member, sessions: [session], details: [LabSessionDetail(session: session, samples: samples, findings: [], timeline: [])], findings: [],
            observer: CaseObserver())
    }

    func testOverTheLimitShorterThanTheSettlingTimePassesLongerFails() throws {
        let (checker, members) = try checker()
        // Both draw 60 kW (120 at once) until the readings at 60 s, then 47.5 each.
        func piles(overUntil t: Double) -> [SitePileRecord] {
            members.enumerated().map { i, m in
                pile(m, session: Int64(i + 1), stride(from: 0.0, through: 600, by: 30).map { power($0, $0 < t ? 60 : 47.5) })
            }
        }
        var want = SiteExpectation()
        want.maxOverLimitSeconds = 120
        XCTAssertEqual(checker.check(want, piles: piles(overUntil: 60)), [])
        let failures = checker.check(want, piles: piles(overUntil: 300))
        XCTAssertEqual(failures.count, 1)
        XCTAssertTrue(failures.first?.contains("20.0 kW above the limit for 300 s") == true, "\(failures)")
        // A tolerance above the overshoot lets it pass.
        want.toleranceKW = 25
        XCTAssertEqual(checker.check(want, piles: piles(overUntil: 300)), [])
    }

    func testAFloorMetPassesAndAFloorUnmetAfterSettlingFails() throws {
        let (checker, members) = try checker(floors: ", floors: [{pile: 1, floorKW: 60}]")
        var want = SiteExpectation()
        want.floorsMet = true
        want.settlingSeconds = 120
        let other = pile(members[1], session: 2, stride(from: 0.0, through: 600, by: 60).map { power($0, 35) })
        // Below its floor only while settling: passes.
        let settling = pile(members[0], session: 1, stride(from: 0.0, through: 600, by: 60).map { power($0, $0 < 120 ? 40 : 60) })
        XCTAssertEqual(checker.check(want, piles: [settling, other]), [])
        // Below it after settling: fails, naming the pile and what it was owed.
        let starved = pile(members[0], session: 1, stride(from: 0.0, through: 600, by: 60).map { power($0, 45) })
        let failures = checker.check(want, piles: [starved, other])
        XCTAssertEqual(failures.count, 1)
        XCTAssertTrue(failures.first?.contains("pile 1 (P-S1): 45.0 kW") == true, "\(failures)")
        XCTAssertTrue(failures.first?.contains("60.0 kW it is owed") == true, "\(failures)")
    }

    func testTheIdealAllocatorSharesTheLimitAndNeverGivesMoreThanTheCarsTake() throws {
        let library = try XCTUnwrap(Self.library)
        let car = try XCTUnwrap(library.vehicles["su7-max"])
        let pile = PileProfileElectrics(current: .dc, maxPowerKW: 120, maxCurrentA: 250, maxVoltageV: 1000)
        let cars = (0..<2).map { _ in
            IdealAllocator.Car(start: t0, end: t0.addingTimeInterval(600), vehicle: car, pile: pile, soc: 20, target: 90)
        }
        // Two cars wanting 120 kW each on 100 kW for 10 minutes: the limit × time.
        XCTAssertEqual(IdealAllocator.energyKWh(cars) { _ in 100 }, 100.0 / 6, accuracy: 0.05)
        // With room for both, each takes its own 120 kW: the sum of the unconstrained energy.
        XCTAssertEqual(IdealAllocator.energyKWh(cars) { _ in 1000 }, 240.0 / 6, accuracy: 0.05)
        // A car that arrives half-way gets its share from then on.
        var late = cars
        late[1].start = t0.addingTimeInterval(300)
        XCTAssertEqual(IdealAllocator.energyKWh(late) { _ in 100 }, 100.0 / 6, accuracy: 0.05)
        XCTAssertEqual(IdealAllocator.energyKWh(late) { _ in 1000 }, 120.0 / 6 + 60.0 / 6, accuracy: 0.05)
        // A car near its target stops taking power when it gets there.
        var full = cars
        full[0].soc = 89.9
        XCTAssertLessThan(IdealAllocator.energyKWh(full) { _ in 1000 }, 120.0 / 6 + 1)
    }

    func testEnergyIsJudgedAgainstTheIdealWithinThePercentage() throws {
        let (checker, members) = try checker()
        // Ideal: 95 kW (100 less the 5 % margin) for 600 s = 15.83 kWh shared by the two.
        func piles(_ wh: Int64) -> [SitePileRecord] {
            members.enumerated().map { i, m in pile(m, session: Int64(i + 1), [power(0, 47.5), power(600, 47.5)], energyWh: wh) }
        }
        var want = SiteExpectation()
        want.energyWithinPercentOfIdeal = 5
        XCTAssertEqual(checker.check(want, piles: piles(7_800)), [])
        let failures = checker.check(want, piles: piles(6_000))
        XCTAssertTrue(failures.first?.contains("the site delivered 12.00 kWh, an ideal allocator 15.83 kWh") == true, "\(failures)")
    }

    func testEachPileIsHeldToTheLimitItAcceptedAfterTheGrace() throws {
        let pushes = [
            SitePush(time: t0.addingTimeInterval(10), sentAt: t0.addingTimeInterval(9), chargePointId: "P-S1", sessionId: 1, limitKW: 50, accepted: true),
            SitePush(time: t0.addingTimeInterval(10), sentAt: t0.addingTimeInterval(9), chargePointId: "P-S2", sessionId: 2, limitKW: 50, accepted: false),
        ]
        let (checker, members) = try checker(pushes: pushes)
        // Pile 1 shows 120 until 130 s, then 50; pile 2 rejected its profile: not held to it.
        let first = pile(members[0], session: 1, stride(from: 0.0, through: 600, by: 60).map { power($0, $0 < 130 ? 120 : 50) })
        let second = pile(members[1], session: 2, stride(from: 0.0, through: 600, by: 60).map { power($0, 120) })
        var want = SiteExpectation()
        want.pileOverLimit = .init(kW: .init(min: 60, max: 70), seconds: .init(min: 120, max: 120), graceSeconds: 5)
        XCTAssertEqual(checker.check(want, piles: [first, second]), [])
        want.pileOverLimit = .init(kW: .init(max: 0), seconds: .init(max: 0), graceSeconds: 5)
        let failures = checker.check(want, piles: [first, second])
        XCTAssertEqual(failures.count, 2, "\(failures)")
        XCTAssertTrue(failures.first?.contains("worst excess over their accepted limits is 70.000 kW") == true, "\(failures)")
    }

    func testAPileIsNotHeldToTheOldLimitWhileItsAnswerIsOnTheWay() throws {
        // The raise to 100 kW is sent at 60 s and its answer only reaches the gateway at 150 s
        // (a busy loop at a high simulation speed): the pile that follows it at once is not over
        // the old 50 kW meanwhile, but 130 kW after the answer is 30 kW over.
        let pushes = [
            SitePush(time: t0.addingTimeInterval(10), sentAt: t0, chargePointId: "P-S1", sessionId: 1, limitKW: 50, accepted: true),
            SitePush(time: t0.addingTimeInterval(150), sentAt: t0.addingTimeInterval(60), chargePointId: "P-S1", sessionId: 1, limitKW: 100, accepted: true),
        ]
        let (checker, members) = try checker(pushes: pushes)
        let readings = stride(from: 0.0, through: 600, by: 30).map { power($0, $0 < 60 ? 50 : $0 < 300 ? 100 : 130) }
        var want = SiteExpectation()
        want.pileOverLimit = .init(kW: .init(min: 30, max: 30), seconds: .init(min: 300, max: 300), graceSeconds: 5)
        XCTAssertEqual(checker.check(want, piles: [pile(members[0], session: 1, readings)]), [])
    }
}
