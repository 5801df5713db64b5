import Foundation

/// A time-of-use price: which tier each half hour of the local day falls in, what a kWh
/// costs in each tier (electricity plus service), the idle fee, and group discounts.
///
/// Prices are fen per kWh and may have fractions (Chinese tariffs often quote 0.1 fen);
/// they are held as integer milli-fen so every sum below is exact. See docs/tariffs.md.
public struct Tariff: Codable, Sendable, Equatable {
    /// The network it applies to; nil for the default tariff.
    public var network: String?
    /// A station that prices differently from its network.
    public var station: String?
    /// The local time the schedule is written in, as an offset from UTC (China: +08:00).
    public var utcOffset: String = "+08:00"
    public var tiers: TierPrices
    /// The day in half-hour slots, e.g. `{from: "08:00", to: "11:30", tier: peak}`. The
    /// slots must cover 00:00 to 24:00 once.
    public var schedule: [Slot]
    public var idleFee: IdleFee?
    public var discounts: [Discount] = []

    public enum Tier: String, Codable, Sendable, CaseIterable { case sharp, peak, flat, valley }

    public struct Price: Codable, Sendable, Equatable {
        /// Fen per kWh for the energy.
        public var electricity: Double
        /// Fen per kWh for the operator's service.
        public var service: Double

        public init(electricity: Double, service: Double) {
            self.electricity = electricity
            self.service = service
        }
    }

    public struct TierPrices: Codable, Sendable, Equatable {
        public var sharp: Price?
        public var peak: Price?
        public var flat: Price?
        public var valley: Price?

        public init(sharp: Price? = nil, peak: Price? = nil, flat: Price? = nil, valley: Price? = nil) {
            self.sharp = sharp
            self.peak = peak
            self.flat = flat
            self.valley = valley
        }

        public subscript(tier: Tier) -> Price? {
            switch tier {
            case .sharp: sharp
            case .peak: peak
            case .flat: flat
            case .valley: valley
            }
        }
    }

    public struct Slot: Codable, Sendable, Equatable {
        public var from: String
        public var to: String
        public var tier: Tier

        public init(from: String, to: String, tier: Tier) {
            self.from = from
            self.to = to
            self.tier = tier
        }
    }

    /// Charged per started minute the car stays plugged after charging ended, past the grace period.
    public struct IdleFee: Codable, Sendable, Equatable {
        public var perMinuteFen: Int
        public var graceMinutes: Int = 0
        /// Most one session pays in idle fees; nil for no cap.
        public var capFen: Int?

        public init(perMinuteFen: Int, graceMinutes: Int = 0, capFen: Int? = nil) {
            self.perMinuteFen = perMinuteFen
            self.graceMinutes = graceMinutes
            self.capFen = capFen
        }

        enum CodingKeys: String, CodingKey { case perMinuteFen, graceMinutes, capFen }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            perMinuteFen = try c.decode(Int.self, forKey: .perMinuteFen)
            graceMinutes = try c.decodeIfPresent(Int.self, forKey: .graceMinutes) ?? 0
            capFen = try c.decodeIfPresent(Int.self, forKey: .capFen)
        }
    }

    /// A percentage off the service fee (and optionally the electricity fee) for the
    /// accounts of one group, e.g. a launch discount for the car maker's drivers.
    public struct Discount: Codable, Sendable, Equatable {
        public var group: String
        public var serviceFeePercent: Double = 0
        public var electricityFeePercent: Double = 0

        public init(group: String, serviceFeePercent: Double = 0, electricityFeePercent: Double = 0) {
            self.group = group
            self.serviceFeePercent = serviceFeePercent
            self.electricityFeePercent = electricityFeePercent
        }

        enum CodingKeys: String, CodingKey { case group, serviceFeePercent, electricityFeePercent }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            group = try c.decode(String.self, forKey: .group)
            serviceFeePercent = try c.decodeIfPresent(Double.self, forKey: .serviceFeePercent) ?? 0
            electricityFeePercent = try c.decodeIfPresent(Double.self, forKey: .electricityFeePercent) ?? 0
        }
    }

    public init(
        network: String? = nil, station: String? = nil, utcOffset: String = "+08:00", tiers: TierPrices, schedule: [Slot],
        idleFee: IdleFee? = nil, discounts: [Discount] = []
    ) {
        self.network = network
        self.station = station
        self.utcOffset = utcOffset
        self.tiers = tiers
        self.schedule = schedule
        self.idleFee = idleFee
        self.discounts = discounts
    }

    enum CodingKeys: String, CodingKey { case network, station, utcOffset, tiers, schedule, idleFee, discounts }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        network = try c.decodeIfPresent(String.self, forKey: .network)
        station = try c.decodeIfPresent(String.self, forKey: .station)
        utcOffset = try c.decodeIfPresent(String.self, forKey: .utcOffset) ?? "+08:00"
        tiers = try c.decode(TierPrices.self, forKey: .tiers)
        schedule = try c.decode([Slot].self, forKey: .schedule)
        idleFee = try c.decodeIfPresent(IdleFee.self, forKey: .idleFee)
        discounts = try c.decodeIfPresent([Discount].self, forKey: .discounts) ?? []
    }
}

/// A tariff checked and turned into what billing needs: 48 slot tiers, prices in milli-fen.
public struct TariffPlan: Sendable, Equatable {
    public let tariff: Tariff
    /// Seconds east of UTC.
    public let offsetSeconds: Int
    /// The tier of each half hour of the local day, 0 = 00:00–00:30.
    public let slots: [Tariff.Tier]

    public init(_ tariff: Tariff) throws(TariffError) {
        self.tariff = tariff
        offsetSeconds = try Self.parseOffset(tariff.utcOffset)
        var slots = [Tariff.Tier?](repeating: nil, count: 48)
        for slot in tariff.schedule {
            let from = try Self.halfHour(slot.from, allowEnd: false)
            let to = try Self.halfHour(slot.to, allowEnd: true)
            guard to > from else { throw TariffError("schedule slot \(slot.from)–\(slot.to) ends before it starts") }
            guard tariff.tiers[slot.tier] != nil else { throw TariffError("schedule uses tier \(slot.tier.rawValue), which has no price in tiers") }
            for i in from..<to {
                if slots[i] != nil { throw TariffError("schedule slots overlap at \(Self.clock(i))") }
                slots[i] = slot.tier
            }
        }
        if let gap = slots.firstIndex(where: { $0 == nil }) { throw TariffError("schedule leaves \(Self.clock(gap))–\(Self.clock(gap + 1)) without a tier") }
        self.slots = slots.compactMap { $0 }
        for tier in Tariff.Tier.allCases {
            if let price = tariff.tiers[tier], !(0...Self.highestPrice).contains(price.electricity) || !(0...Self.highestPrice).contains(price.service) {
                throw TariffError("tier \(tier.rawValue) has a price outside 0…\(Int(Self.highestPrice)) fen per kWh")
            }
        }
        if let idle = tariff.idleFee,
            !(0...Self.highestIdleFen).contains(idle.perMinuteFen) || !(0...1_440).contains(idle.graceMinutes)
                || !(0...Self.highestIdleFen).contains(idle.capFen ?? 0)
        {
            throw TariffError("idleFee values must lie between 0 and \(Self.highestIdleFen) fen (graceMinutes 0…1440)")
        }
        for discount in tariff.discounts where !(0...100).contains(discount.serviceFeePercent) || !(0...100).contains(discount.electricityFeePercent) {
            throw TariffError("discount for group \(discount.group) must be between 0 and 100 percent")
        }
    }

    /// Sanity bounds on what a configuration may charge: ¥1,000 per kWh, ¥100,000 idle.
    static let highestPrice: Double = 100_000
    static let highestIdleFen = 10_000_000

    /// The half-hour slot `date` falls in, by the tariff's local clock.
    public func slotIndex(at date: Date) -> Int {
        let local = (date.timeIntervalSince1970 + Double(offsetSeconds)).rounded(.down)
        guard local.isFinite else { return 0 }
        let secondOfDay = local - (local / 86_400).rounded(.down) * 86_400
        return Swift.min(47, Swift.max(0, Int(secondOfDay / 1800)))
    }

    public func tier(at date: Date) -> Tariff.Tier { slots[slotIndex(at: date)] }

    /// The next slot boundary strictly after `date`.
    public func nextBoundary(after date: Date) -> Date {
        let local = date.timeIntervalSince1970 + Double(offsetSeconds)
        let next = ((local / 1800).rounded(.down) + 1) * 1800
        return Date(timeIntervalSince1970: next - Double(offsetSeconds))
    }

    /// Milli-fen per kWh for a tier's electricity and service.
    public func milliFen(_ tier: Tariff.Tier) -> (electricity: Int64, service: Int64) {
        let price = tariff.tiers[tier] ?? Tariff.Price(electricity: 0, service: 0)
        return (Int64((price.electricity * 1000).rounded()), Int64((price.service * 1000).rounded()))
    }

    static func parseOffset(_ text: String) throws(TariffError) -> Int {
        let chars = Array(text)
        guard chars.count == 6, chars[0] == "+" || chars[0] == "-", chars[3] == ":",
            let hours = Int(String(chars[1...2])), let minutes = Int(String(chars[4...5])), hours <= 14, minutes < 60
        else { throw TariffError("utcOffset \"\(text)\" is not of the form +08:00") }
        return (chars[0] == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    static func halfHour(_ text: String, allowEnd: Bool) throws(TariffError) -> Int {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), m == 0 || m == 30, (0...24).contains(h) else {
            throw TariffError("\"\(text)\" is not a half-hour time like 08:00 or 08:30")
        }
        let index = h * 2 + m / 30
        guard index < 48 || (allowEnd && index == 48) else { throw TariffError("\"\(text)\" is past the end of the day (24:00)") }
        return index
    }

    static func clock(_ slot: Int) -> String { String(format: "%02d:%02d", slot / 2, (slot % 2) * 30) }
}

public struct TariffError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
