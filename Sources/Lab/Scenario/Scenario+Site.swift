import Foundation
import Gateway
import YAMLConfig

/// A site under load management (`site:` in a scenario, docs/scenarios.md): the case runs
/// `piles` piles of the matrix's profile side by side, all on one grid connection, each
/// driven through the same steps. The lab writes the site and the piles' registry entries
/// into the case's own embedded gateway (docs/load-management.md); settings left out take
/// the gateway's defaults.
public struct SiteSpec: Codable, Sendable, Equatable {
    /// How many piles stand at the site (2 … 32).
    public var piles: Int
    public var gridLimitKW: Double
    public var marginPercent: Double?
    /// Lower limits for parts of the day, on the gateway's (wall) clock in `utcOffset`.
    public var limitSchedule: [SiteSettings.LimitWindow]?
    public var utcOffset: String?
    public var thresholdKW: Double?
    /// Simulated seconds; the gateway counts wall seconds, so the lab divides by the
    /// case's speed (at least 1 wall second).
    public var rebalanceSeconds: Double?
    /// Simulated seconds, as `rebalanceSeconds`.
    public var toleranceSeconds: Double?
    public var minimumKW: Double?
    public var floors: [Floor]?
    /// Simulated seconds between one pile starting its steps and the next: cars arriving
    /// (and so leaving) one after another rather than in the same instant.
    public var staggerSeconds: Double?
    /// Quirks of the first `quirkyPiles` piles only (the rest keep the profile's own):
    /// one deviant pile among compliant ones.
    public var quirkyPiles: Int?

    /// A floor as the gateway's (`sites[].floors`), with `pile` (1-based) in place of the
    /// generated charge point identity.
    public struct Floor: Codable, Sendable, Equatable {
        public var account: String?
        public var accountGroup: String?
        public var network: String?
        public var pile: Int?
        public var floorKW: Double
    }

    static let pileRange = 2...32

    /// The site's id in the case's gateway.
    static func siteId(serial: String) -> String { "LAB-SITE-\(serial)" }

    /// The `k`-th pile's identity (1-based) from the case's identity.
    static func pileIdentity(_ identity: String, pile k: Int) -> String { "\(identity)-S\(k)" }

    /// The gateway's settings for this site, its timing keys converted to wall seconds.
    func settings(id: String, identities: [String], speed: Double) -> SiteSettings {
        var s = SiteSettings(id: id, gridLimitKW: gridLimitKW)
        if let marginPercent { s.marginPercent = marginPercent }
        if let limitSchedule { s.limitSchedule = limitSchedule }
        if let utcOffset { s.utcOffset = utcOffset }
        if let thresholdKW { s.thresholdKW = thresholdKW }
        if let minimumKW { s.minimumKW = minimumKW }
        let rate = max(speed, 0.001)
        if let rebalanceSeconds { s.rebalanceSeconds = min(max(rebalanceSeconds / rate, 1), 3_600) }
        if let toleranceSeconds { s.toleranceSeconds = min(max(toleranceSeconds / rate, 1), 86_400) }
        s.floors = (floors ?? []).map { floor in
            SiteSettings.Floor(
                account: floor.account, accountGroup: floor.accountGroup, network: floor.network,
                chargePoint: floor.pile.flatMap { identities.indices.contains($0 - 1) ? identities[$0 - 1] : nil }, floorKW: floor.floorKW)
        }
        return s
    }

    /// What is wrong, each with the key it concerns (below `site`); empty when fine.
    func problems() -> [(key: [NodeLocator.Key], message: String)] {
        var problems: [([NodeLocator.Key], String)] = []
        if !Self.pileRange.contains(piles) { problems.append((["piles"], "site.piles must be \(Self.pileRange.lowerBound) to \(Self.pileRange.upperBound)")) }
        if !(gridLimitKW > 0 && gridLimitKW <= 100_000) { problems.append((["gridLimitKW"], "site.gridLimitKW must be more than 0 and at most 100000 kW")) }
        if let stagger = staggerSeconds, !(0...3_600).contains(stagger) { problems.append((["staggerSeconds"], "site.staggerSeconds must be 0 to 3600")) }
        if let quirkyPiles, !(1...max(piles, 1)).contains(quirkyPiles) { problems.append((["quirkyPiles"], "site.quirkyPiles must be 1 to site.piles (\(piles))")) }
        for (i, floor) in (floors ?? []).enumerated() {
            let selectors = [floor.account, floor.accountGroup, floor.network, floor.pile.map(String.init)].compactMap { $0 }
            if selectors.count != 1 { problems.append((["floors", .index(i)], "site.floors[\(i)] needs exactly one of account, accountGroup, network, pile")) }
            if let pile = floor.pile, !(1...max(piles, 1)).contains(pile) { problems.append((["floors", .index(i), "pile"], "site.floors[\(i)].pile must be 1 to site.piles (\(piles))")) }
        }
        // The gateway's own checks, on the settings it will get (identities do not matter here).
        var configuration = GatewayConfiguration()
        configuration.sites = [settings(id: "site", identities: (1...max(piles, 1)).map { "P\($0)" }, speed: 1)]
        do {
            try configuration.validate(file: "site")
        } catch {
            let text = error.message.replacingOccurrences(of: "sites[site].", with: "site.").replacingOccurrences(of: "sites[site]", with: "site")
            problems.append(([], text))
        }
        return problems
    }
}

/// Site expectations, measured from the piles' own meter values as the gateway recorded
/// them (`expect.site`, docs/scenarios.md). Times are simulated seconds.
public struct SiteExpectation: Codable, Sendable, Equatable {
    /// The summed power of the site's piles may stay above the limit in force (plus
    /// `toleranceKW`) for at most this long at a time.
    public var maxOverLimitSeconds: Double?
    /// kW above the limit that still counts as within it (default 0).
    public var toleranceKW: Double?
    /// After a car arrives or leaves, readings this long are not held to a floor (default 120).
    public var settlingSeconds: Double?
    /// Every car got at least its floor (the site's `floors`, else `minimumKW` when set) while
    /// charging, or all its car would take, after settling.
    public var floorsMet: Bool?
    /// Energy delivered within this percentage of an ideal allocator's (IdealAllocator).
    public var energyWithinPercentOfIdeal: Double?
    /// Each pile's readings against the TxProfile limits it accepted (from the site's history).
    public var pileOverLimit: PileOverLimit?

    public struct PileOverLimit: Codable, Sendable, Equatable {
        /// The worst excess of any reading over its pile's accepted limit, kW.
        public var kW: Expectations.Range?
        /// The longest a pile stayed above its accepted limit, simulated seconds.
        public var seconds: Expectations.Range?
        /// Readings this close to a push (either side) are held to the higher of the old and new limit (default 5).
        public var graceSeconds: Double?
    }

    /// What is wrong, each with the key it concerns (below `expect.site`).
    func problems(site: SiteSpec?) -> [(key: [NodeLocator.Key], message: String)] {
        var problems: [([NodeLocator.Key], String)] = []
        if site == nil { problems.append(([], "expect.site needs a site: block (the piles it measures)")) }
        for (key, value) in [("maxOverLimitSeconds", maxOverLimitSeconds), ("toleranceKW", toleranceKW), ("settlingSeconds", settlingSeconds)] {
            if let value, !(0...86_400).contains(value) { problems.append(([.key(key)], "expect.site.\(key) must be 0 to 86400")) }
        }
        if let percent = energyWithinPercentOfIdeal, !(0...100).contains(percent) {
            problems.append((["energyWithinPercentOfIdeal"], "expect.site.energyWithinPercentOfIdeal must be 0 to 100"))
        }
        if let grace = pileOverLimit?.graceSeconds, !(0...3_600).contains(grace) {
            problems.append((["pileOverLimit", "graceSeconds"], "expect.site.pileOverLimit.graceSeconds must be 0 to 3600"))
        }
        return problems
    }
}
