import XCTest

@testable import OCPP

/// Lenient mode repairs what a pile commonly gets wrong, reports each repair as a
/// PayloadDeviation, and strict mode rejects the same input.
final class SchemaLenientRepairTests: SchemaValidatorTestCase {
    func testNumberSentAsStringIsReadWhenLenientAndRejectedWhenStrict() {
        assertRepaired(
            startWith("meterStart", "1200"), start, to: startWith("meterStart", 1200), kind: .numberAsString, path: "meterStart")
        assertFails(startWith("meterStart", "1200"), start, modes: [.strict], code: .typeConstraintViolation, path: "meterStart")
        let limit: Schema = .object(required("limit", .number()))
        assertRepaired(["limit": " 16.5 "], limit, to: ["limit": 16.5], kind: .numberAsString, path: "limit")
        assertFails(["limit": "16.5"], limit, modes: [.strict], code: .typeConstraintViolation, path: "limit")
        assertRepaired(
            ["key": "k", "readonly": "true"], V16.KeyValue.schema, to: ["key": "k", "readonly": true], kind: .numberAsString,
            path: "readonly")
    }

    func testStringSentAsNumberIsReadWhenLenientAndRejectedWhenStrict() {
        let path = "meterValue[0].sampledValue[0].value"
        assertRepaired(meterValues(value: 1234), meter, to: meterValues(value: "1234"), kind: .stringAsNumber, path: path)
        assertRepaired(meterValues(value: 230.5), meter, to: meterValues(value: "230.5"), kind: .stringAsNumber, path: path)
        assertFails(
            meterValues(value: 230.5), meter, modes: [.strict], code: .typeConstraintViolation, path: path,
            rule: "expected string, got number")
    }

    func testFractionalIntegerIsRoundedWhenLenientAndRejectedWhenStrict() {
        assertRepaired(
            startWith("meterStart", 1200.6), start, to: startWith("meterStart", 1201), kind: .fractionalInteger,
            path: "meterStart")
        assertRepaired(
            startWith("meterStart", 1200.4), start, to: startWith("meterStart", 1200), kind: .fractionalInteger,
            path: "meterStart")
        assertFails(
            startWith("meterStart", 1200.6), start, modes: [.strict], code: .typeConstraintViolation, path: "meterStart",
            rule: "expected integer, got number")
    }

    func testNullOptionalIsDroppedWhenLenientAndRejectedWhenStrict() {
        let json: JSON = ["connectorId": 1, "errorCode": "NoError", "info": nil, "status": "Available"]
        assertRepaired(
            json, status, to: ["connectorId": 1, "errorCode": "NoError", "status": "Available"], kind: .nullOptional, path: "info"
        )
        assertFails(json, status, modes: [.strict], code: .typeConstraintViolation, path: "info")
    }

    func testEnumLetterCaseIsCorrectedWhenLenientAndRejectedWhenStrict() {
        let json: JSON = ["connectorId": 1, "errorCode": "NoError", "status": "charging"]
        assertRepaired(
            json, status, to: ["connectorId": 1, "errorCode": "NoError", "status": "Charging"], kind: .enumLetterCase,
            path: "status")
        assertFails(json, status, modes: [.strict], code: .propertyConstraintViolation, path: "status")
    }

    func testOverLongStringIsKeptWholeWhenLenient() {
        let long = JSON.string(String(repeating: "A", count: 25))
        assertRepaired(startWith("idTag", long), start, to: startWith("idTag", long), kind: .stringTooLong, path: "idTag")
    }

    func testUnknownPropertyIsDroppedWhenLenient() {
        let json: JSON = ["chargePointVendor": "VendorX", "heartbeatInterval": 300, "chargePointModel": "M1"]
        assertRepaired(
            json, boot, to: ["chargePointVendor": "VendorX", "chargePointModel": "M1"], kind: .unknownProperty,
            path: "heartbeatInterval")
    }

    func testOffSpecTimestampIsNormalizedWhenLenientAndRejectedWhenStrict() {
        for text in [
            "2024-06-15T18:20:30+08:00", "2024-06-15T10:20:30", "2024-06-15 10:20:30Z", "2024-06-15T10:20:30.000000Z",
            "2024-06-15T10:20:30,000Z", "2024-06-15T18:20:30+08",
        ] {
            assertRepaired(
                startWith("timestamp", .string(text)), start, to: startWith("timestamp", "2024-06-15T10:20:30.000Z"),
                kind: .timestampOffSpec, path: "timestamp")
            assertFails(
                startWith("timestamp", .string(text)), start, modes: [.strict], code: .propertyConstraintViolation,
                path: "timestamp")
        }
        XCTAssertEqual(
            validationError(startWith("timestamp", "2024-06-15T18:20:30+08:00"), start, .strict)?.rule,
            #""2024-06-15T18:20:30+08:00" is not RFC 3339 (nonUTCOffset)"#)
    }

    func testSeveralRepairsAreAllReportedInWireOrder() throws {
        let json: JSON = [
            "connectorId": "2", "errorCode": "noError", "info": nil, "status": "Available",
            "timestamp": "2024-06-15T10:20:30", "color": "blue",
        ]
        let (out, deviations) = try SchemaValidator.validate(json, against: status, mode: .lenient)
        XCTAssertEqual(
            out, ["connectorId": 2, "errorCode": "NoError", "status": "Available", "timestamp": "2024-06-15T10:20:30.000Z"])
        XCTAssertEqual(
            deviations.map(\.kind), [.numberAsString, .enumLetterCase, .nullOptional, .timestampOffSpec, .unknownProperty])
        XCTAssertEqual(deviations.map(\.path), ["connectorId", "errorCode", "info", "timestamp", "color"])
    }

    func testLenientModeStillRejectsWhatItCannotRepair() {
        assertFails(
            startWith("connectorId", nil as JSON), start, modes: [.lenient], code: .typeConstraintViolation, path: "connectorId")
        assertFails(
            startWith("connectorId", "0"), start, modes: [.lenient], code: .propertyConstraintViolation, path: "connectorId")
    }
}
