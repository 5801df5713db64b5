/// How much power flows into a vehicle, and how its state of charge follows.
///
/// Delivered power is the least of: the vehicle's curve at its state of charge, the
/// power the pile grants this gun (its share of a shared cabinet), the pile's current
/// limit times the pack voltage, and zero when the pack voltage is outside what the pile
/// can supply (above its maximum, or below the minimum of an 800 V-only pile). AC charging
/// is limited by the vehicle's onboard charger instead of its curve.
public enum ChargingPhysics {
    /// The vehicle's DC curve at `soc` (percent), interpolated linearly; flat beyond the
    /// end points, zero at 100 %.
    public static func curvePower(_ curve: [VehicleProfile.CurvePoint], soc: Double) -> Double {
        guard soc < 100, let first = curve.first, let last = curve.last else { return 0 }
        if soc <= first.soc { return first.kW }
        if soc >= last.soc { return last.kW }
        for (a, b) in zip(curve, curve.dropFirst()) where soc <= b.soc {
            guard b.soc > a.soc else { return b.kW }
            return a.kW + (b.kW - a.kW) * (soc - a.soc) / (b.soc - a.soc)
        }
        return last.kW
    }

    /// The power (kW) the vehicle draws at `soc` on `pile`, given the gun's granted share.
    public static func power(vehicle: VehicleProfile, pile: some PileElectrics, soc: Double, grantedKW: Double) -> Double {
        guard soc < 100 else { return 0 }
        switch pile.current {
        case .ac:
            return max(0, min(vehicle.acOnboardKW, pile.maxPowerKW, grantedKW))
        case .dc:
            guard vehicle.packVoltageV <= pile.maxVoltageV, vehicle.packVoltageV >= pile.minVoltageV else { return 0 }
            let currentLimited = pile.maxCurrentA * vehicle.packVoltageV / 1000
            return max(0, min(curvePower(vehicle.curve, soc: soc), pile.maxPowerKW, grantedKW, currentLimited))
        }
    }

    /// Integrates from `soc` for `seconds`, in steps of at most `step` seconds. Stops early
    /// when `targetSoC` is reached and says when. Returns energy added (kWh), the new state
    /// of charge, and the seconds actually charged.
    public static func advance(
        vehicle: VehicleProfile, pile: some PileElectrics, soc: Double, grantedKW: Double, seconds: Double,
        targetSoC: Double = 100, step: Double = 1
    ) -> (energyKWh: Double, soc: Double, seconds: Double, reachedTarget: Bool) {
        var soc = soc
        var energy = 0.0
        var elapsed = 0.0
        while elapsed < seconds {
            if soc >= targetSoC { return (energy, soc, elapsed, true) }
            let dt = min(step, seconds - elapsed)
            let kW = power(vehicle: vehicle, pile: pile, soc: soc, grantedKW: grantedKW)
            guard kW > 0 else { return (energy, soc, seconds, false) }
            var dE = kW * dt / 3600
            var used = dt
            let toTarget = (targetSoC - soc) / 100 * vehicle.batteryKWh
            if dE >= toTarget {
                used = dt * toTarget / dE
                dE = toTarget
            }
            energy += dE
            soc += dE / vehicle.batteryKWh * 100
            elapsed += used
            if used < dt { return (energy, min(soc, targetSoC), elapsed, true) }
        }
        return (energy, soc, elapsed, soc >= targetSoC)
    }

    /// Splits a shared power budget between guns: each gets an equal share capped by
    /// what it can use (`demandKW`), and what one cannot use goes to the others.
    public static func share(totalKW: Double, demandKW: [Double]) -> [Double] {
        var granted = Array(repeating: 0.0, count: demandKW.count)
        var open = Set(demandKW.indices.filter { demandKW[$0] > 0 })
        var remaining = totalKW
        while !open.isEmpty && remaining > 1e-9 {
            let fair = remaining / Double(open.count)
            let satisfied = open.filter { demandKW[$0] - granted[$0] <= fair }
            if satisfied.isEmpty {
                for i in open { granted[i] += fair }
                remaining = 0
            } else {
                for i in satisfied {
                    remaining -= demandKW[i] - granted[i]
                    granted[i] = demandKW[i]
                }
                open.subtract(satisfied)
            }
        }
        return granted
    }
}
