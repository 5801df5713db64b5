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

    /// The catalogs of every version this build types.
    static let catalogs = [V16.catalog, V201.catalog]

    func testHostilePayloadsOfEveryActionEitherDecodeOrFailWithAValidationCode() throws {
        for catalog in Self.catalogs {
            var generator = HostileFrames(seed: Self.seed)
            var checked = 0
            var decoded = 0
            let started = Date()
            for name in catalog.names {
                let action = try XCTUnwrap(catalog[name])
                let counts = check(action, &generator, cases: Self.cases)
                checked += counts.checked
                decoded += counts.decoded
            }
            let rate = Double(checked) / max(Date().timeIntervalSince(started), 1e-6)
            let label = catalog.version.label
            print(
                "protocol core fuzz \(label): \(checked) payloads (seed \(Self.seed)), \(decoded) passed validation and decoded, \(Int(rate)) payloads/s"
            )
            XCTAssertGreaterThan(decoded, checked / 50, "\(label): the generator must also produce payloads that pass")
            XCTAssertLessThan(decoded, checked, "\(label): and payloads that do not")
        }
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
            let catalog = Self.catalogs[i % Self.catalogs.count]
            let name = generator.pick(catalog.names) ?? "Heartbeat"
            let schema = catalog[name].map { Self.requestSchema($0) } ?? .emptyObject
            let (text, _) = generator.call(id: "fuzz-\(i)", action: name, schema: schema)
            do {
                _ = try RPCFrame.parse(Array(text.utf8))
                parsed += 1
            } catch {
                refused += 1
                XCTAssertFalse(error.reason.isEmpty, "a refusal says why")
                expectSpecAnswer(error, text)
            }
        }
        XCTAssertGreaterThan(parsed, 0)
        XCTAssertGreaterThan(refused, 0, "some frames are broken on purpose")
    }

    /// Each version answers a broken frame as its spec says: 1.6 ignores an unknown message
    /// type and answers the rest with FormationViolation; 2.0.1 answers an unknown type with
    /// MessageTypeNotSupported and the rest with RpcFrameworkError; the id is echoed or "-1".
    func expectSpecAnswer(_ error: RPCFrameError, _ text: String) {
        let v201 = error.reply(for: .v201)?.json(for: .v201)
        XCTAssertEqual(v201?.arrayValue?[1], .string(error.messageId ?? "-1"), text)
        if case .unknownMessageType = error.kind {
            XCTAssertNil(error.reply(for: .v16), "1.6 ignores \(text.prefix(80))")
            XCTAssertEqual(v201?.arrayValue?[2], "MessageTypeNotSupported", text)
        } else {
            XCTAssertEqual(error.reply(for: .v16)?.json(for: .v16).arrayValue?[2], "FormationViolation", text)
            XCTAssertEqual(v201?.arrayValue?[2], "RpcFrameworkError", text)
        }
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
