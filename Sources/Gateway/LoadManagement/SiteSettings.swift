import Foundation

/// A station's shared grid connection (`sites:` in the configuration): the limit the
/// gateway keeps its piles' total under, and how it shares it (docs/load-management.md).
/// Piles belong to the site whose `id` their registry entry names as `station`. A site
/// without `gridLimitKW` is not managed: nothing is pushed to its piles.
public struct SiteSettings: Codable, Sendable, Equatable {
    public var id: String
    public var name: String?
    /// The contracted limit of the grid connection, kW; nil: load management off here.
    public var gridLimitKW: Double?
    /// Kept free below the limit, percent of it: the piles' meters lag and round.
    public var marginPercent: Double = 5
    /// Lower limits for parts of the day (contracted peak hours), in the site's `utcOffset`.
    public var limitSchedule: [LimitWindow] = []
    /// The site's local time as an offset from UTC, `+08:00`; the schedule's clock.
    public var utcOffset: String = "+00:00"
    /// A pile's limit is pushed again only when it changed by more than this, kW.
    public var thresholdKW: Double = 1
    /// Seconds between re-balances when nothing else triggers one.
    public var rebalanceSeconds: Double = 30
    /// Guaranteed power for some sessions; the highest matching floor applies.
    public var floors: [Floor] = []
    /// Seconds a pile may draw above its limit (by more than 5 % or 1 kW) before it is
    /// recorded as ignoring it and its measured power is counted as taken.
    public var toleranceSeconds: Double = 60
    /// The least a charging pile is given when the limit allows, kW: 6 A on three phases at
    /// 230 V (the lowest current IEC 61851 lets a car charge at).
    public var minimumKW: Double = 4.14

    public init(id: String, gridLimitKW: Double? = nil) {
        self.id = id
        self.gridLimitKW = gridLimitKW
    }

    /// A part of the day with its own limit; `from` after `to` crosses midnight.
    public struct LimitWindow: Codable, Sendable, Equatable {
        public var from: String
        public var to: String
        public var limitKW: Double

        public init(from: String, to: String, limitKW: Double) {
            self.from = from
            self.to = to
            self.limitKW = limitKW
        }
    }

    /// A floor for the sessions it matches: exactly one of the selectors.
    public struct Floor: Codable, Sendable, Equatable {
        public var account: String?
        public var accountGroup: String?
        public var network: String?
        public var chargePoint: String?
        public var floorKW: Double

        public init(account: String? = nil, accountGroup: String? = nil, network: String? = nil, chargePoint: String? = nil, floorKW: Double) {
            self.account = account
            self.accountGroup = accountGroup
            self.network = network
            self.chargePoint = chargePoint
            self.floorKW = floorKW
        }

        /// Whether it applies to a session of this account, group, network and pile.
        func matches(account a: String?, group: String?, network n: String?, chargePoint cp: String) -> Bool {
            if let account { return account == a }
            if let accountGroup { return accountGroup == group }
            if let network { return network == n }
            if let chargePoint { return chargePoint == cp }
            return false
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, gridLimitKW, marginPercent, limitSchedule, utcOffset, thresholdKW, rebalanceSeconds, floors, toleranceSeconds, minimumKW
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SiteSettings(id: "")
        id = try c.decode(String.self, forKey: .id)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        gridLimitKW = try c.decodeIfPresent(Double.self, forKey: .gridLimitKW)
        marginPercent = try c.decodeIfPresent(Double.self, forKey: .marginPercent) ?? d.marginPercent
        limitSchedule = try c.decodeIfPresent([LimitWindow].self, forKey: .limitSchedule) ?? []
        utcOffset = try c.decodeIfPresent(String.self, forKey: .utcOffset) ?? d.utcOffset
        thresholdKW = try c.decodeIfPresent(Double.self, forKey: .thresholdKW) ?? d.thresholdKW
        rebalanceSeconds = try c.decodeIfPresent(Double.self, forKey: .rebalanceSeconds) ?? d.rebalanceSeconds
        floors = try c.decodeIfPresent([Floor].self, forKey: .floors) ?? []
        toleranceSeconds = try c.decodeIfPresent(Double.self, forKey: .toleranceSeconds) ?? d.toleranceSeconds
        minimumKW = try c.decodeIfPresent(Double.self, forKey: .minimumKW) ?? d.minimumKW
    }

    /// Minutes of the day, 0 … 1439, of `HH:MM`; nil when it is not one.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
            (0...23).contains(h), (0...59).contains(m)
        else { return nil }
        return h * 60 + m
    }

    /// Seconds east of UTC of `±HH:MM` (up to ±14:00); nil when it is not one.
    static func offsetSeconds(_ text: String) -> Int? {
        guard let sign = text.first, sign == "+" || sign == "-", let minutes = minutes(String(text.dropFirst())), minutes <= 14 * 60 else { return nil }
        return (sign == "-" ? -60 : 60) * minutes
    }

    /// The limit in force at `time` before the margin: the lowest of `gridLimitKW` and every
    /// window holding the site's local time of day; nil for an unmanaged site.
    public func limitKW(at time: Date) -> Double? {
        guard let grid = gridLimitKW else { return nil }
        let offset = Self.offsetSeconds(utcOffset) ?? 0
        let epoch = time.timeIntervalSince1970
        guard epoch.isFinite, abs(epoch) < 1e12 else { return grid }
        let seconds = Int(epoch.rounded(.down)) + offset
        let minute = ((seconds / 60) % 1440 + 1440) % 1440
        var limit = grid
        for window in limitSchedule {
            guard let from = Self.minutes(window.from), let to = Self.minutes(window.to) else { continue }
            let inside = from < to ? (minute >= from && minute < to) : (minute >= from || minute < to)
            if inside { limit = min(limit, window.limitKW) }
        }
        return limit
    }

    /// The limit the allocator shares at `time`: `limitKW(at:)` less the margin.
    public func allocatableKW(at time: Date) -> Double? {
        limitKW(at: time).map { $0 * (1 - marginPercent / 100) }
    }

    /// What is wrong with the site, each naming its key; empty when it is fine.
    var problems: [String] {
        let key = "sites[\(id)]"
        var problems: [String] = []
        func need(_ ok: Bool, _ message: String) { if !ok { problems.append("\(key).\(message)") } }
        need(!id.isEmpty, "id must not be empty")
        if let grid = gridLimitKW { need(grid > 0 && grid <= 1_000_000, "gridLimitKW must be between 0 and 1000000 kW (got \(grid))") }
        need(marginPercent >= 0 && marginPercent <= 50, "marginPercent must be between 0 and 50 (got \(marginPercent))")
        need(Self.offsetSeconds(utcOffset) != nil, "utcOffset must be ±HH:MM between -14:00 and +14:00, e.g. +08:00 (got \"\(utcOffset)\")")
        need(thresholdKW >= 0 && thresholdKW <= 1_000, "thresholdKW must be between 0 and 1000 kW (got \(thresholdKW))")
        need(rebalanceSeconds >= 1 && rebalanceSeconds <= 3_600, "rebalanceSeconds must be between 1 and 3600 (got \(rebalanceSeconds))")
        need(toleranceSeconds >= 1 && toleranceSeconds <= 86_400, "toleranceSeconds must be between 1 and 86400 (got \(toleranceSeconds))")
        need(minimumKW >= 0 && minimumKW <= 1_000, "minimumKW must be between 0 and 1000 kW (got \(minimumKW))")
        need(limitSchedule.count <= 48, "limitSchedule may hold at most 48 windows")
        for (i, window) in limitSchedule.enumerated() {
            let from = Self.minutes(window.from)
            let to = Self.minutes(window.to)
            need(from != nil, "limitSchedule[\(i)].from must be HH:MM, 00:00 … 23:59 (got \"\(window.from)\")")
            need(to != nil, "limitSchedule[\(i)].to must be HH:MM, 00:00 … 23:59 (got \"\(window.to)\")")
            if let from, let to { need(from != to, "limitSchedule[\(i)]: from and to are the same time; a window must not be empty") }
            need(window.limitKW >= 0 && window.limitKW <= 1_000_000, "limitSchedule[\(i)].limitKW must be between 0 and 1000000 kW (got \(window.limitKW))")
        }
        need(floors.count <= 1_000, "floors may hold at most 1000 entries")
        for (i, floor) in floors.enumerated() {
            let selectors = [floor.account, floor.accountGroup, floor.network, floor.chargePoint].compactMap { $0 }
            need(selectors.count == 1, "floors[\(i)] needs exactly one of account, accountGroup, network, chargePoint (got \(selectors.count))")
            need(floor.floorKW >= 0 && floor.floorKW <= (gridLimitKW ?? 1_000_000), "floors[\(i)].floorKW must be between 0 and the site's gridLimitKW (got \(floor.floorKW))")
        }
        return problems
    }
}

extension GatewayConfiguration {
    /// What is wrong with `sites`, each naming its key.
    var siteProblems: [String] {
        var problems = sites.flatMap(\.problems)
        if Set(sites.map(\.id)).count != sites.count { problems.append("sites lists an id twice") }
        if sites.count > 100_000 { problems.append("sites may hold at most 100000 sites") }
        return problems
    }
}
