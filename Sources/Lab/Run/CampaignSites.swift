import Foundation
import Gateway
import Simulator

/// A campaign's piles grouped into managed sites (`--campaign-site-piles`,
/// `--campaign-site-limit`): every `pilesPerSite` piles share one grid connection.
public struct CampaignSites: Sendable, Equatable {
    public var pilesPerSite: Int
    public var gridLimitKW: Double
    public var marginPercent: Double = 5

    public init(pilesPerSite: Int, gridLimitKW: Double) {
        self.pilesPerSite = pilesPerSite
        self.gridLimitKW = gridLimitKW
    }

    /// The site of the `i`-th pile (0-based).
    func siteId(pile i: Int) -> String { String(format: "CAMP-SITE-%04d", i / max(pilesPerSite, 1) + 1) }

    /// The sites and the piles' registry entries, for the campaign's gateway.
    func configure(_ configuration: inout GatewayConfiguration, piles: [(identity: String, profile: PileProfile)]) {
        var members: [String: [CaseMember]] = [:]
        for (i, pile) in piles.enumerated() {
            members[siteId(pile: i), default: []].append(CaseMember(index: i + 1, identity: pile.identity, serial: "", profile: pile.profile))
        }
        for id in members.keys.sorted() {
            var site = SiteSettings(id: id, gridLimitKW: gridLimitKW)
            site.marginPercent = marginPercent
            configuration.add(site: site, members: members[id] ?? [])
        }
    }
}

/// One site of a campaign: how often and how far its piles' measured total went above
/// its limit (their own meter values, summed as `SitePowerSeries` does).
public struct CampaignSiteReport: Sendable, Codable, Equatable {
    public var site: String
    public var limitKW: Double
    public var piles: Int
    public var sessions: Int
    /// Stretches above the limit, their longest and total simulated seconds, the worst overshoot.
    public var overLimit: OverLimitSummary
    public var peakKW: Double
}

extension CampaignSites {
    /// Reads every session of each site's piles back from the gateway and measures the
    /// site's total against its limit.
    func report(view: any GatewayView, piles: [String]) async throws -> [CampaignSiteReport] {
        var bySite: [String: [String]] = [:]
        for (i, pile) in piles.enumerated() { bySite[siteId(pile: i), default: []].append(pile) }
        var reports: [CampaignSiteReport] = []
        for id in bySite.keys.sorted() {
            let members = bySite[id] ?? []
            var readings: [[LabSample]] = []
            var sessions = 0
            for pile in members {
                for session in try await view.sessions(chargePointId: pile) {
                    sessions += 1
                    readings.append(SitePowerSeries.power(try await view.session(id: session.id)?.samples ?? []))
                }
            }
            let totals = SitePowerSeries.totals(readings)
            let stretches = SitePowerSeries.stretches(totals, toleranceKW: 0) { _ in gridLimitKW }
            reports.append(
                CampaignSiteReport(
                    site: id, limitKW: gridLimitKW, piles: members.count, sessions: sessions, overLimit: OverLimitSummary(stretches),
                    peakKW: totals.map(\.kW).max() ?? 0))
        }
        return reports
    }

    /// One line for the run's progress: the sites' violations together.
    static func summary(_ reports: [CampaignSiteReport]) -> String {
        let over = reports.filter { $0.overLimit.stretches > 0 }
        let worst = reports.max { $0.overLimit.worstKW < $1.overLimit.worstKW }
        let stretches = reports.reduce(0) { $0 + $1.overLimit.stretches }
        let seconds = reports.reduce(0.0) { $0 + $1.overLimit.totalSeconds }
        let sessions = reports.reduce(0) { $0 + $1.sessions }
        return String(
            format: "campaign: %d site(s), %d session(s); %d site(s) above their limit, %d stretch(es), %.0f simulated s in all; worst %.1f kW over at %@",
            reports.count, sessions, over.count, stretches, seconds, worst?.overLimit.worstKW ?? 0, worst?.site ?? "-")
    }
}
