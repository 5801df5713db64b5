import Foundation
import OCPP

/// Energy of one session split into tariff periods: each pair of consecutive register
/// readings spreads its energy evenly over the time between them, cut at half-hour slot
/// boundaries. Fed reading by reading, so the live cost and the final receipt are the
/// same computation.
public struct EnergyLedger: Sendable, Equatable {
    /// A run of time in one tier and the energy (Wh, unrounded) delivered in it.
    public struct Period: Sendable, Equatable {
        public var tier: Tariff.Tier
        public var from: Date
        public var to: Date
        public var energyWh: Double
    }

    public let plan: TariffPlan
    public private(set) var periods: [Period] = []
    /// Highest register value so far: a reading below it adds nothing (a register that
    /// went backwards is a finding, not a refund), and a recovery is not counted twice.
    public private(set) var highWh: Double?
    public private(set) var lastTime: Date?

    public init(plan: TariffPlan) { self.plan = plan }

    public var totalWh: Double { periods.reduce(0) { $0 + $1.energyWh } }

    /// The longest run of time spread over tariff slots: beyond it (a stored session from
    /// before the gateway bounded timestamps, say) the energy goes to one period.
    static let longestWalk: Double = 400 * 86_400

    /// Adds a register reading. Readings must come in time order; an earlier one than the
    /// last is taken as happening at the last reading's time. A register no pile can show
    /// (WireBounds) adds nothing, so whatever the store holds, totals stay bounded.
    public mutating func add(time: Date, registerWh: Double) {
        guard WireBounds.isEnergyRegister(registerWh), time.timeIntervalSince1970.isFinite else { return }
        guard let high = highWh, let last = lastTime else {
            highWh = registerWh
            lastTime = time
            return
        }
        let energy = max(0, registerWh - high)
        highWh = max(high, registerWh)
        let end = max(time, last)
        lastTime = end
        guard end > last else {
            credit(energy, tier: plan.tier(at: last), from: last, to: last)
            return
        }
        let span = end.timeIntervalSince(last)
        guard span <= Self.longestWalk else {
            credit(energy, tier: plan.tier(at: last), from: last, to: end)
            return
        }
        var cursor = last
        // At most one step per half hour of a bounded span; the count guards against a
        // boundary that does not advance.
        for _ in 0...Int(Self.longestWalk / 1800) + 1 where cursor < end {
            let boundary = min(plan.nextBoundary(after: cursor), end)
            guard boundary > cursor else { break }
            credit(energy * boundary.timeIntervalSince(cursor) / span, tier: plan.tier(at: cursor), from: cursor, to: boundary)
            cursor = boundary
        }
    }

    private mutating func credit(_ energy: Double, tier: Tariff.Tier, from: Date, to: Date) {
        if let i = periods.indices.last, periods[i].tier == tier, periods[i].to >= from {
            periods[i].to = max(periods[i].to, to)
            periods[i].energyWh += energy
        } else {
            periods.append(Period(tier: tier, from: from, to: to, energyWh: energy))
        }
    }

    /// Whole Wh per period that add up to the rounded total (largest remainder), so a
    /// receipt's lines always sum to its energy.
    public func wholeWattHours() -> [Int64] {
        let target = Int64(saturating: totalWh) ?? 0
        var whole = periods.map { Int64(saturating: $0.energyWh.rounded(.down)) ?? 0 }
        var missing = target.saturatingSubtract(whole.reduce(0) { $0.saturatingAdd($1) })
        let order = periods.indices.sorted { a, b in
            let ra = periods[a].energyWh - Double(whole[a])
            let rb = periods[b].energyWh - Double(whole[b])
            return ra != rb ? ra > rb : a < b
        }
        // The remainders sum to less than one Wh per period: at most one more Wh each.
        for k in order.indices where missing > 0 {
            whole[order[k]] = whole[order[k]].saturatingAdd(1)
            missing -= 1
        }
        return whole
    }
}
