import EVModel
import Foundation
import Gateway
import OCPP
import Simulator

/// What the gateway recorded for one pile of a case.
struct SitePileRecord: Sendable {
    /// nil for a replay's recorded pile.
    let member: CaseMember?
    let sessions: [LabSession]
    let details: [LabSessionDetail]
    let findings: [LabFinding]
    let observer: CaseObserver
}

/// A TxProfile the gateway sent for load management, as its site history shows it.
struct SitePush: Sendable, Equatable {
    /// When the pile answered, on the gateway's (wall) clock.
    var time: Date
    /// When the gateway sent it: the pile applied it somewhere between the two.
    var sentAt: Date
    var chargePointId: String
    var sessionId: Int64
    var limitKW: Double
    var accepted: Bool
}

enum SitePushHistory {
    /// `GET /api/sites/{id}/history`: the pushes, oldest first (the newest 720 at most).
    static func read(view: any GatewayView, siteId: String) async throws -> [SitePush] {
        let (status, body) = try await view.http.get("/api/sites/\(GatewayHTTP.segment(siteId))/history")
        guard status == 200 else { throw GatewayHTTP.Failure(description: "GET /api/sites/\(siteId)/history answered \(status) \(body.text)") }
        return (body["pushes"]?.arrayValue ?? []).compactMap { item in
            guard let time = item["time"]?.stringValue.flatMap(OCPPTimestamp.parse)?.date, let pile = item["chargePointId"]?.stringValue,
                let sentAt = item["sentAt"]?.stringValue.flatMap(OCPPTimestamp.parse)?.date,
                let session = item["sessionId"]?.intValue, let kW = item["limitKW"]?.doubleValue
            else { return nil }
            return SitePush(time: time, sentAt: sentAt, chargePointId: pile, sessionId: session, limitKW: kW, accepted: item["answer"]?.stringValue == "Accepted")
        }
    }
}

/// Checks `expect.site` on the readings of a site's piles. Readings carry the piles'
/// (simulated) time; the gateway's limits and pushes run on the wall clock, so the case's
/// clock maps one onto the other.
struct SiteChecker {
    let settings: SiteSettings
    let spec: SiteSpec
    let testCase: ScenarioCase
    let library: ProfileLibrary
    let clock: VirtualClock
    let pushes: [SitePush]

    func wall(_ simulated: Date) -> Date {
        clock.wallStart.addingTimeInterval(simulated.timeIntervalSince(clock.simulatedStart) / clock.speed)
    }

    func simulated(_ wall: Date) -> Date {
        clock.simulatedStart.addingTimeInterval(wall.timeIntervalSince(clock.wallStart) * clock.speed)
    }

    func check(_ want: SiteExpectation, piles: [SitePileRecord]) -> [String] {
        var failures: [String] = []
        let readings = piles.flatMap { $0.details.map { SitePowerSeries.power($0.samples) } }
        if let allowed = want.maxOverLimitSeconds {
            let totals = SitePowerSeries.totals(readings)
            let stretches = SitePowerSeries.stretches(totals, toleranceKW: want.toleranceKW ?? 0) { settings.limitKW(at: wall($0)) }
            let summary = OverLimitSummary(stretches)
            if totals.isEmpty {
                failures.append("no power readings recorded at the site")
            } else if let longest = stretches.max(by: { $0.seconds < $1.seconds }), longest.seconds > allowed {
                failures.append(
                    String(
                        format: "the site's piles drew up to %.1f kW above the limit for %.0f s from %@ (allowed %.0f s); %d stretch(es) above it, %.0f s in all",
                        longest.worstKW, longest.seconds, OCPPTimestamp.format(longest.start), allowed, summary.stretches, summary.totalSeconds))
            }
        }
        if want.floorsMet == true { failures += floorFailures(piles, settling: want.settlingSeconds ?? 120) }
        if let percent = want.energyWithinPercentOfIdeal {
            let measured = piles.flatMap(\.sessions).reduce(0.0) { $0 + Double($1.energyWh ?? 0) / 1000 }
            let ideal = IdealAllocator.energyKWh(cars(piles)) { settings.allocatableKW(at: wall($0)) }
            if abs(measured - ideal) > ideal * percent / 100 || ideal <= 0 {
                failures.append(
                    String(format: "the site delivered %.2f kWh, an ideal allocator %.2f kWh (%.1f %% off, allowed %.1f %%)", measured, ideal,
                        ideal > 0 ? abs(measured - ideal) / ideal * 100 : 100, percent))
            }
        }
        if let want = want.pileOverLimit { failures += pileLimitFailures(want, piles) }
        return failures
    }

    // MARK: Floors

    /// The floor of a pile's session: the highest site floor that matches it, at least `minimumKW` when the scenario sets it.
    func floorKW(_ member: CaseMember, _ session: LabSession) -> Double {
        let accounts = testCase.scenario.gatewayConfiguration?.accounts ?? []
        let account = session.idTag.flatMap { tag in accounts.first { $0.idTag.lowercased() == tag.lowercased() } }
        let floors = (spec.floors ?? []).filter { floor in
            if let id = floor.account { return id == account?.id }
            if let group = floor.accountGroup { return group == account?.group }
            if let network = floor.network { return network == member.profile.network }
            return floor.pile == member.index
        }
        return max(floors.map(\.floorKW).max() ?? 0, spec.minimumKW ?? 0)
    }

    func floorFailures(_ piles: [SitePileRecord], settling: Double) -> [String] {
        // Arrivals and departures anywhere at the site re-balance every pile (a session's
        // first reading may be stamped a moment before its transaction's start).
        let events = piles.flatMap(\.sessions).flatMap { [$0.startTime, $0.stopTime].compactMap { $0 } }
            + piles.flatMap(\.details).compactMap { $0.samples.map(\.time).min() }
        var failures: [String] = []
        for pile in piles {
            guard let member = pile.member else { continue }
            for detail in pile.details {
                let floor = floorKW(member, detail.session)
                guard floor > 0 else { continue }
                let car = plug(on: detail.session.connectorId)
                let socs = detail.samples.filter { $0.measurand == "SoC" }.sorted { $0.time < $1.time }
                let power = SitePowerSeries.power(detail.samples)
                let tolerance = max(0.5, floor * 0.03)
                var misses: [(LabSample, Double)] = []
                // The last reading is the stop's: the car has let go by then.
                for reading in power.dropLast() {
                    guard !events.contains(where: { $0 <= reading.time && reading.time.timeIntervalSince($0) < settling }) else { continue }
                    let soc = socs.last { $0.time <= reading.time }?.value ?? car.soc
                    let takes = car.vehicle.map { ChargingPhysics.power(vehicle: $0, pile: member.profile, soc: soc, grantedKW: member.profile.maxPowerKW) } ?? floor
                    let owed = min(floor, takes)
                    if reading.value / 1000 < owed - tolerance { misses.append((reading, owed)) }
                }
                if let (first, owed) = misses.first {
                    failures.append(
                        String(
                            format: "pile %d (%@): %.1f kW at %@, below the %.1f kW it is owed (floor %.1f kW, or what its car takes); %d reading(s) below",
                            member.index, member.identity, first.value / 1000, OCPPTimestamp.format(first.time), owed, floor, misses.count))
                }
            }
        }
        return failures
    }

    // MARK: The ideal

    /// The car the scenario plugged in on `connector`: its vehicle, state of charge and target.
    func plug(on connector: Int) -> (vehicle: VehicleProfile?, soc: Double, target: Double) {
        for step in testCase.scenario.steps {
            guard case .plugIn(let plug) = step.action, (plug.connector ?? 1) == connector else { continue }
            let vehicle = plug.vehicle.flatMap { library.vehicles[$0] } ?? testCase.vehicle
            return (vehicle, plug.soc ?? testCase.soc ?? 0, plug.target ?? 100)
        }
        return (testCase.vehicle, testCase.soc ?? 0, 100)
    }

    /// The site's cars for the ideal allocator, one per recorded session.
    func cars(_ piles: [SitePileRecord]) -> [IdealAllocator.Car] {
        piles.flatMap { pile -> [IdealAllocator.Car] in
            guard let member = pile.member else { return [] }
            return pile.details.compactMap { detail in
                let car = plug(on: detail.session.connectorId)
                let times = detail.samples.map(\.time)
                guard let vehicle = car.vehicle, let start = detail.session.startTime ?? times.min(),
                    let end = detail.session.stopTime ?? times.max(), end > start
                else { return nil }
                return IdealAllocator.Car(
                    start: start, end: end, vehicle: vehicle, pile: PileProfileElectrics(member.profile), soc: car.soc, target: car.target)
            }
        }
    }

    // MARK: Each pile against its own limits

    func pileLimitFailures(_ want: SiteExpectation.PileOverLimit, _ piles: [SitePileRecord]) -> [String] {
        let grace = want.graceSeconds ?? 5
        var stretches: [OverLimitStretch] = []
        for pile in piles {
            for detail in pile.details {
                let accepted = pushes.filter { $0.accepted && $0.chargePointId == detail.session.chargePointId && $0.sessionId == detail.session.id }
                    .map { (sent: simulated($0.sentAt), answered: simulated($0.time), kW: $0.limitKW) }.sorted { $0.answered < $1.answered }
                let points = SitePowerSeries.power(detail.samples).map { PowerPoint(time: $0.time, kW: $0.value / 1000) }
                stretches += SitePowerSeries.stretches(points, toleranceKW: 0.0005) { time in
                    // The pile applies a profile somewhere between the push and its answer (at 120x a
                    // busy loop's 50 ms is minutes), and may show the old power a moment after: from
                    // a push's sending to its answer, grace on either side, the higher limit holds.
                    guard let k = accepted.lastIndex(where: { time.timeIntervalSince($0.answered) >= grace }) else { return nil }
                    let landing = accepted.filter { time.timeIntervalSince($0.sent) > -grace && time.timeIntervalSince($0.answered) < grace }.map(\.kW)
                    return ([accepted[k].kW] + landing).max()
                }
            }
        }
        guard pushes.contains(where: \.accepted) else { return ["no pile of the site accepted a TxProfile: nothing to hold them to"] }
        let summary = OverLimitSummary(stretches)
        var failures: [String] = []
        if let range = want.kW {
            if let low = range.min, summary.worstKW < low {
                failures.append(String(format: "the piles' worst excess over their accepted limits is %.3f kW, expected at least %.3f", summary.worstKW, low))
            }
            if let high = range.max, summary.worstKW > high {
                failures.append(String(format: "the piles' worst excess over their accepted limits is %.3f kW, expected at most %.3f", summary.worstKW, high))
            }
        }
        if let range = want.seconds {
            if let low = range.min, summary.longestSeconds < low {
                failures.append(String(format: "the piles stayed above their accepted limits for %.0f s at most, expected at least %.0f", summary.longestSeconds, low))
            }
            if let high = range.max, summary.longestSeconds > high {
                failures.append(String(format: "a pile stayed above its accepted limit for %.0f s, expected at most %.0f", summary.longestSeconds, high))
            }
        }
        return failures
    }
}
