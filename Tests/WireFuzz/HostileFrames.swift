import OCPP

/// A seeded generator of OCPP payloads and frames a hostile or broken pile could send:
/// schema-shaped values at their extremes (Int64 bounds, 1e308, negative zero, dates in
/// year 0 and 9999, empty and over-long strings), wrong types, nulls, unknown keys and deep
/// nesting. The same seed gives the same cases, so a failure can be replayed.
public struct HostileFrames {
    private var state: UInt64

    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// SplitMix64: small, fast, and good enough to pick cases.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
    public mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    public mutating func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[below(items.count)] }

    public static let extremeIntegers: [Int64] = [
        .min, .max, 0, -1, 1, Int64(Int32.max), Int64(Int32.min), Int64(Int32.max) + 1, 1 << 53, -(1 << 53), 1_000_000_000_000,
        1_000_000_000_001, 64, 65, 1000, 1001,
    ]
    public static let extremeNumbers: [Double] = [
        1e308, -1e308, .greatestFiniteMagnitude, -0.0, .leastNonzeroMagnitude, .leastNormalMagnitude, 9.3e18, -9.3e18, 1e12, 1e13, 0.5, 1e15 + 0.5,
    ]
    public static let extremeNumberTexts = [
        "1e308", "-1e308", "1e309", "NaN", "nan", "inf", "-inf", "Infinity", "-0", "0x10", "1,5", "", " ", "1e-320",
        "9223372036854775808", "-9223372036854775809", "00000000000000000000000001", "1.7976931348623157e308",
    ]
    public static let extremeDates = [
        "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2000-01-01T00:00:00",
        "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.999999999+14:00", "2026-02-29T12:00:00Z", "2024-02-29T24:00:00Z",
        "2026-06-01 12:00:00", "2026-06-01T12:00:00-23:59", "2026-06-01T12:00:60Z", "not a date", "",
    ]
    public static let extremeStrings = [
        "", " ", String(repeating: "x", count: 5_000), "\u{0}", "é", "🔌⚡️", "\"quoted\"", "\\", "NULL", "Available",
        "Energy.Active.Import.Register", "-9223372036854775808",
    ]

    /// A payload shaped by `schema`, each value at an extreme or (sometimes) of the wrong kind.
    public mutating func payload(for schema: Schema, depth: Int = 0) -> JSON {
        if depth > 6 { return .null }
        if chance(4) { return wrongKind(depth: depth) }
        switch schema {
        case .string(let maxLength, _):
            if let maxLength, chance(20) { return .string(String(repeating: "a", count: maxLength + below(3))) }
            return .string(pick(Self.extremeStrings + Self.extremeNumberTexts) ?? "")
        case .dateTime:
            return .string(pick(Self.extremeDates) ?? "")
        case .enumeration(let values):
            if chance(15) { return .string((pick(values) ?? "").uppercased()) }
            return .string(pick(values) ?? "")
        case .integer:
            if chance(15) { return .number(pick(Self.extremeNumbers) ?? 0) }
            if chance(10) { return .string(pick(Self.extremeNumberTexts) ?? "") }
            return .integer(pick(Self.extremeIntegers) ?? 0)
        case .number:
            return chance(50) ? .number(pick(Self.extremeNumbers) ?? 0) : .integer(pick(Self.extremeIntegers) ?? 0)
        case .boolean:
            return .bool(chance(50))
        case .array(let element, _, _):
            let count = chance(5) ? 40 : below(4)
            return .array((0..<count).map { _ in payload(for: element, depth: depth + 1) })
        case .object(let properties, _):
            var object = JSONObject()
            for property in properties where property.required || chance(60) {
                if chance(2) { continue }  // a required field left out
                object[property.name] = chance(3) ? .null : payload(for: property.schema, depth: depth + 1)
            }
            if chance(5) { object["unexpected\(below(3))"] = wrongKind(depth: depth + 1) }
            return .object(object)
        case .any:
            return wrongKind(depth: depth + 1)
        }
    }

    /// A value of some other kind than expected, or deep nesting.
    public mutating func wrongKind(depth: Int) -> JSON {
        switch below(7) {
        case 0: return .null
        case 1: return .bool(true)
        case 2: return .integer(pick(Self.extremeIntegers) ?? 0)
        case 3: return .number(pick(Self.extremeNumbers) ?? 0)
        case 4: return .string(pick(Self.extremeStrings) ?? "")
        case 5: return .array(depth < 4 ? [wrongKind(depth: depth + 1)] : [])
        default: return Self.nested(depth: 20 + below(200))
        }
    }

    /// Arrays nested `depth` deep.
    public static func nested(depth: Int) -> JSON {
        var value = JSON.array([])
        for _ in 0..<depth { value = .array([value]) }
        return value
    }

    /// A CALL frame of `action` with a hostile payload for `schema`, as text, and the
    /// message id its answer must carry; sometimes the frame itself is broken (truncated,
    /// an id of the wrong kind, an unknown message type), and then no answer is owed by id.
    public mutating func call(id: String, action: String, schema: Schema) -> (text: String, answerId: String?) {
        let payload = payload(for: schema)
        let frame = JSON.array([.integer(2), .string(id), .string(action), payload]).text
        guard chance(3) else { return (frame, id) }
        switch below(4) {
        case 0: return (String(frame.prefix(max(1, frame.count / 2))), nil)
        case 1: return (JSON.array([.integer(2), .integer(pick(Self.extremeIntegers) ?? 0), .string(action), payload]).text, nil)
        case 2: return (JSON.array([.integer(pick(Self.extremeIntegers) ?? 9), .string(id), .string(action), payload]).text, nil)
        default: return (String(repeating: "[", count: 10_000), nil)
        }
    }
}
