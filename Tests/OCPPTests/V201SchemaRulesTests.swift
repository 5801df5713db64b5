import XCTest

@testable import OCPP

/// Every 2.0.1 action's schemas, checked from payloads built from the schemas themselves:
/// valid ones pass and decode without losing a field, and each kind of violation is refused
/// with the CALLERROR code 2.0.1 names, spelled the 2.0.1 way on the wire.
final class V201SchemaRulesTests: XCTestCase {
    /// Each action's request and response schema, with a label for messages.
    var payloads: [(label: String, schema: Schema, decode: (JSON) throws -> JSON)] {
        V201.catalog.names.compactMap { V201.catalog[$0] }.flatMap { Self.payloads(of: $0) }
    }

    static func payloads<A: OCPPAction>(of _: A.Type) -> [(label: String, schema: Schema, decode: (JSON) throws -> JSON)] {
        [
            ("\(A.name) request", A.Request.schema, { try JSONValueEncoder().encode(JSONValueDecoder().decode(A.Request.self, from: $0)) }),
            ("\(A.name) response", A.Response.schema, { try JSONValueEncoder().encode(JSONValueDecoder().decode(A.Response.self, from: $0)) }),
        ]
    }

    /// The CALLERROR a 2.0.1 peer would get for this violation: `[4, id, code, description, details]`.
    func wireCode(_ error: ValidationError) -> JSON? {
        RPCFrame.callError(messageId: "m-1", error: error.rpcError).json(for: .v201).arrayValue?[2]
    }

    /// Validates strictly and expects `code` at `path`, spelled `wire` in a 2.0.1 CALLERROR.
    func expectRefusal(
        _ json: JSON, _ schema: Schema, code: RPCErrorCode, wire: String, path: String, _ label: String,
        modes: [ValidationMode] = [.strict], file: StaticString = #filePath, line: UInt = #line
    ) {
        for mode in modes {
            guard let error = validationError(json, schema, mode) else {
                return XCTFail("\(label) (\(mode)): \(json.text.prefix(300)) passed", file: file, line: line)
            }
            XCTAssertEqual(error.code, code, "\(label) (\(mode)): \(error)", file: file, line: line)
            XCTAssertEqual(error.path, path, "\(label) (\(mode))", file: file, line: line)
            XCTAssertEqual(wireCode(error), .string(wire), "\(label) (\(mode))", file: file, line: line)
        }
    }

    func testMinimalAndFullPayloadsOfEveryActionPassStrictlyAndDecode() {
        XCTAssertEqual(payloads.count, 128)
        for (label, schema, decode) in payloads {
            for (kind, json) in [("minimal", SchemaSamples.minimal(schema)), ("full", SchemaSamples.full(schema))] {
                do {
                    let (checked, deviations) = try SchemaValidator.validate(json, against: schema, mode: .strict)
                    XCTAssertEqual(deviations, [], "\(label) \(kind)")
                    let again = try decode(checked)
                    // Decoding and encoding again keeps every member (customData's extras too).
                    XCTAssertEqual(
                        SchemaSamples.canonical(again, schema), SchemaSamples.canonical(json, schema), "\(label) \(kind)")
                    XCTAssertEqual(try SchemaValidator.validate(again, against: schema, mode: .strict).1, [], "\(label) \(kind)")
                } catch {
                    XCTFail("\(label) \(kind): \(error) for \(json.text.prefix(300))")
                }
            }
        }
    }

    func testEveryMissingRequiredFieldIsAnOccurrenceConstraintViolation() {
        var checked = 0
        for (label, schema, _) in payloads {
            let full = SchemaSamples.full(schema)
            guard case .object(let top, _) = schema else { continue }
            for property in top where property.required {
                let without = SchemaSamples.replacing([.key(property.name)], in: full, with: nil)
                expectRefusal(
                    without, schema, code: .occurrenceConstraintViolation, wire: "OccurrenceConstraintViolation",
                    path: property.name, label, modes: [.strict, .lenient])
                checked += 1
            }
            for site in SchemaSamples.sites(schema) where site.required && site.steps.count > 1 {
                expectRefusal(
                    SchemaSamples.replacing(site, in: full, with: nil), schema, code: .occurrenceConstraintViolation,
                    wire: "OccurrenceConstraintViolation", path: site.path, label, modes: [.strict, .lenient])
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 800)
    }

    func testEveryValueOffItsEnumerationIsAPropertyConstraintViolation() {
        var checked = 0
        for (label, schema, _) in payloads {
            let full = SchemaSamples.full(schema)
            for site in SchemaSamples.sites(schema) {
                guard case .enumeration = site.schema else { continue }
                expectRefusal(
                    SchemaSamples.replacing(site, in: full, with: "NotAValueOfThisEnum"), schema,
                    code: .propertyConstraintViolation, wire: "PropertyConstraintViolation", path: site.path, label,
                    modes: [.strict, .lenient])
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 150)
    }

    func testEveryFieldOfTheWrongJSONTypeIsATypeConstraintViolation() {
        var checked = 0
        for (label, schema, _) in payloads {
            let full = SchemaSamples.full(schema)
            for site in SchemaSamples.sites(schema) {
                let wrong: JSON
                switch site.schema {
                case .string, .dateTime, .enumeration, .integer, .number, .array: wrong = .bool(false)
                case .boolean: wrong = ["not": "a boolean"]
                case .object, .any: continue  // a non-object where an object belongs is a FormatViolation
                }
                expectRefusal(
                    SchemaSamples.replacing(site, in: full, with: wrong), schema, code: .typeConstraintViolation,
                    wire: "TypeConstraintViolation", path: site.path, label, modes: [.strict, .lenient])
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 1000)
    }

    func testEveryStringBeyondItsMaxLengthIsRefusedStrictlyAndRepairedLeniently() {
        var checked = 0
        for (label, schema, _) in payloads {
            let full = SchemaSamples.full(schema)
            for site in SchemaSamples.sites(schema) {
                guard case .string(let maxLength?, _) = site.schema else { continue }
                let long = SchemaSamples.replacing(site, in: full, with: .string(String(repeating: "x", count: maxLength + 1)))
                expectRefusal(long, schema, code: .propertyConstraintViolation, wire: "PropertyConstraintViolation", path: site.path, label)
                do {
                    let (_, deviations) = try SchemaValidator.validate(long, against: schema, mode: .lenient)
                    XCTAssertEqual(deviations.map(\.kind), [.stringTooLong], label)
                    XCTAssertEqual(deviations.first?.path, site.path, label)
                } catch {
                    XCTFail("\(label) lenient: \(error)")
                }
                let exact = SchemaSamples.replacing(site, in: full, with: .string(String(repeating: "x", count: maxLength)))
                XCTAssertNil(validationError(exact, schema, .strict), "\(label): \(maxLength) characters at \(site.path) are allowed")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 550)
    }

    func testIntegersOutsideTheirBoundsAreAPropertyConstraintViolation() {
        var checked = 0
        for (label, schema, _) in payloads {
            let full = SchemaSamples.full(schema)
            for site in SchemaSamples.sites(schema) {
                guard case .integer(let minimum, let maximum) = site.schema else { continue }
                for bad in [minimum.map { $0 - 1 }, maximum.map { $0 + 1 }].compactMap({ $0 }) {
                    expectRefusal(
                        SchemaSamples.replacing(site, in: full, with: .integer(bad)), schema, code: .propertyConstraintViolation,
                        wire: "PropertyConstraintViolation", path: site.path, label, modes: [.strict, .lenient])
                    checked += 1
                }
            }
        }
        // SalesTariffEntry.ePriceLevel ≥ 0 (in the five schemas with a charging schedule) and the
        // three 0…100 state-of-charge fields of DCChargingParameters.
        XCTAssertEqual(checked, 5 + 3 * 2)
    }

    func testArraysOutsideTheirItemCountsAreAnOccurrenceConstraintViolation() {
        var checked = 0
        for (label, schema, _) in payloads {
            let full = SchemaSamples.full(schema)
            for site in SchemaSamples.sites(schema) {
                guard case .array(let element, let minItems, let maxItems) = site.schema else { continue }
                if minItems > 0 {
                    expectRefusal(
                        SchemaSamples.replacing(site, in: full, with: .array([])), schema, code: .occurrenceConstraintViolation,
                        wire: "OccurrenceConstraintViolation", path: site.path, label, modes: [.strict, .lenient])
                    checked += 1
                }
                if let maxItems {
                    let item = SchemaSamples.full(element)
                    expectRefusal(
                        SchemaSamples.replacing(site, in: full, with: .array(Array(repeating: item, count: maxItems + 1))), schema,
                        code: .occurrenceConstraintViolation, wire: "OccurrenceConstraintViolation", path: site.path, label,
                        modes: [.strict, .lenient])
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 90)
    }

    func testUnknownMembersAreRefusedStrictlyExceptInsideCustomData() {
        var checked = 0
        for (label, schema, _) in payloads {
            let full = SchemaSamples.full(schema)
            let root = SchemaSamples.Site(steps: [], schema: schema, required: true)
            for site in [root] + SchemaSamples.sites(schema) {
                guard case .object(_, let open) = site.schema else { continue }
                let extended = SchemaSamples.replacing(site.steps + [.key("notInTheSchema")], in: full, with: 1)
                let path = site.path.isEmpty ? "notInTheSchema" : "\(site.path).notInTheSchema"
                if open {
                    XCTAssertNil(validationError(extended, schema, .strict), "\(label): customData takes any member at \(path)")
                } else {
                    expectRefusal(extended, schema, code: .formatViolation, wire: "FormatViolation", path: path, label)
                }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 600)
    }

    func testCustomDataWithoutVendorIdIsRefused() {
        let heartbeat: JSON = ["customData": ["note": "no vendor"]]
        expectRefusal(
            heartbeat, V201.Heartbeat.Request.schema, code: .occurrenceConstraintViolation,
            wire: "OccurrenceConstraintViolation", path: "customData.vendorId", "Heartbeat request")
    }

    func testDateTimesThatAreNotRFC3339AreRefusedStrictly() {
        let heartbeat: JSON = ["currentTime": "2024-06-15 10:20:30"]
        expectRefusal(
            heartbeat, V201.Heartbeat.Response.schema, code: .propertyConstraintViolation, wire: "PropertyConstraintViolation",
            path: "currentTime", "Heartbeat response")
        XCTAssertNil(validationError(["currentTime": "2024-06-15T10:20:30.123Z"], V201.Heartbeat.Response.schema, .strict))
    }
}
