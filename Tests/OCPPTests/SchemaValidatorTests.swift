import XCTest

@testable import OCPP

/// Validates and returns the error, or nil when the payload passed.
func validationError(_ json: JSON, _ schema: Schema, _ mode: ValidationMode) -> ValidationError? {
    do {
        _ = try SchemaValidator.validate(json, against: schema, mode: mode)
        return nil
    } catch {
        return error
    }
}

/// Schemas and payloads shared by the strict-error and lenient-repair tests.
class SchemaValidatorTestCase: XCTestCase {
    let boot = V16.BootNotification.Request.schema
    let start = V16.StartTransaction.Request.schema
    let status = V16.StatusNotification.Request.schema
    let meter = V16.MeterValues.Request.schema

    let validStart: JSON = ["connectorId": 1, "idTag": "B4A63CDF", "meterStart": 1200, "timestamp": "2024-06-15T10:20:30Z"]

    func meterValues(value: JSON) -> JSON {
        ["connectorId": 1, "meterValue": [["timestamp": "2024-06-15T10:20:30Z", "sampledValue": [["value": value]]]]]
    }

    /// `validStart` with one member replaced (or removed, for nil).
    func startWith(_ key: String, _ value: JSON?) -> JSON {
        guard case .object(var object) = validStart else { return validStart }
        object[key] = value
        return .object(object)
    }

    func assertFails(
        _ json: JSON, _ schema: Schema, modes: [ValidationMode] = ValidationMode.allCases, code: RPCErrorCode, path: String,
        rule: String? = nil, file: StaticString = #filePath, line: UInt = #line
    ) {
        for mode in modes {
            guard let error = validationError(json, schema, mode) else {
                XCTFail("\(json.text) passed in \(mode) mode", file: file, line: line)
                continue
            }
            XCTAssertEqual(error.code, code, "\(mode): \(error)", file: file, line: line)
            XCTAssertEqual(error.path, path, "\(mode): \(error)", file: file, line: line)
            if let rule { XCTAssertEqual(error.rule, rule, "\(mode)", file: file, line: line) }
        }
    }

    /// Validates leniently and expects exactly one deviation of `kind` at `path`, and `repaired` as the result.
    func assertRepaired(
        _ json: JSON, _ schema: Schema, to repaired: JSON, kind: PayloadDeviation.Kind, path: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let (out, deviations) = try SchemaValidator.validate(json, against: schema, mode: .lenient)
            XCTAssertEqual(out, repaired, file: file, line: line)
            XCTAssertEqual(deviations.map(\.kind), [kind], file: file, line: line)
            XCTAssertEqual(deviations.first?.path, path, file: file, line: line)
        } catch {
            XCTFail("lenient validation failed: \(error)", file: file, line: line)
        }
    }
}

final class SchemaValidatorTests: SchemaValidatorTestCase {
    // MARK: Valid payloads

    func testValidPayloadPassesUnchangedWithoutDeviationsInBothModes() throws {
        for mode in ValidationMode.allCases {
            let (out, deviations) = try SchemaValidator.validate(validStart, against: start, mode: mode)
            XCTAssertEqual(out, validStart)
            XCTAssertEqual(deviations, [])
        }
    }

    func testAnySchemaAndAdditionalPropertiesAcceptWhateverIsSent() throws {
        let open: Schema = .object([required("a", .any)], additionalProperties: true)
        let json: JSON = ["a": [1, nil, ["x": true]], "extra": "kept"]
        for mode in ValidationMode.allCases {
            XCTAssertEqual(try SchemaValidator.validate(json, against: open, mode: mode).0, json)
        }
    }

    func testIntegerIsAcceptedForNumberAndStaysInteger() throws {
        let (out, deviations) = try SchemaValidator.validate(
            ["limit": 16], against: .object(required("limit", .number())), mode: .strict)
        XCTAssertEqual(out, ["limit": 16])
        XCTAssertEqual(deviations, [])
    }

    // MARK: Errors, both modes

    func testMissingRequiredFieldIsOccurenceConstraintViolationIn16() {
        assertFails(
            ["chargePointVendor": "VendorX"], boot, code: .occurrenceConstraintViolation, path: "chargePointModel",
            rule: "required property missing")
        XCTAssertEqual(
            validationError(["chargePointVendor": "VendorX"], boot, .strict)?.rpcError.code.wireName(for: .v16),
            "OccurenceConstraintViolation")
    }

    func testMissingNestedRequiredFieldNamesItsFullPath() {
        let json: JSON = ["connectorId": 1, "meterValue": [["sampledValue": [["value": "1"]]]]]
        assertFails(json, meter, code: .occurrenceConstraintViolation, path: "meterValue[0].timestamp")
        let noValue: JSON = [
            "connectorId": 1, "meterValue": [["timestamp": "2024-06-15T10:20:30Z", "sampledValue": [["unit": "Wh"]]]],
        ]
        assertFails(noValue, meter, code: .occurrenceConstraintViolation, path: "meterValue[0].sampledValue[0].value")
    }

    func testWrongJSONTypeIsTypeConstraintViolation() {
        assertFails(
            startWith("connectorId", true), start, code: .typeConstraintViolation, path: "connectorId",
            rule: "expected integer, got boolean")
        assertFails(
            startWith("idTag", ["B4A63CDF"]), start, code: .typeConstraintViolation, path: "idTag",
            rule: "expected string, got array")
        assertFails(startWith("timestamp", 1_718_446_830), start, code: .typeConstraintViolation, path: "timestamp")
        assertFails(["connectorId": 1, "meterValue": "none"], meter, code: .typeConstraintViolation, path: "meterValue")
        assertFails(["key": "x", "readonly": 1], V16.KeyValue.schema, code: .typeConstraintViolation, path: "readonly")
        assertFails(
            startWith("idTag", nil as JSON), start, code: .typeConstraintViolation, path: "idTag",
            rule: "expected string, got null")
    }

    func testUnreadableNumberTextIsTypeConstraintViolationEvenWhenLenient() {
        assertFails(startWith("meterStart", "lots"), start, code: .typeConstraintViolation, path: "meterStart")
        assertFails(["limit": "high"], .object(required("limit", .number())), code: .typeConstraintViolation, path: "limit")
        assertFails(["key": "x", "readonly": "yes"], V16.KeyValue.schema, code: .typeConstraintViolation, path: "readonly")
    }

    func testBadEnumValueIsPropertyConstraintViolation() {
        let json: JSON = ["connectorId": 1, "errorCode": "NoError", "status": "Exploded"]
        assertFails(json, status, code: .propertyConstraintViolation, path: "status")
        XCTAssertTrue(validationError(json, status, .lenient)?.rule.hasPrefix(#""Exploded" is not one of Available, "#) ?? false)
        assertFails(
            ["connectorId": 1, "errorCode": "NoError", "status": 3], status, code: .typeConstraintViolation, path: "status")
    }

    func testTooLongStringIsPropertyConstraintViolationWhenStrict() {
        let idTag = String(repeating: "A", count: 21)
        assertFails(
            startWith("idTag", .string(idTag)), start, modes: [.strict], code: .propertyConstraintViolation, path: "idTag",
            rule: "string of 21 characters exceeds maxLength 20")
        XCTAssertNil(validationError(startWith("idTag", .string(String(repeating: "é", count: 20))), start, .strict))
    }

    func testTooShortStringIsPropertyConstraintViolation() {
        assertFails(["s": ""], .object(required("s", .string(minLength: 1))), code: .propertyConstraintViolation, path: "s")
    }

    func testValueBelowMinimumIsPropertyConstraintViolation() {
        assertFails(
            startWith("connectorId", 0), start, code: .propertyConstraintViolation, path: "connectorId",
            rule: "0 is below the minimum 1")
        assertFails(
            ["connectorId": -1, "errorCode": "NoError", "status": "Available"], status, code: .propertyConstraintViolation,
            path: "connectorId")
        assertFails(["n": -0.5], .object(required("n", .number(minimum: 0))), code: .propertyConstraintViolation, path: "n")
        assertFails(
            ["n": 11], .object(required("n", .integer(maximum: 10))), code: .propertyConstraintViolation, path: "n",
            rule: "11 is above the maximum 10")
    }

    func testUnreadableDateTimeIsPropertyConstraintViolation() {
        assertFails(
            startWith("timestamp", "yesterday"), start, code: .propertyConstraintViolation, path: "timestamp",
            rule: #""yesterday" is not an RFC 3339 date-time"#)
    }

    func testUnknownPropertyIsFormatViolationWhenStrict() {
        let json: JSON = ["chargePointVendor": "VendorX", "chargePointModel": "M1", "heartbeatInterval": 300]
        assertFails(
            json, boot, modes: [.strict], code: .formatViolation, path: "heartbeatInterval",
            rule: "property not allowed by the schema")
        XCTAssertEqual(validationError(json, boot, .strict)?.rpcError.code.wireName(for: .v16), "FormationViolation")
    }

    func testNonObjectPayloadIsFormatViolation() {
        for payload: JSON in [[], "BootNotification", 1, nil] {
            assertFails(payload, boot, code: .formatViolation, path: "", rule: "expected object, got \(payload.typeName)")
        }
        assertFails(["idTagInfo": "Accepted"], V16.Authorize.Response.schema, code: .formatViolation, path: "idTagInfo")
    }

    func testArrayWithTooFewItemsIsOccurrenceConstraintViolation() {
        assertFails(
            ["connectorId": 1, "meterValue": []], meter, code: .occurrenceConstraintViolation, path: "meterValue",
            rule: "array needs at least 1 item(s), got 0")
        let noSamples: JSON = ["connectorId": 1, "meterValue": [["timestamp": "2024-06-15T10:20:30Z", "sampledValue": []]]]
        assertFails(noSamples, meter, code: .occurrenceConstraintViolation, path: "meterValue[0].sampledValue")
        assertFails(
            ["a": [1, 2, 3]], .object(required("a", .array(of: .integer(), maxItems: 2))), code: .occurrenceConstraintViolation,
            path: "a")
    }

    func testErrorDescriptionNamesTheFieldPathAndTheRule() throws {
        let error = try XCTUnwrap(validationError(meterValues(value: 1234), meter, .strict))
        XCTAssertEqual(error.code, .typeConstraintViolation)
        XCTAssertEqual(error.path, "meterValue[0].sampledValue[0].value")
        XCTAssertEqual(error.description, "meterValue[0].sampledValue[0].value: expected string, got integer")
        XCTAssertEqual(
            error.rpcError,
            RPCError(.typeConstraintViolation, "meterValue[0].sampledValue[0].value: expected string, got integer"))
        XCTAssertEqual(validationError([], boot, .strict)?.description, "expected object, got array")
    }
}
