import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// What a transaction's readings said since its last register reading, to judge the
/// energy the register counts against the power the pile reports. A few words per running
/// transaction; nothing for an idle pile.
struct MeterTrack {
    /// Total import power reported with the last register reading (same timestamp), W.
    var powerAtRegisterW: Double?
    /// Lowest and highest import power reported after the last register reading, W.
    var lowestSinceW: Double?
    var highestSinceW: Double?
    /// A status other than Charging since the last register reading: the car may have
    /// paused between two readings that both show power.
    var interrupted = false
    /// A register reading (not meterStart) has been seen.
    var sawRegister = false
    /// Over the intervals judged so far: energy the register counted, and the least and
    /// most the power at their ends implies, Wh. Summed, so one odd interval (a ramp, a
    /// pause between samples) is diluted while a wrong unit shows on every one.
    var countedWh = 0.0
    var floorWh = 0.0
    /// The same for the ceiling, over the intervals where power did not rise: a car ramping
    /// up from idle peaks between two readings, above both.
    var countedSteadyWh = 0.0
    var ceilingWh = 0.0
    /// The readings are 1000 times off meterStart (kWh against Wh): meterStop is not compared with them.
    var scaleMismatch = false
    /// The register jumped: later intervals are not judged against power.
    var jumped = false
    /// The highest reading before a jump, so a spike that comes back is no decrease as well.
    var beforeJumpWh: Double?
    var found = Found()

    struct Found: OptionSet {
        let rawValue: UInt8
        static let below = Found(rawValue: 1)
        static let above = Found(rawValue: 2)
        static let jump = Found(rawValue: 4)
    }

    /// A power reading after the last register reading.
    mutating func note(powerW: Double) {
        lowestSinceW = min(lowestSinceW ?? powerW, powerW)
        highestSinceW = max(highestSinceW ?? powerW, powerW)
    }

    /// A register reading taken now: the next interval starts here.
    mutating func startInterval(powerW: Double?) {
        powerAtRegisterW = powerW
        lowestSinceW = nil
        highestSinceW = nil
        interrupted = false
        sawRegister = true
    }
}

/// One instant of a message's readings: the total outlet import register and power.
struct MeterPoint {
    var time: Date
    var registerWh: Double?
    var powerW: Double?
}

extension ChargePointSession {
    /// Register and total import power per timestamp, oldest first. Power is the reading
    /// without phase, else the sum of the L1–L3 readings; registers are the outlet total
    /// (phase registers and Energy.Active.Import.Interval are not the register).
    static func meterPoints(_ samples: [SampleRecord]) -> [MeterPoint] {
        var byTime: [Date: (register: Double?, total: Double?, phases: [String: Double])] = [:]
        for sample in samples {
            if sample.isOutletEnergyRegister && sample.unit == "Wh" {
                byTime[sample.time, default: (nil, nil, [:])].register = max(byTime[sample.time]?.register ?? sample.value, sample.value)
            } else if sample.measurand == Measurand.powerImport, sample.unit == "W", (sample.location ?? "Outlet") == "Outlet" {
                if let phase = sample.phase {
                    let line = String(phase.prefix(2))
                    if ["L1", "L2", "L3"].contains(line) { byTime[sample.time, default: (nil, nil, [:])].phases[line] = sample.value }
                } else {
                    byTime[sample.time, default: (nil, nil, [:])].total = sample.value
                }
            }
        }
        return byTime.map { time, entry in
            MeterPoint(time: time, registerWh: entry.register, powerW: entry.total ?? (entry.phases.isEmpty ? nil : entry.phases.values.reduce(0, +)))
        }.sorted { $0.time < $1.time }
    }

    /// The first register reading of a 1.6 transaction a thousand times off meterStart: the
    /// readings are in kWh labelled (or defaulted to) Wh, or in Wh labelled kWh, while
    /// meterStart is in Wh. Returns the rule that names it, after flagging it and rebasing
    /// the register on the reading.
    func scaleMismatch(
        _ point: MeterPoint, value: Double, _ tx: inout ComplianceState.Transaction, id: Int64, what: String, call: IncomingCall,
        into verdict: inout Verdict
    ) -> Bool {
        // Below 10 kWh a thousandth is too close to zero to tell from a reset.
        guard !tx.meter.sawRegister, let meterStart = tx.meterStartWh, meterStart >= 10_000, let since = tx.highestEnergyAt else { return false }
        let seconds = point.time.timeIntervalSince(since)
        guard seconds.isFinite, seconds >= 0 else { return false }
        let rise = tolerances.maxPowerKW * max(seconds, 60) / 3.6 + tolerances.energySlackWh
        let rule: FindingRule
        if value < meterStart && value * 1000 >= meterStart - 1000 && value * 1000 <= meterStart + rise {
            rule = .energyBelowPower
            tx.meter.found.insert(.below)
        } else if value > meterStart && value / 1000 >= meterStart - 1 && value / 1000 <= meterStart + rise {
            rule = .energyAbovePower
            tx.meter.found.insert(.above)
        } else {
            return false
        }
        flag(
            rule, "\(what) \(value.wholeText) Wh is a thousand times off meterStart \(meterStart.wholeText) Wh of transaction \(id): the register's unit is wrong",
            call: call, sessionId: id, mayReject: false, into: &verdict)
        tx.meter.scaleMismatch = true
        tx.meter.startInterval(powerW: point.powerW)
        tx.highestEnergyWh = value
        tx.highestEnergyAt = point.time
        return true
    }

    /// The interval from the transaction's highest register reading to `point` (not older,
    /// not lower): a rise no pile can deliver, or energy out of line with the power
    /// reported at both of its ends. The caller then makes `point` the highest reading.
    func judgeInterval(
        to point: MeterPoint, value: Double, _ tx: inout ComplianceState.Transaction, id: Int64, what: String, call: IncomingCall,
        into verdict: inout Verdict
    ) {
        var m = tx.meter
        defer {
            m.startInterval(powerW: point.powerW)
            tx.meter = m
        }
        guard let from = tx.highestEnergyWh, let since = tx.highestEnergyAt else { return }
        let seconds = point.time.timeIntervalSince(since)
        let rise = value - from
        guard seconds.isFinite, seconds >= 0, rise.isFinite, rise >= 0 else { return }
        let t = tolerances
        let ends = [m.powerAtRegisterW, point.powerW]
        let powers = (ends + [m.lowestSinceW, m.highestSinceW]).compactMap { $0 }
        let bounded = ends.allSatisfy { $0 != nil }
        let lowest = powers.min() ?? 0
        let highest = powers.max() ?? 0
        // Readings stamped to the second, or queued and stamped together, make short intervals
        // meaningless: no interval counts as shorter than a minute here.
        if rise > t.maxPowerKW * max(seconds, 60) / 3.6 + t.energySlackWh {
            // With power at both ends, a rise about a thousand times what it allows is a Wh
            // figure labelled kWh; anything beyond is a jump, whatever the power.
            if bounded, highest > 0, rise <= 1000 * t.energyExcessFactor * highest * seconds / 3600 + t.energySlackWh {
                if m.found.insert(.above).inserted {
                    flag(
                        .energyAbovePower,
                        "\(what) rose \(rise.wholeText) Wh in \(Int(seconds)) s, about a thousand times what \(highest.wholeText) W allows (transaction \(id))",
                        call: call, sessionId: id, mayReject: false, into: &verdict)
                }
            } else {
                if m.found.insert(.jump).inserted {
                    flag(
                        .registerJump,
                        "\(what) rose \(rise.wholeText) Wh (from \(from.wholeText) to \(value.wholeText) Wh) in \(Int(seconds)) s of transaction \(id): more than \(t.maxPowerKW.wholeText) kW can deliver",
                        call: call, sessionId: id, mayReject: false, into: &verdict)
                }
                m.jumped = true
                m.beforeJumpWh = from
            }
            return
        }
        m.beforeJumpWh = nil
        // Only whole intervals of steady power: both ends known, none negative (its own
        // rule), no pause reported, no clock jump, at least a few seconds.
        guard bounded, !m.jumped, !m.interrupted, lowest >= 0, seconds >= 5, seconds <= 3600 else { return }
        m.countedWh += rise
        m.floorWh += lowest * seconds / 3600
        if let start = m.powerAtRegisterW, let end = point.powerW, start > t.idlePowerW, end <= start * Self.steadyPowerRise {
            m.countedSteadyWh += rise
            m.ceilingWh += highest * seconds / 3600
        }
        if m.countedWh + t.energySlackWh < m.floorWh / t.energyShortfallFactor, m.found.insert(.below).inserted {
            flag(
                .energyBelowPower,
                "the register counted \(m.countedWh.wholeText) Wh where the reported power implies at least \(m.floorWh.wholeText) Wh (transaction \(id))",
                call: call, sessionId: id, mayReject: false, into: &verdict)
        }
        if m.countedSteadyWh > t.energyExcessFactor * m.ceilingWh + t.energySlackWh, m.found.insert(.above).inserted {
            flag(
                .energyAbovePower,
                "the register counted \(m.countedSteadyWh.wholeText) Wh where the reported power allows at most \(m.ceilingWh.wholeText) Wh (transaction \(id))",
                call: call, sessionId: id, mayReject: false, into: &verdict)
        }
    }

    /// How much power may rise over an interval that still bounds the energy from above: a
    /// ramp from idle, or up to a higher step, may peak between the readings.
    static let steadyPowerRise = 1.25

    /// Current flowing where the same reading says there is no voltage. Voltages are matched
    /// by time, location and line (L1-N and L1-L2 are L1's); a reading without phase
    /// matches every line. An absent voltage is no finding.
    func checkCurrentAndVoltage(_ samples: [SampleRecord], call: IncomingCall, acknowledged: Bool, into verdict: inout Verdict) {
        struct Key: Hashable {
            var time: Date
            var location: String
            var line: String
        }
        let limit = tolerances.currentWithoutVoltageA
        guard samples.contains(where: { $0.measurand == Measurand.currentImport && $0.value > limit }) else { return }
        func line(_ phase: String?) -> String { phase.map { String($0.prefix(2)) }.flatMap { ["L1", "L2", "L3"].contains($0) ? $0 : nil } ?? "*" }
        var volts: [Key: (zero: Bool, live: Bool)] = [:]
        for sample in samples where sample.measurand == Measurand.voltage {
            let key = Key(time: sample.time, location: sample.location ?? "Outlet", line: line(sample.phase))
            if abs(sample.value) < 1 { volts[key, default: (false, false)].zero = true } else { volts[key, default: (false, false)].live = true }
        }
        for sample in samples where sample.measurand == Measurand.currentImport && sample.value > limit {
            let own = line(sample.phase)
            let lines = own == "*" ? ["*", "L1", "L2", "L3"] : [own, "*"]
            let found = lines.compactMap { volts[Key(time: sample.time, location: sample.location ?? "Outlet", line: $0)] }
            guard !found.isEmpty, found.contains(where: \.zero), !found.contains(where: \.live) else { continue }
            flag(
                .currentWithoutVoltage,
                "Current.Import \(sample.value) A\(sample.phase.map { " on \($0)" } ?? "") with a Voltage of 0 in the same reading",
                call: call, mayReject: !acknowledged, into: &verdict)
            return
        }
    }
}
