import struct Foundation.Date

/// OCPP date-times: read leniently, written strictly.
///
/// Chargers send local times without a zone, offsets like `+08`, a space instead of `T`
/// or nine fraction digits (docs/ocpp-notes.md, pitfalls 3 and 4). We take all of these, say
/// which deviation we saw so the gateway can record it, and always write
/// `YYYY-MM-DDThh:mm:ss.sssZ`.
public struct OCPPTimestamp: Sendable, Equatable {
    public let date: Date
    public let deviations: Set<Deviation>

    public enum Deviation: String, Sendable, Hashable, CaseIterable {
        /// No zone designator: read as UTC, though the charger may have meant local time.
        case missingZone
        /// An offset other than `Z`/`+00:00`, or one written without a colon (`+0800`, `+08`).
        case nonUTCOffset
        /// More than three fraction digits (OCPP 2.0.1 allows at most three).
        case excessFractionDigits
        /// A space, not `T`, between date and time, a decimal comma, or seconds left out.
        case nonStandardLayout
    }

    /// Parses an ISO 8601 / RFC 3339 date-time. Returns nil when the text is not a date at all.
    public static func parse(_ text: String) -> OCPPTimestamp? {
        var deviations = Set<Deviation>()
        let bytes = Array(text.utf8)
        var i = 0

        func digits(_ count: Int) -> Int? {
            guard i + count <= bytes.count else { return nil }
            var value = 0
            for k in 0..<count {
                let b = bytes[i + k]
                guard b >= 0x30, b <= 0x39 else { return nil }
                value = value * 10 + Int(b - 0x30)
            }
            i += count
            return value
        }
        func expect(_ char: Character) -> Bool {
            guard i < bytes.count, bytes[i] == UInt8(ascii: char.unicodeScalars.first ?? " ") else { return false }
            i += 1
            return true
        }

        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2) else { return nil }
        guard i < bytes.count else { return nil }
        if bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: "t") {
            i += 1
        } else if bytes[i] == UInt8(ascii: " ") {
            i += 1
            deviations.insert(.nonStandardLayout)
        } else {
            return nil
        }
        guard let hour = digits(2), expect(":"), let minute = digits(2) else { return nil }
        var second = 0
        var fraction = 0.0
        if expect(":") {
            guard let s = digits(2) else { return nil }
            second = s
            let decimalComma = expect(",")
            if decimalComma || expect(".") {
                // ISO 8601 allows a decimal comma; RFC 3339 does not.
                if decimalComma { deviations.insert(.nonStandardLayout) }
                var scale = 0.1
                var count = 0
                while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                    fraction += Double(bytes[i] - 0x30) * scale
                    scale /= 10
                    count += 1
                    i += 1
                }
                guard count > 0 else { return nil }
                if count > 3 { deviations.insert(.excessFractionDigits) }
            }
        } else {
            deviations.insert(.nonStandardLayout)
        }
        guard (1...12).contains(month), (1...31).contains(day), hour <= 23, minute <= 59, second <= 60 else { return nil }
        // No 30 February or 31 April: a day the month does not have would roll into the next month.
        guard civilFromDays(daysFromCivil(year: year, month: month, day: day)) == (year, month, day) else { return nil }

        var offsetSeconds = 0
        if i == bytes.count {
            deviations.insert(.missingZone)
        } else if bytes[i] == UInt8(ascii: "Z") || bytes[i] == UInt8(ascii: "z") {
            i += 1
        } else if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
            let sign = bytes[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let offsetHours = digits(2), offsetHours <= 23 else { return nil }
            var offsetMinutes = 0
            if expect(":") {
                guard let m = digits(2) else { return nil }
                offsetMinutes = m
            } else if let m = digits(2) {
                offsetMinutes = m
                deviations.insert(.nonUTCOffset)
            } else {
                deviations.insert(.nonUTCOffset)
            }
            guard offsetMinutes <= 59 else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
            if offsetSeconds != 0 { deviations.insert(.nonUTCOffset) }
        } else {
            return nil
        }
        guard i == bytes.count else { return nil }

        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds) + fraction
        return OCPPTimestamp(date: Date(timeIntervalSince1970: seconds), deviations: deviations)
    }

    /// `YYYY-MM-DDThh:mm:ss.sssZ`, the form every OCPP version accepts.
    public static func format(_ date: Date) -> String {
        // Snap to whole microseconds before truncating to milliseconds, so binary noise in the
        // Double (8555547.006 is stored as 8555547.0059999991...) cannot lose a millisecond.
        // Years 0000 to 9999, the range the format can show: a stored or computed date past
        // them is written at the nearest end rather than trapping on the conversion.
        let seconds = date.timeIntervalSince1970
        let bounded = seconds.isNaN ? 0 : Swift.min(Swift.max(seconds, -62_167_219_200), 253_402_300_799.999)
        let totalMillis = Int64(((bounded * 1_000_000).rounded() / 1000).rounded(.down))
        let millis = Int(((totalMillis % 1000) + 1000) % 1000)
        let totalSeconds = (totalMillis - Int64(millis)) / 1000
        let secondsOfDay = Int(((totalSeconds % 86_400) + 86_400) % 86_400)
        let days = Int((totalSeconds - Int64(secondsOfDay)) / 86_400)
        let (year, month, day) = civilFromDays(days)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondsOfDay / 3600, 2)):"
            + "\(pad(secondsOfDay / 60 % 60, 2)):\(pad(secondsOfDay % 60, 2)).\(pad(millis, 3))Z"
    }

    // Howard Hinnant's civil-calendar algorithms: exact for the proleptic Gregorian calendar.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
