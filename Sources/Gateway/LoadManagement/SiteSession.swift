import Foundation
import OCPP

/// A running transaction on one of a site's piles, as the load manager follows it: what
/// it may draw, what it was asked, what its own meter says it draws.
struct SiteSession: Sendable {
    let sessionId: Int64
    let chargePointId: String
    let connectorId: Int
    let version: OCPPVersion
    /// The 2.0.1 station's transaction id (its TxProfile names it); nil for 1.6.
    let transactionRef: String?
    let startedAt: Date
    var floorKW: Double
    var maxKW: Double
    /// The newest `Power.Active.Import` of the outlet, kW, and when it arrived.
    var measuredKW: Double?
    var measuredAt: Date?
    /// Readings since the last accepted push: the first may predate the new limit.
    var readingsSincePush = 0
    /// The allocator's latest figure (pushed or not: within the threshold it is not).
    var allocatedKW: Double?
    /// The limit of the last TxProfile the pile accepted, kW, and when.
    var acceptedKW: Double?
    var acceptedAt: Date?
    /// A push on its way (no second one is sent meanwhile).
    var pushingKW: Double?
    /// The pile rejected its TxProfile: it is not pushed again during this transaction.
    var rejected = false
    /// Since when it draws above its limit beyond the tolerance.
    var overSince: Date?
    /// It drew above its limit for longer than the tolerance: counted at what it draws.
    var ignoring = false
    var overLimitRecorded = false
    /// What a tapering car takes (with headroom), kW; nil while it takes what it is given.
    var wantsKW: Double?
    /// `wantsKW` as the last allocation used it: a change beyond the threshold re-balances.
    var plannedWantsKW: Double?

    /// The limit the gateway asked of this pile and the pile accepted, kW; nil before any.
    /// The one place that says it: it may later be computed from the stored profiles
    /// with the core's composite schedule.
    var askedLimitKW: Double? { acceptedKW }

    /// Whether its limit binds it: not after a rejection, nor while it ignores it.
    var followsLimit: Bool { !rejected && !ignoring }

    /// The allocator's view of it.
    func demand(minimumKW: Double) -> PileDemand {
        PileDemand(
            maxKW: maxKW, floorKW: floorKW, minimumKW: minimumKW, wantsKW: wantsKW,
            uncontrolledKW: followsLimit ? nil : min(maxKW, measuredKW ?? maxKW))
    }

    /// What a new reading changes. Returns whether the site should re-balance, and a
    /// finding's detail when the pile has now drawn above its limit for too long.
    mutating func measured(_ kW: Double, at time: Date, settings: SiteSettings) -> (rebalance: Bool, overLimit: String?) {
        measuredKW = kW
        measuredAt = time
        readingsSincePush = min(readingsSincePush + 1, 1_000)
        guard let asked = askedLimitKW, !rejected else { return (false, nil) }
        var rebalance = false
        var overLimit: String?
        let tolerance = max(0.05 * asked, 1)
        if kW > asked + tolerance {
            let since = overSince ?? time
            overSince = since
            if !ignoring && time.timeIntervalSince(since) >= settings.toleranceSeconds {
                ignoring = true
                rebalance = true
                if !overLimitRecorded {
                    overLimitRecorded = true
                    overLimit = String(
                        format: "drew %.1f kW against its limit of %.1f kW (tolerance %.1f kW) for %.0f s; its limit is %.0f s old",
                        kW, asked, tolerance, time.timeIntervalSince(since), time.timeIntervalSince(acceptedAt ?? since))
                }
            }
        } else {
            overSince = nil
            if ignoring {
                ignoring = false
                rebalance = true
            }
        }
        guard readingsSincePush >= 2, !ignoring else { return (rebalance, overLimit) }
        // Tapering: clearly below its limit, by more than the threshold and 10 %.
        let threshold = settings.thresholdKW
        let wants: Double? = kW < asked - max(threshold, 0.1 * asked) ? min(maxKW, kW * 1.1 + threshold) : nil
        switch (wants, plannedWantsKW) {
        case (nil, nil): break
        // A tapering car's estimate moves each reading: re-balance on a change worth it (10 %).
        case (let a?, let b?): if abs(a - b) > max(threshold, 0.1 * b) { rebalance = true }
        default: rebalance = true
        }
        wantsKW = wants
        return (rebalance, overLimit)
    }

    /// A push was answered. Returns true when the pile rejected it.
    mutating func answered(_ kW: Double, accepted: Bool, rejectedByPile: Bool, at time: Date) {
        pushingKW = nil
        if accepted {
            // Over a lower limit it is over the new one too: the tolerance keeps running.
            if let old = acceptedKW, kW > old { overSince = nil }
            acceptedKW = kW
            acceptedAt = time
            readingsSincePush = 0
        } else if rejectedByPile {
            rejected = true
        }
    }
}
