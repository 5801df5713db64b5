import EVModel
import Foundation
import Gateway
import Simulator

/// The piles of one case: one, or a site's several (`site:`), each with its identity,
/// its serial (`{n}` in id tags) and its profile.
struct CaseMember: Sendable {
    /// 1-based position at the site (`{k}` in id tags; 1 for a lone pile).
    let index: Int
    let identity: String
    let serial: String
    let profile: PileProfile
}

extension ScenarioCase {
    /// The speed this case runs at: the run's, capped by the scenario's `simulation.maxSpeed`.
    func speed(run: Double) -> Double {
        min(run, scenario.scenario.simulation?.maxSpeed ?? run)
    }

    /// The case's piles: itself, or the site's piles with derived identities and serials.
    func members(identity: String, serial: String) -> [CaseMember] {
        guard let profile else { return [] }
        guard let site = scenario.scenario.site else { return [CaseMember(index: 1, identity: identity, serial: serial, profile: profile)] }
        let quirks = Set(scenario.scenario.pile?.quirks ?? [])
        return (1...max(site.piles, 1)).map { k in
            var own = profile
            // Beyond the quirky ones, the piles run without the scenario's quirks: compliant neighbours.
            if let quirky = site.quirkyPiles, k > quirky { own.quirks.removeAll { quirks.contains($0) } }
            return CaseMember(index: k, identity: SiteSpec.pileIdentity(identity, pile: k), serial: "\(serial)-\(k)", profile: own)
        }
    }

    /// The site as the case's gateway holds it; nil for a case without a site.
    func siteSettings(identity: String, serial: String, speed: Double) -> SiteSettings? {
        guard let site = scenario.scenario.site else { return nil }
        let identities = members(identity: identity, serial: serial).map(\.identity)
        return site.settings(id: SiteSpec.siteId(serial: serial), identities: identities, speed: speed)
    }
}

extension GatewayConfiguration {
    /// Adds the site and its piles' registry entries (station, hardware maximum), so the
    /// gateway manages them.
    mutating func add(site: SiteSettings, members: [CaseMember]) {
        sites.append(site)
        for member in members {
            var entry = KnownChargePoint(id: member.identity, network: member.profile.network, model: member.profile.model)
            entry.station = site.id
            entry.current = member.profile.current
            entry.maxPowerKW = member.profile.maxPowerKW
            entry.maxCurrentA = member.profile.maxCurrentA
            entry.maxVoltageV = member.profile.maxVoltageV
            entry.connectors = member.profile.connectors
            chargePoints.append(entry)
        }
    }
}
