import struct Foundation.Date

/// What a real pile can send. Every number and time from the wire is untrusted: it is
/// checked against these bounds where it enters the domain, so nothing past them reaches
/// arithmetic that could trap, loop or allocate without bound. docs/wire-values.md says
/// what the gateway does with a value outside them.
public enum WireBounds {
    /// Energy registers (meterStart, meterStop, Energy.* readings) in Wh: a terawatt-hour
    /// is far beyond any pile's lifetime and far inside Int64 and Double precision.
    public static let energyWh: ClosedRange<Int64> = 0...1_000_000_000_000
    /// Any other sampled value (power, current, voltage, temperature, SoC …), either sign,
    /// after unit normalisation.
    public static let sampleMagnitude: Double = 1e12
    /// Connector (and EVSE) ids: the largest cabinet in the field has a few dozen outlets.
    public static let connectorId: ClosedRange<Int> = 0...1_000
    /// Intervals and durations a pile reports, in seconds: up to a year.
    public static let intervalSeconds: ClosedRange<Int64> = 0...31_622_400

    /// Whether `value` may stand as an energy register reading.
    public static func isEnergyRegister(_ value: Double) -> Bool {
        value.isFinite && value >= Double(energyWh.lowerBound) && value <= Double(energyWh.upperBound)
    }

    /// Whether a sampled value of `measurand` (unit already normalised) is one a pile can send.
    public static func isPlausibleSample(_ value: Double, measurand: String) -> Bool {
        guard value.isFinite else { return false }
        if measurand.hasPrefix("Energy.") && measurand.hasSuffix(".Register") { return isEnergyRegister(value) }
        return abs(value) <= sampleMagnitude
    }
}

/// A window around the gateway's clock that pile timestamps must fall in. Outside it a
/// timestamp is replaced by the receive time (with a finding): a pile whose clock says
/// 1970 or 9999 must not make billing walk millennia of tariff slots.
public struct TimestampWindow: Sendable, Equatable {
    public var behind: Double
    public var ahead: Double

    public init(behindSeconds: Double, aheadSeconds: Double) {
        behind = max(0, behindSeconds)
        ahead = max(0, aheadSeconds)
    }

    /// A year either way: room for a long offline queue and for simulated clocks at high speed.
    public static let standard = TimestampWindow(behindSeconds: 366 * 86_400, aheadSeconds: 366 * 86_400)

    public func contains(_ time: Date, around now: Date) -> Bool {
        let offset = time.timeIntervalSince(now)
        return offset.isFinite && offset >= -behind && offset <= ahead
    }
}

/// Arithmetic on stored or wire-derived integers that cannot trap: results past Int64
/// stop at its bounds.
extension Int64 {
    public func saturatingAdd(_ other: Int64) -> Int64 {
        let (result, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : result
    }

    public func saturatingSubtract(_ other: Int64) -> Int64 {
        let (result, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other < 0 ? .max : .min) : result
    }

    public func saturatingMultiply(_ other: Int64) -> Int64 {
        let (result, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self < 0) == (other < 0) ? .max : .min) : result
    }

    /// The nearest Int64 to a Double, without trapping: NaN is nil, infinities and values
    /// past Int64 stop at its bounds.
    public init?(saturating value: Double) {
        guard !value.isNaN else { return nil }
        if value >= 0x1p63 {
            self = .max
        } else if value < -0x1p63 {
            self = .min
        } else {
            self.init(value.rounded())
        }
    }
}

extension Double {
    /// A whole-number rendering for messages, safe for any value (`Int(self)` traps on NaN or huge values).
    public var wholeText: String {
        guard isFinite else { return "\(self)" }
        return abs(self) < 1e15 ? String(Int64(rounded())) : "\(self)"
    }
}
