import ArgumentParser
import Foundation
import OCPP

/// Numbers from the command line, checked as they are parsed: the message says what the
/// option accepts (`--speed -1` is "must be a positive number", not "Missing value"), and
/// nothing out of range reaches arithmetic that could trap. Options using these parse
/// their value unconditionally, so a leading `-` is read as a (negative) value.
enum Arguments {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// A whole number in `range`, or the rule `what` as the error.
    static func integer<T: FixedWidthInteger>(_ text: String, _ range: ClosedRange<T>, _ what: String) throws -> T {
        guard let value = T(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw Invalid(description: what)
        }
        return value
    }

    /// A finite number above zero and at most `maximum`.
    static func positive(_ text: String, maximum: Double, _ what: String) throws -> Double {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, value > 0, value <= maximum else {
            throw Invalid(description: what)
        }
        return value
    }

    static func port(_ text: String) throws -> Int {
        try integer(text, 0...65535, "a port is a whole number from 1 to 65535 (or 0 for any free port)")
    }

    static let maximumSpeed = 1_000_000.0

    static func speed(_ text: String) throws -> Double {
        try positive(
            text, maximum: maximumSpeed,
            "the speed must be a positive number up to 1000000: simulated time runs that many times faster than wall time (e.g. 60)")
    }

    /// A fleet this size is planned in memory whole, so it is bounded.
    static let maximumPiles = 1_000_000

    static func pileCount(_ text: String) throws -> Int {
        try integer(text, 1...maximumPiles, "the number of piles must be a whole number from 1 to 1000000")
    }

    static func scale(_ text: String) throws -> Double {
        try positive(text, maximum: 1000, "the scale must be a positive factor up to 1000 (e.g. 0.01 for a hundredth of the fleet)")
    }

    static func ramp(_ text: String) throws -> Double {
        try positive(text, maximum: 100_000, "the ramp must be a positive number of piles connected per second, up to 100000")
    }

    static func seed(_ text: String) throws -> UInt64 {
        try integer(text, 0...UInt64.max, "a seed is a whole number from 0 to 18446744073709551615")
    }

    /// `90`, `90s`, `5m`, `1h` (also fractions: `1.5m`), at most a year; in seconds.
    static func duration(_ text: String) throws -> Double {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let unit = trimmed.last.flatMap { units[$0] }
        let number = unit == nil ? trimmed : String(trimmed.dropLast())
        let rule = "a duration looks like 90, 90s, 5m or 1h (wall clock), above zero and at most 8760h"
        guard let value = Double(number), value.isFinite, value > 0 else { throw Invalid(description: rule) }
        let seconds = value * (unit ?? 1)
        guard seconds <= 8760 * 3600 else { throw Invalid(description: rule) }
        return seconds
    }

    /// `1.6`, `2.0.1`, or the subprotocol names `ocpp1.6`, `ocpp2.0.1`.
    static func ocppVersion(_ text: String) throws -> OCPPVersion {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let version = OCPPVersion.allCases.first(where: { $0.label == trimmed || $0.subprotocol == trimmed }) else {
            throw Invalid(description: "an OCPP version is 1.6 or 2.0.1 (or ocpp1.6, ocpp2.0.1)")
        }
        return version
    }

    /// `i/n` with 1 ≤ i ≤ n: run shard i of n.
    static func shard(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let index = parts[0], let count = parts[1], count >= 1, count <= maximumPiles, (1...count).contains(index) else {
            throw Invalid(description: "a shard is i/n with 1 ≤ i ≤ n (e.g. 2/4: the second of four parts)")
        }
        return Shard(index: index, count: count)
    }

    struct Shard: Sendable, CustomStringConvertible {
        /// 1-based, as written.
        let index: Int
        let count: Int
        var description: String { "\(index)/\(count)" }
    }
}

/// A problem met while running (a file, a folder, a store): printed as `Error: …`, without
/// the usage text an option mistake gets, and the exit status is 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
