import EVModel
import Foundation

/// What an ideal allocator would have delivered to the same cars on the same site: a
/// fluid water-filling simulation. At every step each car present asks for what its
/// curve takes at its state of charge on its pile (unconstrained), and the limit is
/// shared by water-filling (`ChargingPhysics.share`: equal shares, what a car cannot take
/// goes to the others), with no meter lag, no threshold and no push latency. A car is
/// present from its transaction's start to its stop, or until it reaches its target.
/// The measured energy is compared with this (`energyWithinPercentOfIdeal`).
enum IdealAllocator {
    struct Car: Sendable {
        var start: Date
        var end: Date
        var vehicle: VehicleProfile
        var pile: PileProfileElectrics
        var soc: Double
        var target: Double
    }

    /// Steps at most; the step grows with the span so a long run stays bounded.
    static let maxSteps = 200_000

    /// Energy, kWh, the cars would have taken under `limitKW` (nil: no limit at that moment).
    static func energyKWh(_ cars: [Car], limitKW: (Date) -> Double?) -> Double {
        guard let from = cars.map(\.start).min(), let to = cars.map(\.end).max(), to > from else { return 0 }
        let span = to.timeIntervalSince(from)
        let step = max(1, span / Double(maxSteps))
        var soc = cars.map(\.soc)
        var energy = 0.0
        var t = 0.0
        while t < span {
            let now = from.addingTimeInterval(t)
            let dt = min(step, span - t)
            let present = cars.indices.filter { cars[$0].start <= now && now < cars[$0].end && soc[$0] < cars[$0].target }
            let demand = present.map { i in
                ChargingPhysics.power(vehicle: cars[i].vehicle, pile: cars[i].pile, soc: soc[i], grantedKW: cars[i].pile.maxPowerKW)
            }
            let total = demand.reduce(0, +)
            let granted = ChargingPhysics.share(totalKW: min(limitKW(now) ?? total, total), demandKW: demand)
            for (k, i) in present.enumerated() {
                let seconds = min(dt, cars[i].end.timeIntervalSince(now))
                let result = ChargingPhysics.advance(
                    vehicle: cars[i].vehicle, pile: cars[i].pile, soc: soc[i], grantedKW: granted[k], seconds: seconds, targetSoC: cars[i].target,
                    step: seconds)
                energy += result.energyKWh
                soc[i] = result.soc
            }
            t += step
        }
        return energy
    }
}

/// A pile's electrics as plain values (what the ideal allocator needs of a profile).
struct PileProfileElectrics: PileElectrics {
    var current: CurrentKind
    var maxPowerKW: Double
    var maxCurrentA: Double
    var maxVoltageV: Double
    var minVoltageV: Double

    init(_ pile: some PileElectrics) {
        current = pile.current
        maxPowerKW = pile.maxPowerKW
        maxCurrentA = pile.maxCurrentA
        maxVoltageV = pile.maxVoltageV
        minVoltageV = pile.minVoltageV
    }

    init(current: CurrentKind, maxPowerKW: Double, maxCurrentA: Double, maxVoltageV: Double, minVoltageV: Double = 0) {
        self.current = current
        self.maxPowerKW = maxPowerKW
        self.maxCurrentA = maxCurrentA
        self.maxVoltageV = maxVoltageV
        self.minVoltageV = minVoltageV
    }
}
