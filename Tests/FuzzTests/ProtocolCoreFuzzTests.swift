import Foundation
import OCPP
import WireFuzz
import XCTest

/// Properties of the protocol core on hostile input (HostileFrames): nothing traps, every
/// refusal carries an OCPP error code, and what validation passes always decodes.
/// `PILEGATE_FUZZ_CASES` sets the cases per action and schema (default 200);
/// `PILEGATE_FUZZ_SEED` replays a run.
final class ProtocolCoreFuzzTests: XCTestCase {
    static var cases: Int { ProcessInfo.processInfo.environment["PILEGATE_FUZZ_CASES"].flatMap(Int.init) ?? 200 }
    static var seed: UInt64 { ProcessInfo.processInfo.environment["PILEGATE_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x5EED }

    static let validationCodes: Set<RPCErrorCode> = [
        .formatViolation, .occurrenceConstraintViolation, .typeConstraintViolation, .propertyConstraintViolation,
    ]

    func testHostilePayloadsOfEveryActionEitherDecodeOrFailWithAValidationCode() throws {
        var generator = HostileFrames(seed: Self.seed)
        var checked = 0
        var decoded = 0
        let started = Date()
        for name in V16.catalog.names {
            let action = try XCTUnwrap(V16.catalog[name])
            let counts = check(action, &generator, cases: Self.cases)
            checked += counts.checked
            decoded += counts.decoded
        }
        let rate = Double(checked) / max(Date().timeIntervalSince(started), 1e-6)
        print("protocol core fuzz: \(checked) payloads (seed \(Self.seed)), \(decoded) passed validation and decoded, \(Int(rate)) payloads/s")
        XCTAssertGreaterThan(decoded, checked / 50, "the generator must also produce payloads that pass")
        XCTAssertLessThan(decoded, checked, "and payloads that do not")
    }

    /// Requests and responses of one action, in both modes. Returns how many were checked.
    func check<A: OCPPAction>(_ action: A.Type, _ generator: inout HostileFrames, cases: Int) -> (checked: Int, decoded: Int) {
        var decoded = 0
        for _ in 0..<cases {
            let request = generator.payload(for: A.Request.schema)
            let response = generator.payload(for: A.Response.schema)
            for mode in [ValidationMode.lenient, .strict] {
                if expectDecodesOrRefuses(A.name, request, as: A.Request.self, mode) { decoded += 1 }
                if expectDecodesOrRefuses(A.name, response, as: A.Response.self, mode) { decoded += 1 }
            }
        }
        return (cases * 4, decoded)
    }

    /// Validation refuses with one of the four validation codes, or its result decodes:
    /// a payload that passes its schema but not its type means the two disagree, a bug of ours.
    @discardableResult
    func expectDecodesOrRefuses<P: OCPPPayload>(_ name: String, _ payload: JSON, as type: P.Type, _ mode: ValidationMode) -> Bool {
        let repaired: JSON
        do {
            (repaired, _) = try SchemaValidator.validate(payload, against: P.schema, mode: mode)
        } catch {
            XCTAssertTrue(Self.validationCodes.contains(error.code), "\(name) (\(mode)): \(error.code) for \(payload.text.prefix(200))")
            return false
        }
        do {
            _ = try JSONValueDecoder().decode(P.self, from: repaired)
            return true
        } catch {
            XCTFail("\(name) (\(mode)): passed its schema but did not decode: \(error) for \(payload.text.prefix(200))")
            return false
        }
    }

    static func requestSchema<A: OCPPAction>(_ action: A.Type) -> Schema { A.Request.schema }

    func testHostileFramesParseOrFailWithoutTrapping() {
        var generator = HostileFrames(seed: Self.seed ^ 0xF8A3E)
        var parsed = 0
        var refused = 0
        for i in 0..<(Self.cases * 20) {
            let name = generator.pick(V16.catalog.names) ?? "Heartbeat"
            let schema = V16.catalog[name].map { Self.requestSchema($0) } ?? .emptyObject
            let (text, _) = generator.call(id: "fuzz-\(i)", action: name, schema: schema)
            do {
                _ = try RPCFrame.parse(Array(text.utf8))
                parsed += 1
            } catch {
                refused += 1
                XCTAssertFalse(error.reason.isEmpty, "a refusal says why")
            }
        }
        XCTAssertGreaterThan(parsed, 0)
        XCTAssertGreaterThan(refused, 0, "some frames are broken on purpose")
    }

    func testDeepNestingIsRefusedNotRecursedInto() {
        for depth in [JSONParser.maximumDepth - 1, JSONParser.maximumDepth + 1, 100_000] {
            let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            do {
                _ = try JSONParser.parse(text)
                XCTAssertLessThanOrEqual(depth, JSONParser.maximumDepth, "depth \(depth) parsed")
            } catch {
                XCTAssertGreaterThan(depth, JSONParser.maximumDepth, "depth \(depth): \(error)")
            }
        }
    }

    func testExtremeTimestampsParseWithinTheCalendarAndFormatBack() {
        for text in HostileFrames.extremeDates {
            guard let stamp = OCPPTimestamp.parse(text) else { continue }
            let written = OCPPTimestamp.format(stamp.date)
            XCTAssertNotNil(OCPPTimestamp.parse(written), "\(text) → \(written)")
        }
        for seconds in [-1e300, -62_167_219_201, 0, 253_402_300_800, 1e300, .nan, .infinity] {
            let written = OCPPTimestamp.format(Date(timeIntervalSince1970: seconds))
            XCTAssertNotNil(OCPPTimestamp.parse(written), "\(seconds) → \(written)")
        }
    }

    func testSaturatingArithmeticNeverTraps() {
        let values = HostileFrames.extremeIntegers
        for a in values {
            for b in values {
                let sum = a.saturatingAdd(b)
                let product = a.saturatingMultiply(b)
                let difference = a.saturatingSubtract(b)
                if a > 0 && b > 0 { XCTAssertGreaterThan(sum, 0) }
                if (a > 0 && b > 0) || (a < 0 && b < 0) { XCTAssertGreaterThanOrEqual(product, 0, "\(a) × \(b)") }
                if a >= 0 && b < 0 { XCTAssertGreaterThan(difference, 0, "\(a) − \(b)") }
            }
        }
        for value in HostileFrames.extremeNumbers + [.nan, .infinity, -.infinity] {
            let converted = Int64(saturating: value)
            XCTAssertEqual(converted == nil, value.isNaN, "\(value)")
            _ = value.wholeText
        }
    }
}
