import struct Foundation.Date
import struct Foundation.TimeInterval

/// How amperes become watts on one EVSE: per phase on AC, times the voltage on DC.
public struct ChargingElectrics: Sendable, Equatable {
    /// Volts per phase (AC) or the DC voltage.
    public var volts: Double
    /// Phases the EVSE (and the car on it) can use; 1 on DC.
    public var phases: Int
    public var isDC: Bool

    public static func ac(voltsPerPhase: Double = 230, phases: Int = 3) -> ChargingElectrics {
        ChargingElectrics(volts: voltsPerPhase, phases: min(max(phases, 1), 3), isDC: false)
    }

    public static func dc(volts: Double) -> ChargingElectrics { ChargingElectrics(volts: volts, phases: 1, isDC: true) }

    /// Phases in use under a limit that allows `allowed` (nil: three).
    public func phases(allowed: Int?) -> Int { isDC ? 1 : min(allowed ?? 3, phases) }

    public func watts(_ value: Double, _ unit: ChargingLimitProfile.RateUnit, phases allowed: Int?) -> Double {
        unit == .watts ? value : value * volts * Double(phases(allowed: allowed))
    }

    public func value(watts: Double, in unit: ChargingLimitProfile.RateUnit, phases allowed: Int?) -> Double {
        guard unit == .amperes else { return watts }
        let perAmpere = volts * Double(phases(allowed: allowed))
        return perAmpere > 0 ? watts / perAmpere : 0
    }
}

/// The profiles that bear on one EVSE and what they are measured against.
public struct ProfileStack: Sendable {
    /// The EVSE (1.6 connector); 0 asks for the whole pile's limit.
    public var evse: Int
    /// Profiles installed on `evse` itself.
    public var evseProfiles: [ChargingLimitProfile]
    /// Profiles installed on EVSE 0: the pile's maximum, and defaults for every EVSE.
    public var stationProfiles: [ChargingLimitProfile]
    /// The transaction running on `evse`: a TxProfile needs it, a Relative profile counts from its start.
    public var transaction: (id: String?, start: Date)?
    public var electrics: ChargingElectrics

    public init(
        evse: Int, evseProfiles: [ChargingLimitProfile], stationProfiles: [ChargingLimitProfile], transaction: (id: String?, start: Date)? = nil,
        electrics: ChargingElectrics
    ) {
        self.evse = evse
        self.evseProfiles = evse == 0 ? [] : evseProfiles
        self.stationProfiles = stationProfiles
        self.transaction = transaction
        self.electrics = electrics
    }
}

/// The limit in force at one moment: the lowest of what each purpose's winning profile allows.
public struct ChargingLimit: Sendable, Equatable {
    public var watts: Double
    /// Phases the winning limits allow (nil: not restricted).
    public var phases: Int?
    /// The transaction profile's minimum rate, in watts: a car cannot charge slower.
    public var minChargingRateWatts: Double?
}

/// The composite schedule (1.6 §3.13.4, 2.0.1 K08): at each moment, per purpose, the valid
/// profile of the highest stack level that has a period then; a TxProfile overrules the
/// TxDefaultProfile, a profile on the EVSE the one on EVSE 0; the result is the lowest of
/// that, the pile's maximum and the external constraints. One implementation for the
/// gateway (what it asked for) and the simulator (what it obeys).
public struct CompositeSchedule: Sendable, Equatable {
    public var start: Date
    public var duration: Int
    public var unit: ChargingLimitProfile.RateUnit
    /// One period per change, from 0; a period without a profile in force carries the ceiling.
    public var periods: [ChargingLimitProfile.Period]

    /// Evaluation points a composite may take: a daily profile over a month with 1,000
    /// periods would be 30,000 points; more than this is cut short.
    public static let maxPoints = 20_000

    /// The composite for `stack` over `duration` seconds from `start`, in `unit`; moments
    /// without any profile in force carry `ceilingWatts` (the pile's own maximum).
    public init(_ stack: ProfileStack, from start: Date, duration: Int, unit: ChargingLimitProfile.RateUnit, ceilingWatts: Double) {
        self.start = start
        self.duration = max(duration, 0)
        self.unit = unit
        let end = start.addingTimeInterval(TimeInterval(self.duration))
        var points: Set<Date> = [start]
        for p in Self.candidates(stack) {
            for t in Self.changes(of: p, stack: stack, from: start, to: end, origin: start) where t > start && t < end {
                guard points.count < Self.maxPoints else { break }
                points.insert(t)
            }
        }
        var periods: [ChargingLimitProfile.Period] = []
        for t in points.sorted() {
            let limit = Self.limit(stack, at: t, origin: start)
            let watts = min(limit?.watts ?? ceilingWatts, ceilingWatts)
            let phases = stack.electrics.isDC ? nil : stack.electrics.phases(allowed: limit?.phases)
            let value = (stack.electrics.value(watts: watts, in: unit, phases: phases) * 10).rounded() / 10
            if let last = periods.last, last.limit == value, last.phases == phases { continue }
            periods.append(.init(start: Int(t.timeIntervalSince(start).rounded()), limit: value, phases: phases))
        }
        self.periods = periods
    }

    /// The limit in force on the stack's EVSE at `time`; nil when no profile is.
    /// `origin` anchors a Relative profile when no transaction runs (a composite's start).
    public static func limit(_ stack: ProfileStack, at time: Date, origin: Date? = nil) -> ChargingLimit? {
        func winner(_ purpose: ChargingLimitProfile.Purpose, _ profiles: [ChargingLimitProfile]) -> (ChargingLimitProfile, ChargingLimitProfile.Period)? {
            var best: (ChargingLimitProfile, ChargingLimitProfile.Period)?
            for p in profiles where p.purpose == purpose {
                guard let period = period(of: p, stack: stack, at: time, origin: origin) else { continue }
                if best.map({ p.stackLevel > $0.0.stackLevel }) ?? true { best = (p, period) }
            }
            return best
        }
        var constraints: [(ChargingLimitProfile, ChargingLimitProfile.Period)] = []
        if let max = winner(.stationMax, stack.stationProfiles) { constraints.append(max) }
        for external in [winner(.externalConstraints, stack.evseProfiles), winner(.externalConstraints, stack.stationProfiles)] {
            if let external { constraints.append(external) }
        }
        var transactionLimit: (ChargingLimitProfile, ChargingLimitProfile.Period)?
        if stack.evse != 0 {
            transactionLimit =
                winner(.tx, stack.evseProfiles) ?? winner(.txDefault, stack.evseProfiles) ?? winner(.txDefault, stack.stationProfiles)
            if let transactionLimit { constraints.append(transactionLimit) }
        }
        guard !constraints.isEmpty else { return nil }
        let e = stack.electrics
        var result = ChargingLimit(watts: .infinity, phases: nil, minChargingRateWatts: nil)
        for (p, period) in constraints {
            result.watts = min(result.watts, e.watts(period.limit, p.unit, phases: period.phases))
            if let phases = period.phases { result.phases = min(result.phases ?? phases, phases) }
        }
        if let (p, period) = transactionLimit, let min = p.minChargingRate {
            result.minChargingRateWatts = e.watts(min, p.unit, phases: period.phases)
        }
        return result
    }

    /// The profiles that may bear on the EVSE.
    static func candidates(_ stack: ProfileStack) -> [ChargingLimitProfile] {
        stack.evse == 0 ? stack.stationProfiles.filter { $0.purpose == .stationMax || $0.purpose == .externalConstraints } : stack.evseProfiles + stack.stationProfiles
    }

    /// When the profile's current cycle began, for the cycle holding `time`.
    static func anchor(of p: ChargingLimitProfile, stack: ProfileStack, at time: Date, origin: Date?) -> Date {
        switch p.kind {
        case .absolute:
            return p.startSchedule ?? p.installedAt
        case .relative:
            return stack.transaction?.start ?? origin ?? time
        case .recurring(let recurrence):
            let base = p.startSchedule ?? p.installedAt
            let cycles = (time.timeIntervalSince(base) / recurrence.seconds).rounded(.down)
            return base.addingTimeInterval(cycles * recurrence.seconds)
        }
    }

    /// The profile's period in force at `time`; nil outside its validity, its schedule, or
    /// (a TxProfile) without its transaction.
    static func period(of p: ChargingLimitProfile, stack: ProfileStack, at time: Date, origin: Date?) -> ChargingLimitProfile.Period? {
        if let from = p.validFrom, time < from { return nil }
        if let to = p.validTo, time >= to { return nil }
        if p.purpose == .tx {
            guard let transaction = stack.transaction else { return nil }
            if let id = p.transactionId, let running = transaction.id, id != running { return nil }
        }
        let elapsed = time.timeIntervalSince(anchor(of: p, stack: stack, at: time, origin: origin))
        guard elapsed >= 0 else { return nil }
        if let duration = p.duration, elapsed >= TimeInterval(duration) { return nil }
        // The last period starting at or before `elapsed` (periods are sorted).
        var low = 0
        var high = p.periods.count
        while low < high {
            let mid = low + (high - low) / 2
            if TimeInterval(p.periods[mid].start) <= elapsed { low = mid + 1 } else { high = mid }
        }
        return low > 0 ? p.periods[low - 1] : nil
    }

    /// The moments in [from, to] where the profile's limit may change, at most `maxPoints`.
    static func changes(of p: ChargingLimitProfile, stack: ProfileStack, from: Date, to: Date, origin: Date) -> [Date] {
        var times = [p.validFrom, p.validTo].compactMap { $0 }
        var cycleStart = anchor(of: p, stack: stack, at: from, origin: origin)
        let cycle: TimeInterval? = if case .recurring(let r) = p.kind { r.seconds } else { nil }
        while times.count < maxPoints {
            times += p.periods.map { cycleStart.addingTimeInterval(TimeInterval($0.start)) }
            if let duration = p.duration { times.append(cycleStart.addingTimeInterval(TimeInterval(duration))) }
            guard let cycle else { break }
            cycleStart = cycleStart.addingTimeInterval(cycle)
            guard cycleStart <= to else { break }
            times.append(cycleStart)
        }
        return times
    }
}
