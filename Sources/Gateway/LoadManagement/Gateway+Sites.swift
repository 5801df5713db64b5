import Foundation
import OCPP
import SessionStore

/// A managed site as the API shows it (`GET /api/sites`, `/api/sites/{id}`).
public struct SiteView: Sendable {
    public let id: String
    public let name: String?
    /// In force now (the schedule applied), before the margin.
    public let limitKW: Double
    public let gridLimitKW: Double
    public let marginPercent: Double
    /// What the allocator shares now: the limit less the margin.
    public let allocatableKW: Double
    /// The piles' own meter values, summed.
    public let measuredKW: Double
    public let allocatedKW: Double
    public let thresholdKW: Double
    public let profilesPushed: Int
    public let lastRebalance: Date?
    public let piles: [SitePileView]
}

/// One charging pile (connector) of a site.
public struct SitePileView: Sendable {
    public let chargePointId: String
    public let connectorId: Int
    public let sessionId: Int64
    public let maxKW: Double
    public let floorKW: Double
    public let allocatedKW: Double?
    /// The last limit the pile accepted.
    public let limitKW: Double?
    public let limitSince: Date?
    public let measuredKW: Double?
    public let measuredAt: Date?
    /// A tapering car: what it takes, with headroom.
    public let wantsKW: Double?
    /// `following`, `over-limit` (above its limit, within the tolerance), `ignoring` (beyond it) or `rejected`.
    public let state: String
    public let overLimitSince: Date?
}

/// The pushes and the power series of a site (`GET /api/sites/{id}/history`).
public struct SiteHistory: Sendable {
    public let pushes: [ProfilePushRecord]
    public let series: [SitePowerPoint]
}

extension Gateway {
    /// Every managed site (those with a `gridLimitKW`), by id.
    public func sites(now: Date = Date()) -> [SiteView] {
        services.load.sites.values.map { view($0, now: now) }.sorted { $0.id < $1.id }
    }

    /// A managed site; nil for an unknown id or a site without a limit.
    public func site(_ id: String, now: Date = Date()) -> SiteView? {
        services.load.sites[id].map { view($0, now: now) }
    }

    /// The site's newest pushes (newest last, at most 500) and power series (at most 720 points).
    public func siteHistory(_ id: String) -> SiteHistory? {
        guard let site = services.load.sites[id] else { return nil }
        return site.state.withLock { SiteHistory(pushes: $0.history.ordered, series: $0.series.ordered) }
    }

    /// Whether the configuration names the site, managed or not.
    public func isConfiguredSite(_ id: String) -> Bool { configuration.sites.contains { $0.id == id } }

    private func view(_ site: SiteLoad, now: Date) -> SiteView {
        let s = site.settings
        return site.state.withLock { state in
            SiteView(
                id: s.id, name: s.name, limitKW: s.limitKW(at: now) ?? 0, gridLimitKW: s.gridLimitKW ?? 0, marginPercent: s.marginPercent,
                allocatableKW: s.allocatableKW(at: now) ?? 0, measuredKW: state.measuredKW, allocatedKW: state.allocatedKW,
                thresholdKW: s.thresholdKW, profilesPushed: state.pushes, lastRebalance: state.lastRebalance,
                piles: state.ordered.map { p in
                    let status =
                        p.rejected ? "rejected" : p.ignoring ? "ignoring" : p.overSince != nil ? "over-limit" : "following"
                    return SitePileView(
                        chargePointId: p.chargePointId, connectorId: p.connectorId, sessionId: p.sessionId, maxKW: p.maxKW, floorKW: p.floorKW,
                        allocatedKW: p.allocatedKW, limitKW: p.askedLimitKW, limitSince: p.acceptedAt, measuredKW: p.measuredKW,
                        measuredAt: p.measuredAt, wantsKW: p.wantsKW, state: status, overLimitSince: p.overSince)
                })
        }
    }

    /// Running sessions of managed piles, learned again after a restart (their power is
    /// unknown until their next meter values).
    func restoreSiteSessions(_ active: [SessionRecord]) {
        guard services.load.isOn else { return }
        for session in active where services.load.site(ofChargePoint: session.chargePointId) != nil {
            let version = OCPPVersion.supported.first { $0.label == session.ocppVersion } ?? .v16
            services.load.sessionStarted(
                chargePointId: session.chargePointId, connectorId: session.connectorId, sessionId: session.id, version: version,
                transactionRef: session.transactionRef, account: session.account.flatMap { accounts[$0] }, at: session.startTime)
        }
    }
}
