import Foundation
import OCPP
import XCTest

@testable import Gateway

/// A site's bookkeeping without sockets: pushes only on change, tapering, over-limit, rejection.
final class SiteStateTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func settings(limit: Double = 100, threshold: Double = 1) -> SiteSettings {
        var s = SiteSettings(id: "hub", gridLimitKW: limit)
        s.thresholdKW = threshold
        s.toleranceSeconds = 60
        return s
    }

    func session(_ id: Int64, pile: String? = nil, max: Double = 60, floor: Double = 0, at offset: Double = 0) -> SiteSession {
        SiteSession(
            sessionId: id, chargePointId: pile ?? "CP-\(id)", connectorId: 1, version: .v16, transactionRef: nil,
            startedAt: t0.addingTimeInterval(offset), floorKW: floor, maxKW: max)
    }

    /// Plans and has every push accepted, as a well-behaved pile would.
    @discardableResult
    func rebalance(_ state: inout SiteState, _ s: SiteSettings, at offset: Double = 1) -> [PlannedPush] {
        let pushes = state.plan(s, now: t0.addingTimeInterval(offset))
        for p in pushes { state.answered(p, answer: "Accepted", accepted: true, rejected: false, sentAt: t0.addingTimeInterval(offset), at: t0.addingTimeInterval(offset)) }
        return pushes
    }

    func testEachPileIsPushedItsShareOnceAndNotAgainWhileNothingChanges() {
        let s = settings()
        var state = SiteState()
        for id in 1...3 { state.start(session(Int64(id), at: Double(id))) }
        let first = rebalance(&state, s)
        XCTAssertEqual(first.count, 3)
        for p in first { XCTAssertEqual(p.limitKW, 31.666, accuracy: 0.001) }
        XCTAssertEqual(rebalance(&state, s, at: 30), [], "no change, no push")
        XCTAssertEqual(state.history.ordered.count, 3)
        // A departure: the two left share 95 kW.
        state.sessions.removeValue(forKey: 3)
        let second = rebalance(&state, s, at: 31)
        XCTAssertEqual(second.map(\.limitKW), [47.5, 47.5])
        XCTAssertEqual(second.first?.previousKW ?? 0, 31.666, accuracy: 0.001)
    }

    func testAChangeWithinTheThresholdIsNotPushedUnlessTheSumWouldExceedTheLimit() {
        var s = settings(limit: 100, threshold: 5)
        var state = SiteState()
        for id in 1...3 { state.start(session(Int64(id), at: Double(id))) }
        rebalance(&state, s)
        // The limit drops by 3 kW (less than the threshold for each pile's 1 kW share): the
        // limits in force would sum above the share, so the decreases go anyway.
        s.gridLimitKW = 97
        let pushes = rebalance(&state, s, at: 2)
        XCTAssertFalse(pushes.isEmpty)
        let inForce = state.sessions.values.compactMap(\.askedLimitKW).reduce(0, +)
        XCTAssertLessThanOrEqual(inForce, s.allocatableKW(at: t0) ?? 0)
        // A rise within the threshold is not sent.
        s.gridLimitKW = 100
        XCTAssertEqual(rebalance(&state, s, at: 3), [])
    }

    func testATaperingCarIsSeenAfterTwoReadingsAndItsShareGoesToTheOthers() {
        let s = settings()
        var state = SiteState()
        for id in 1...3 { state.start(session(Int64(id), at: Double(id))) }
        rebalance(&state, s)
        // The first reading after a push may predate it: it decides nothing.
        XCTAssertEqual(state.sessions[1]?.measured(10, at: t0.addingTimeInterval(2), settings: s).rebalance, false)
        XCTAssertEqual(state.sessions[1]?.measured(10, at: t0.addingTimeInterval(3), settings: s).rebalance, true)
        let pushes = rebalance(&state, s, at: 4)
        XCTAssertEqual(Set(pushes.map(\.sessionId)), [1, 2, 3])
        XCTAssertEqual(state.sessions[1]?.askedLimitKW ?? 0, 12, accuracy: 0.01, "what it takes, 10 % and the threshold above")
        XCTAssertEqual(state.sessions[2]?.askedLimitKW ?? 0, 41.5, accuracy: 0.01)
        // It keeps tapering slowly: changes within the threshold re-balance nothing.
        _ = state.sessions[1]?.measured(9.8, at: t0.addingTimeInterval(5), settings: s)
        XCTAssertEqual(state.sessions[1]?.measured(9.6, at: t0.addingTimeInterval(6), settings: s).rebalance, false)
    }

    func testAPileAboveItsLimitForLongerThanTheToleranceIsReportedOnceAndCountedAtItsDraw() throws {
        let s = settings()
        var state = SiteState()
        for id in 1...3 { state.start(session(Int64(id), at: Double(id))) }
        rebalance(&state, s)
        var reports: [String] = []
        for second in stride(from: 2.0, through: 120, by: 5) {
            let outcome = try XCTUnwrap(state.sessions[1]?.measured(58, at: t0.addingTimeInterval(second), settings: s))
            if let detail = outcome.overLimit { reports.append(detail) }
        }
        XCTAssertEqual(reports.count, 1, "once per transaction")
        XCTAssertTrue(reports.first?.contains("58.0 kW against its limit of 31.7 kW") ?? false, reports.first ?? "")
        XCTAssertEqual(state.sessions[1]?.ignoring, true)
        let pushes = rebalance(&state, s, at: 121)
        XCTAssertFalse(pushes.contains { $0.sessionId == 1 }, "a pile that ignores its limit is not pushed a raise")
        XCTAssertEqual(state.sessions[2]?.askedLimitKW ?? 0, 18.5, accuracy: 0.01, "(95 - 58) / 2")
        // It comes back under its limit: it follows again and is counted as such.
        XCTAssertEqual(state.sessions[1]?.measured(30, at: t0.addingTimeInterval(130), settings: s).rebalance, true)
        XCTAssertEqual(state.sessions[1]?.ignoring, false)
    }

    func testAPileThatRejectsItsProfileIsNotAskedAgainAndItsPowerIsCounted() {
        let s = settings()
        var state = SiteState()
        for id in 1...2 { state.start(session(Int64(id), at: Double(id))) }
        let pushes = state.plan(s, now: t0)
        for p in pushes {
            let refuse = p.sessionId == 1
            state.answered(p, answer: refuse ? "Rejected" : "Accepted", accepted: !refuse, rejected: refuse, sentAt: t0, at: t0)
        }
        _ = state.sessions[1]?.measured(50, at: t0.addingTimeInterval(1), settings: s)
        let again = rebalance(&state, s, at: 2)
        XCTAssertEqual(again.map(\.sessionId), [2])
        XCTAssertEqual(state.sessions[2]?.askedLimitKW ?? 0, 45, accuracy: 0.01)
        XCTAssertEqual(state.history.ordered.map(\.answer), ["Rejected", "Accepted", "Accepted"])
    }

    func testARefusalForATransactionThatEndedMeanwhileIsNoRejection() {
        let s = settings()
        var state = SiteState()
        state.start(session(1))
        state.start(session(2))
        let pushes = state.plan(s, now: t0.addingTimeInterval(1))
        XCTAssertEqual(pushes.count, 2)
        XCTAssertTrue(state.stop(sessionId: pushes[0].sessionId), "the car left while its push was on the way")
        let ended = state.answered(pushes[0], answer: "Rejected", accepted: false, rejected: true, sentAt: t0.addingTimeInterval(2), at: t0.addingTimeInterval(2))
        let running = state.answered(pushes[1], answer: "Rejected", accepted: false, rejected: true, sentAt: t0.addingTimeInterval(2), at: t0.addingTimeInterval(2))
        XCTAssertFalse(ended, "the manager records site.profile-rejected only for a running session")
        XCTAssertTrue(running)
        XCTAssertEqual(state.history.ordered.count, 2, "both answers stay in the history")
    }

    func testANewTransactionOnAConnectorReplacesTheOldOne() {
        var state = SiteState()
        state.start(session(1, pile: "CP-A"))
        state.start(session(2, pile: "CP-A"))
        XCTAssertEqual(Array(state.sessions.keys), [2])
    }

    func testTheHistoryAndTheSeriesAreBounded() {
        let s = settings(threshold: 0)
        var state = SiteState()
        for round in 0..<1_000 {
            state.start(session(Int64(round), pile: "CP-\(round % 7)", at: Double(round)))
            rebalance(&state, s, at: Double(round))
        }
        XCTAssertEqual(state.history.ordered.count, 500)
        XCTAssertEqual(state.series.ordered.count, 720)
        XCTAssertEqual(state.series.ordered.last?.time, t0.addingTimeInterval(999), "newest last")
        XCTAssertEqual(state.sessions.count, 7)
    }

    /// Seeded arrivals, departures and readings: the limits in force never sum above the
    /// share, floors hold when they fit, and a plan right after a plan sends nothing.
    func testOnRandomArrivalsAndDeparturesTheLimitsInForceStayWithinTheShare() {
        var rng = SeededRandom(seed: 2024)
        for trial in 0..<40 {
            var s = settings(limit: rng.uniform(20, 600), threshold: rng.uniform(0, 5))
            s.floors = []
            var state = SiteState()
            var next: Int64 = 1
            for step in 0..<150 {
                let time = Double(step) * 10
                switch rng.next() % 4 {
                case 0, 1:
                    let max = rng.uniform(7, 350)
                    state.start(session(next, pile: "P\(rng.next() % 12)", max: max, floor: rng.chance(0.2) ? rng.uniform(0, 30) : 0, at: time))
                    next += 1
                case 2:
                    if let id = state.sessions.keys.sorted().first { state.sessions.removeValue(forKey: id) }
                default:
                    for id in state.sessions.keys.sorted() where rng.chance(0.5) {
                        let asked = state.sessions[id]?.askedLimitKW ?? 0
                        _ = state.sessions[id]?.measured(rng.uniform(0, asked + 1), at: t0.addingTimeInterval(time), settings: s)
                    }
                }
                rebalance(&state, s, at: time)
                let share = s.allocatableKW(at: t0) ?? 0
                let inForce = state.sessions.values.reduce(0.0) { $0 + ($1.askedLimitKW ?? $1.maxKW) }
                XCTAssertLessThanOrEqual(inForce, share + 1e-6, "trial \(trial) step \(step)")
                let floors = state.sessions.values.reduce(0.0) { $0 + min($1.floorKW, $1.maxKW) }
                if floors <= share {
                    for session in state.sessions.values {
                        XCTAssertGreaterThanOrEqual(session.askedLimitKW ?? 0, min(session.floorKW, session.maxKW) - 0.001, "trial \(trial) step \(step)")
                    }
                }
                XCTAssertEqual(rebalance(&state, s, at: time + 1), [], "a second plan with nothing new pushes nothing")
            }
        }
    }
}
