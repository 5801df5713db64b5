import struct Foundation.Date
import struct Foundation.TimeInterval

/// A charging profile in terms both versions share (1.6 §3.13 and §7.8, 2.0.1 K and
/// §2.10): what the composite schedule needs, and nothing of the wire's spelling. Built
/// from a 1.6 or 2.0.1 profile as the pile accepted it.
public struct ChargingLimitProfile: Sendable, Equatable {
    /// What the profile limits: the whole pile (1.6 ChargePointMaxProfile, 2.0.1
    /// ChargingStationMaxProfile), a transaction by default or in particular, or the limit
    /// an energy manager outside OCPP set (2.0.1 only).
    public enum Purpose: String, Sendable, CaseIterable {
        case stationMax, txDefault, tx, externalConstraints
    }

    public enum Kind: Sendable, Equatable {
        /// Periods count from `startSchedule` (or, without one, from when the pile took it).
        case absolute
        /// Periods count from the transaction's start (or the composite's, without one).
        case relative
        /// Periods count from the last daily or weekly repetition of `startSchedule`.
        case recurring(Recurrence)
    }

    public enum Recurrence: Sendable, Equatable {
        case daily, weekly

        public var seconds: TimeInterval { self == .daily ? 86_400 : 7 * 86_400 }
    }

    public enum RateUnit: String, Sendable, CaseIterable {
        /// Amperes per phase.
        case amperes = "A"
        case watts = "W"
    }

    public struct Period: Sendable, Equatable {
        /// Seconds from the schedule's start.
        public var start: Int
        public var limit: Double
        /// Phases the limit allows (AC); nil: three (1.6 §7.11, 2.0.1 §2.12).
        public var phases: Int?

        public init(start: Int, limit: Double, phases: Int? = nil) {
            self.start = start
            self.limit = limit
            self.phases = phases
        }
    }

    public var id: Int
    public var stackLevel: Int
    public var purpose: Purpose
    public var kind: Kind
    public var validFrom: Date?
    public var validTo: Date?
    /// A TxProfile's transaction (1.6 integers as text); nil: whichever transaction runs.
    public var transactionId: String?
    public var startSchedule: Date?
    /// Seconds the schedule lasts; nil: until the next one or for ever.
    public var duration: Int?
    public var unit: RateUnit
    /// Sorted by `start`.
    public var periods: [Period]
    /// The slowest rate the car charges at, in `unit`; a lower limit pauses charging.
    public var minChargingRate: Double?
    /// When the pile took the profile: an Absolute or Recurring one without a start starts here.
    public var installedAt: Date

    public init(
        id: Int, stackLevel: Int, purpose: Purpose, kind: Kind, validFrom: Date? = nil, validTo: Date? = nil, transactionId: String? = nil,
        startSchedule: Date? = nil, duration: Int? = nil, unit: RateUnit, periods: [Period], minChargingRate: Double? = nil, installedAt: Date
    ) {
        self.id = id
        self.stackLevel = stackLevel
        self.purpose = purpose
        self.kind = kind
        self.validFrom = validFrom
        self.validTo = validTo
        self.transactionId = transactionId
        self.startSchedule = startSchedule
        self.duration = duration
        self.unit = unit
        self.periods = periods.sorted { $0.start < $1.start }
        self.minChargingRate = minChargingRate
        self.installedAt = installedAt
    }
}

extension ChargingLimitProfile {
    /// Why a pile refuses a profile it can parse (1.6 §5.16 and 2.0.1 K01 leave the answer
    /// Rejected; the reason is for the log and the finding).
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case noPeriods, firstPeriodNotAtStart, periodsNotIncreasing, negativeLimit, recurringWithoutStart, badPhases, negativeDuration

        public var description: String {
            switch self {
            case .noPeriods: "the schedule has no periods"
            case .firstPeriodNotAtStart: "the first period does not start at 0"
            case .periodsNotIncreasing: "startPeriod values are not strictly increasing"
            case .negativeLimit: "a limit is negative or not a number"
            case .recurringWithoutStart: "a Recurring profile needs recurrencyKind and startSchedule"
            case .badPhases: "numberPhases is not 1, 2 or 3"
            case .negativeDuration: "duration is negative"
            }
        }
    }

    /// Checks what the schemas cannot: the periods' order, non-negative limits, phases 1–3,
    /// a recurring profile's anchor. Wire values are untrusted; the composite relies on this.
    public func validated() throws(Refusal) -> ChargingLimitProfile {
        guard let first = periods.first else { throw .noPeriods }
        guard first.start == 0 else { throw .firstPeriodNotAtStart }
        for (a, b) in zip(periods, periods.dropFirst()) where b.start <= a.start { throw .periodsNotIncreasing }
        for p in periods {
            guard p.limit.isFinite, p.limit >= 0 else { throw .negativeLimit }
            if let phases = p.phases, !(1...3).contains(phases) { throw .badPhases }
        }
        if let duration, duration < 0 { throw .negativeDuration }
        if case .recurring = kind, startSchedule == nil { throw .recurringWithoutStart }
        return self
    }

    /// A 1.6 profile; `time` maps the wire's times into the reader's clock (a simulator's
    /// virtual time). A Recurring profile without recurrencyKind counts as Daily; `validated` refuses it earlier where that matters.
    public init(_ p: V16.ChargingProfile, installedAt: Date, time: (Date) -> Date = { $0 }) {
        let kind: Kind =
            switch p.chargingProfileKind {
            case .Absolute: .absolute
            case .Relative: .relative
            case .Recurring: .recurring(p.recurrencyKind == .Weekly ? .weekly : .daily)
            }
        let purpose: Purpose =
            switch p.chargingProfilePurpose {
            case .ChargePointMaxProfile: .stationMax
            case .TxDefaultProfile: .txDefault
            case .TxProfile: .tx
            }
        let s = p.chargingSchedule
        self.init(
            id: p.chargingProfileId, stackLevel: p.stackLevel, purpose: purpose, kind: kind, validFrom: p.validFrom.map(time),
            validTo: p.validTo.map(time), transactionId: p.transactionId.map(String.init), startSchedule: s.startSchedule.map(time),
            duration: s.duration, unit: s.chargingRateUnit == .A ? .amperes : .watts,
            periods: s.chargingSchedulePeriod.map { Period(start: $0.startPeriod, limit: $0.limit, phases: $0.numberPhases) },
            minChargingRate: s.minChargingRate, installedAt: installedAt)
    }

    /// A 2.0.1 profile; of its (up to three, ISO 15118) schedules the first is the one in force.
    public init?(_ p: V201.ChargingProfile, installedAt: Date, time: (Date) -> Date = { $0 }) {
        guard let s = p.chargingSchedule.first else { return nil }
        let kind: Kind =
            switch p.chargingProfileKind {
            case .absolute: .absolute
            case .relative: .relative
            case .recurring: .recurring(p.recurrencyKind == .weekly ? .weekly : .daily)
            }
        let purpose: Purpose =
            switch p.chargingProfilePurpose {
            case .chargingStationMaxProfile: .stationMax
            case .txDefaultProfile: .txDefault
            case .txProfile: .tx
            case .chargingStationExternalConstraints: .externalConstraints
            }
        self.init(
            id: p.id, stackLevel: p.stackLevel, purpose: purpose, kind: kind, validFrom: p.validFrom.map(time), validTo: p.validTo.map(time),
            transactionId: p.transactionId, startSchedule: s.startSchedule.map(time), duration: s.duration,
            unit: s.chargingRateUnit == .a ? .amperes : .watts,
            periods: s.chargingSchedulePeriod.map { Period(start: $0.startPeriod, limit: $0.limit, phases: $0.numberPhases) },
            minChargingRate: s.minChargingRate, installedAt: installedAt)
    }

    /// A profile as either version's JSON carries it (a stored record, an API body);
    /// nil when it does not decode as that version's type.
    public init?(json: JSON, version: OCPPVersion, installedAt: Date) {
        switch version {
        case .v16:
            guard let p = try? JSONValueDecoder().decode(V16.ChargingProfile.self, from: json) else { return nil }
            self.init(p, installedAt: installedAt)
        case .v201:
            guard let p = try? JSONValueDecoder().decode(V201.ChargingProfile.self, from: json) else { return nil }
            self.init(p, installedAt: installedAt)
        }
    }
}
