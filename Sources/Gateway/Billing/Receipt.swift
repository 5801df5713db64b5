import Foundation
import OCPP

/// What a session costs, itemised. Money is integer fen; the rounding rules are in
/// docs/tariffs.md and in `Receipt.init`.
public struct Receipt: Codable, Sendable, Equatable {
    public struct Line: Codable, Sendable, Equatable {
        public var tier: String
        public var from: Date
        public var to: Date
        public var energyWh: Int64
        public var electricityFen: Int64
        public var serviceFen: Int64
    }

    public var sessionId: Int64
    public var network: String?
    public var currency = "CNY"
    public var lines: [Line]
    public var energyWh: Int64
    public var electricityFen: Int64
    public var serviceFen: Int64
    public var idleMinutes: Int64
    public var idleFen: Int64
    public var discountFen: Int64
    public var totalFen: Int64
    /// False while the session runs or the car is still plugged in (the idle fee can grow).
    public var final: Bool

    /// Prices a ledger:
    /// - each line's energy is whole Wh (largest remainder, so lines sum to the total);
    /// - each line's electricity and service fee is Wh × milli-fen/kWh ÷ 1,000,000, rounded
    ///   half up to a fen, per line;
    /// - the idle fee is charged per started minute after the grace period, up to the cap;
    /// - a group discount is a percentage of the summed service (and electricity) fee,
    ///   rounded half up to a fen.
    public init(
        sessionId: Int64, network: String?, ledger: EnergyLedger, stopTime: Date?, unpluggedAt: Date?, now: Date, group: String?
    ) {
        let plan = ledger.plan
        let wh = ledger.wholeWattHours()
        lines = zip(ledger.periods, wh).map { period, energy in
            let price = plan.milliFen(period.tier)
            return Line(
                tier: period.tier.rawValue, from: period.from, to: period.to, energyWh: energy,
                electricityFen: Self.roundHalfUp(energy.saturatingMultiply(price.electricity), 1_000_000),
                serviceFen: Self.roundHalfUp(energy.saturatingMultiply(price.service), 1_000_000))
        }
        self.sessionId = sessionId
        self.network = network
        energyWh = wh.reduce(0) { $0.saturatingAdd($1) }
        electricityFen = lines.reduce(0) { $0.saturatingAdd($1.electricityFen) }
        serviceFen = lines.reduce(0) { $0.saturatingAdd($1.serviceFen) }

        var idleMinutes: Int64 = 0
        var idleFen: Int64 = 0
        var capped = false
        if let stop = stopTime, let fee = plan.tariff.idleFee {
            let idleSeconds = (unpluggedAt ?? now).timeIntervalSince(stop) - Double(fee.graceMinutes * 60)
            if idleSeconds > 0 {
                idleMinutes = Int64(saturating: (idleSeconds / 60).rounded(.up)) ?? 0
                idleFen = idleMinutes.saturatingMultiply(Int64(fee.perMinuteFen))
                if let cap = fee.capFen, idleFen >= Int64(cap) {
                    idleFen = Int64(cap)
                    capped = true
                }
            }
        }
        self.idleMinutes = idleMinutes
        self.idleFen = idleFen

        var discountFen: Int64 = 0
        if let group, let discount = plan.tariff.discounts.first(where: { $0.group == group }) {
            discountFen = Self.roundHalfUp(serviceFen.saturatingMultiply(Self.basisPoints(discount.serviceFeePercent)), 10_000)
                .saturatingAdd(Self.roundHalfUp(electricityFen.saturatingMultiply(Self.basisPoints(discount.electricityFeePercent)), 10_000))
        }
        self.discountFen = discountFen
        totalFen = electricityFen.saturatingAdd(serviceFen).saturatingAdd(idleFen).saturatingSubtract(discountFen)
        final = stopTime != nil && (unpluggedAt != nil || plan.tariff.idleFee == nil || capped)
    }

    /// `numerator / denominator` rounded half up, for non-negative numerators.
    static func roundHalfUp(_ numerator: Int64, _ denominator: Int64) -> Int64 {
        numerator.saturatingAdd(denominator / 2) / denominator
    }

    static func basisPoints(_ percent: Double) -> Int64 { Int64((percent * 100).rounded()) }
}
