import Foundation
import OCPP

/// A TxProfile the load manager decided to send: to whom, and the limit.
public struct PlannedPush: Sendable, Equatable {
    public let sessionId: Int64
    public let chargePointId: String
    public let connectorId: Int
    public let version: OCPPVersion
    public let transactionRef: String?
    public let limitKW: Double
    public let previousKW: Double?
}

/// One TxProfile sent, with the pile's answer, for `GET /api/sites/{id}/history`.
public struct ProfilePushRecord: Sendable, Equatable {
    /// When the answer came back; the pile applied the profile between `sentAt` and this.
    public let time: Date
    public let sentAt: Date
    public let chargePointId: String
    public let connectorId: Int
    public let sessionId: Int64
    public let limitKW: Double
    public let previousKW: Double?
    /// `Accepted`, `Rejected` (the pile's words), or `failed: …` when it did not answer.
    public let answer: String
}

/// The site's power at one moment, for the chart: limit, what may be shared, what the
/// piles' own meters say, what was allocated.
public struct SitePowerPoint: Sendable, Equatable {
    public let time: Date
    public let limitKW: Double
    public let allocatableKW: Double
    public let measuredKW: Double
    public let allocatedKW: Double
}

/// The newest `capacity` elements, oldest first; appending past it drops the oldest.
struct Ring<Element: Sendable>: Sendable {
    let capacity: Int
    private(set) var items: [Element] = []
    private var start = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    mutating func append(_ item: Element) {
        if items.count < capacity {
            items.append(item)
        } else {
            items[start] = item
            start = (start + 1) % capacity
        }
    }

    var ordered: [Element] { Array(items[start...] + items[..<start]) }
}

/// Everything the load manager knows of one site, behind the site's lock: its running
/// sessions, the pushes it sent and the power series. Pure: no I/O, the time is given
/// (public for Benchmarks/rebalance_bench, which drives it without sockets).
public struct SiteState: Sendable {
    static let maxSessions = 10_000
    var sessions: [Int64: SiteSession] = [:]
    var history = Ring<ProfilePushRecord>(capacity: 500)
    var series = Ring<SitePowerPoint>(capacity: 720)
    var lastRebalance: Date?
    var pushes = 0

    public init() {}

    /// A transaction began on a pile of this site (`start(_:)` with a fresh session).
    public mutating func start(chargePointId: String, connectorId: Int, sessionId: Int64, version: OCPPVersion, maxKW: Double, floorKW: Double, at time: Date) {
        start(
            SiteSession(
                sessionId: sessionId, chargePointId: chargePointId, connectorId: connectorId, version: version, transactionRef: nil, startedAt: time,
                floorKW: floorKW, maxKW: maxKW))
    }

    /// A transaction ended; false when the site did not follow it.
    @discardableResult
    public mutating func stop(sessionId: Int64) -> Bool { sessions.removeValue(forKey: sessionId) != nil }

    /// A power reading; returns whether it calls for a re-balance.
    public mutating func measured(sessionId: Int64, kW: Double, at time: Date, settings: SiteSettings) -> Bool {
        sessions[sessionId]?.measured(kW, at: time, settings: settings).rebalance ?? false
    }

    /// The limit the pile of `sessionId` accepted last, kW.
    public func askedLimitKW(sessionId: Int64) -> Double? { sessions[sessionId]?.askedLimitKW }

    /// A transaction began: one per connector (a new one there replaces the old).
    mutating func start(_ session: SiteSession) {
        sessions = sessions.filter { $0.value.chargePointId != session.chargePointId || $0.value.connectorId != session.connectorId }
        guard sessions.count < Self.maxSessions || sessions[session.sessionId] != nil else { return }
        sessions[session.sessionId] = session
    }

    /// The power the site's piles draw now by their own meters, kW.
    var measuredKW: Double { sessions.values.reduce(0) { $0 + ($1.measuredKW ?? 0) } }
    var allocatedKW: Double { sessions.values.reduce(0) { $0 + ($1.allocatedKW ?? 0) } }

    /// Sessions in a stable order: the oldest first.
    var ordered: [SiteSession] {
        sessions.values.sorted { ($0.startedAt, $0.sessionId) < ($1.startedAt, $1.sessionId) }
    }

    /// Allocates the site's power at `now` and returns the pushes it takes: a pile whose
    /// limit moved by more than `thresholdKW` (or was never pushed, or is below its floor
    /// or the minimum), plus smaller decreases while the limits in force would otherwise
    /// sum above the site's share.
    public mutating func plan(_ settings: SiteSettings, now: Date) -> [PlannedPush] {
        lastRebalance = now
        let available = settings.allocatableKW(at: now) ?? 0
        let list = ordered
        let limits = LoadAllocator.allocate(limitKW: available, list.map { $0.demand(minimumKW: settings.minimumKW) })
        var pushes: [PlannedPush] = []
        var inForce: [(index: Int, kW: Double, pushed: Bool)] = []
        for (index, (session, limit)) in zip(list, limits).enumerated() {
            sessions[session.sessionId]?.allocatedKW = limit
            sessions[session.sessionId]?.plannedWantsKW = session.wantsKW
            guard session.followsLimit else { continue }
            let current = session.pushingKW ?? session.askedLimitKW
            // A pile below what it is guaranteed (its floor, the minimum) is raised whatever the threshold.
            let guaranteed = min(limit, max(session.floorKW, settings.minimumKW))
            if session.pushingKW == nil, current.map({ abs(limit - $0) > settings.thresholdKW || $0 < guaranteed - 0.000_5 }) ?? true {
                pushes.append(push(session, limit))
                inForce.append((index, limit, true))
            } else {
                inForce.append((index, current ?? session.maxKW, false))
            }
        }
        // Changes within the threshold are not sent, unless the limits in force would
        // then sum above the share: the largest such decreases go too, until they fit.
        let taken = zip(list, limits).filter { !$0.0.followsLimit }.reduce(0) { $0 + $1.1 }
        var sum = inForce.reduce(taken) { $0 + $1.kW }
        let small = inForce.filter { !$0.pushed && list[$0.index].pushingKW == nil && limits[$0.index] < $0.kW }
            .sorted { $0.kW - limits[$0.index] > $1.kW - limits[$1.index] }
        for candidate in small where sum > available + 1e-9 {
            pushes.append(push(list[candidate.index], limits[candidate.index]))
            sum -= candidate.kW - limits[candidate.index]
        }
        for p in pushes { sessions[p.sessionId]?.pushingKW = p.limitKW }
        series.append(
            SitePowerPoint(
                time: now, limitKW: settings.limitKW(at: now) ?? 0, allocatableKW: available, measuredKW: measuredKW, allocatedKW: allocatedKW))
        return pushes
    }

    private func push(_ s: SiteSession, _ limit: Double) -> PlannedPush {
        PlannedPush(
            sessionId: s.sessionId, chargePointId: s.chargePointId, connectorId: s.connectorId, version: s.version, transactionRef: s.transactionRef,
            limitKW: limit, previousKW: s.askedLimitKW)
    }

    /// The pile answered a push (or did not: `accepted` and `rejected` both false).
    /// Returns whether the push's session still runs: a pile whose transaction ended while
    /// its push was on the way rightly refuses a TxProfile for it, and that is no finding.
    @discardableResult
    public mutating func answered(_ push: PlannedPush, answer: String, accepted: Bool, rejected: Bool, sentAt: Date, at time: Date) -> Bool {
        let running = sessions[push.sessionId] != nil
        sessions[push.sessionId]?.answered(push.limitKW, accepted: accepted, rejectedByPile: rejected, at: time)
        pushes += 1
        history.append(
            ProfilePushRecord(
                time: time, sentAt: sentAt, chargePointId: push.chargePointId, connectorId: push.connectorId, sessionId: push.sessionId, limitKW: push.limitKW,
                previousKW: push.previousKW, answer: answer))
        return running
    }
}
