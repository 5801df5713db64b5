import XCTest

@testable import OCPP

/// Parses and returns the syntax error, or nil when the text was accepted.
func jsonSyntaxError(_ bytes: [UInt8]) -> JSONSyntaxError? {
    do {
        _ = try JSONParser.parse(bytes)
        return nil
    } catch {
        return error
    }
}

func jsonSyntaxError(_ text: String) -> JSONSyntaxError? { jsonSyntaxError(Array(text.utf8)) }

final class JSONParserTests: XCTestCase {
    // MARK: Valid values

    func testIntegersWithoutFractionOrExponentStayIntegers() throws {
        XCTAssertEqual(try JSONParser.parse("42"), .integer(42))
        XCTAssertEqual(try JSONParser.parse("-7"), .integer(-7))
        XCTAssertEqual(try JSONParser.parse("0"), .integer(0))
        XCTAssertEqual(try JSONParser.parse("-0"), .integer(0))
        XCTAssertEqual(try JSONParser.parse("9223372036854775807"), .integer(.max))
        XCTAssertEqual(try JSONParser.parse("-9223372036854775808"), .integer(.min))
    }

    func testIntegerBeyond64BitsBecomesNumber() throws {
        XCTAssertEqual(try JSONParser.parse("9223372036854775808"), .number(9_223_372_036_854_775_808))
    }

    func testFractionsAndExponentsAreNumbers() throws {
        XCTAssertEqual(try JSONParser.parse("1.5"), .number(1.5))
        XCTAssertEqual(try JSONParser.parse("1.0"), .number(1.0))
        XCTAssertEqual(try JSONParser.parse("1e3"), .number(1000))
        XCTAssertEqual(try JSONParser.parse("1E+2"), .number(100))
        XCTAssertEqual(try JSONParser.parse("2.5e-1"), .number(0.25))
        XCTAssertEqual(try JSONParser.parse("-0.125"), .number(-0.125))
    }

    func testLiteralsAndSurroundingWhitespaceAreAccepted() throws {
        XCTAssertEqual(try JSONParser.parse(" \t\r\ntrue\n"), .bool(true))
        XCTAssertEqual(try JSONParser.parse("false"), .bool(false))
        XCTAssertEqual(try JSONParser.parse("null"), .null)
        XCTAssertEqual(try JSONParser.parse("[ ]"), .array([]))
        XCTAssertEqual(try JSONParser.parse("{ }"), .object(JSONObject()))
    }

    func testSimpleEscapesAreDecoded() throws {
        XCTAssertEqual(try JSONParser.parse(#""\"\\\/\b\f\n\r\t""#), .string("\"\\/\u{08}\u{0C}\n\r\t"))
    }

    func testUnicodeEscapesIncludingSurrogatePairsAreDecoded() throws {
        XCTAssertEqual(try JSONParser.parse(#""caf\u00e9 \u00C9""#), .string("café É"))
        XCTAssertEqual(try JSONParser.parse(#""\uD83D\uDE00""#), .string("😀"))
        XCTAssertEqual(try JSONParser.parse(#""a\ud834\udd1eb""#), .string("a𝄞b"))
        XCTAssertEqual(try JSONParser.parse(#""\u0000""#), .string("\u{0}"))
    }

    func testRawMultiByteUTF8InStringsIsKept() throws {
        XCTAssertEqual(try JSONParser.parse("\"充电桩 ⚡️\""), .string("充电桩 ⚡️"))
    }

    func testObjectKeysKeepWireOrder() throws {
        let json = try JSONParser.parse(#"{"b":1,"a":2,"c":{"z":true,"y":false}}"#)
        XCTAssertEqual(json.objectValue?.keys, ["b", "a", "c"])
        XCTAssertEqual(json["c"]?.objectValue?.keys, ["z", "y"])
        XCTAssertEqual(json["a"], .integer(2))
    }

    func testObjectsWithSameMembersInDifferentOrderAreNotEqual() throws {
        XCTAssertNotEqual(try JSONParser.parse(#"{"a":1,"b":2}"#), try JSONParser.parse(#"{"b":2,"a":1}"#))
    }

    func testNestingUpToMaximumDepthIsAccepted() throws {
        let depth = JSONParser.maximumDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        XCTAssertNotNil(try JSONParser.parse(text).arrayValue)
    }

    // MARK: Rejections, each with an offset

    func testTrailingGarbageIsRejectedAtItsOffset() {
        let error = jsonSyntaxError(#"{"a":1} x"#)
        XCTAssertEqual(error?.offset, 8)
        XCTAssertEqual(error?.reason, "unexpected data after the value")
        XCTAssertEqual(jsonSyntaxError("[1]]")?.offset, 3)
        XCTAssertEqual(jsonSyntaxError("1 2")?.offset, 2)
    }

    func testLeadingZerosAreRejectedAtTheSecondDigit() {
        XCTAssertEqual(jsonSyntaxError("01"), JSONSyntaxError(offset: 1, reason: "leading zero in number"))
        XCTAssertEqual(jsonSyntaxError("[-012]")?.offset, 3)
    }

    func testMalformedNumbersAreRejected() {
        XCTAssertEqual(jsonSyntaxError("1.")?.offset, 2)
        XCTAssertEqual(jsonSyntaxError("1e")?.offset, 2)
        XCTAssertEqual(jsonSyntaxError("-")?.offset, 1)
        XCTAssertEqual(jsonSyntaxError(".5")?.offset, 0)
        XCTAssertEqual(jsonSyntaxError("+1")?.offset, 0)
        XCTAssertEqual(jsonSyntaxError("1e400"), JSONSyntaxError(offset: 0, reason: "number out of range"))
    }

    func testControlCharactersInStringsAreRejected() {
        XCTAssertEqual(jsonSyntaxError("\"a\u{01}b\""), JSONSyntaxError(offset: 2, reason: "control character in string"))
        XCTAssertEqual(jsonSyntaxError("\"line\nbreak\"")?.offset, 5)
        // After an escape the slow path must check too.
        XCTAssertEqual(jsonSyntaxError("\"\\n\u{1F}\""), JSONSyntaxError(offset: 3, reason: "control character in string"))
    }

    func testUnterminatedStringsAreRejectedAtTheEnd() {
        XCTAssertEqual(jsonSyntaxError(#""abc"#), JSONSyntaxError(offset: 4, reason: "unterminated string"))
        XCTAssertEqual(jsonSyntaxError(#"{"a":"b\n"#)?.offset, 9)
        XCTAssertEqual(jsonSyntaxError(#""abc\"#)?.offset, 5)
    }

    func testInvalidEscapesAreRejected() {
        let error = jsonSyntaxError(#""\x""#)
        XCTAssertEqual(error?.offset, 3)
        XCTAssertEqual(error?.reason, #"invalid escape '\x'"#)
        XCTAssertEqual(jsonSyntaxError(#""\u12G4""#)?.offset, 5)
        XCTAssertEqual(jsonSyntaxError(#""\u12""#)?.reason, #"unexpected end of input in \u escape"#)
    }

    func testLoneSurrogatesAreRejected() {
        XCTAssertEqual(jsonSyntaxError(#""\uD800""#), JSONSyntaxError(offset: 7, reason: "unpaired surrogate"))
        XCTAssertEqual(jsonSyntaxError(#""\uDC00""#), JSONSyntaxError(offset: 7, reason: "unpaired surrogate"))
        XCTAssertEqual(jsonSyntaxError(#""\uD800x""#)?.reason, "unpaired surrogate")
        XCTAssertEqual(jsonSyntaxError(#""\uD800\u0041""#), JSONSyntaxError(offset: 13, reason: "invalid low surrogate"))
    }

    func testDuplicateObjectKeysAreRejected() {
        XCTAssertEqual(jsonSyntaxError(#"{"a":1,"a":2}"#), JSONSyntaxError(offset: 12, reason: #"duplicate key "a""#))
        XCTAssertNotNil(jsonSyntaxError(#"{"x":{"a":1,"b":2,"a":3}}"#))
    }

    func testNestingDeeperThanMaximumDepthThrows() {
        let depth = JSONParser.maximumDepth + 1
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let error = jsonSyntaxError(text)
        XCTAssertEqual(error?.offset, JSONParser.maximumDepth)
        XCTAssertEqual(error?.reason, "nesting deeper than \(JSONParser.maximumDepth)")
        XCTAssertNotNil(jsonSyntaxError(String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)))
    }

    func testHugeNestingThrowsInsteadOfOverflowingTheStack() {
        XCTAssertNotNil(jsonSyntaxError([UInt8](repeating: UInt8(ascii: "["), count: 200_000)))
    }

    func testEmptyAndBlankInputAreRejected() {
        XCTAssertEqual(jsonSyntaxError(""), JSONSyntaxError(offset: 0, reason: "unexpected end of input"))
        XCTAssertEqual(jsonSyntaxError("  \n")?.offset, 3)
    }

    func testInvalidUTF8IsRejectedAtTheStringStart() {
        let plain: [UInt8] = [0x22, 0x61, 0xFF, 0x22]
        XCTAssertEqual(jsonSyntaxError(plain), JSONSyntaxError(offset: 1, reason: "string is not valid UTF-8"))
        // With an escape, so the slow path validates.
        let escaped: [UInt8] = [0x5B, 0x22, 0x5C, 0x6E, 0xC3, 0x22, 0x5D]
        XCTAssertEqual(jsonSyntaxError(escaped), JSONSyntaxError(offset: 2, reason: "string is not valid UTF-8"))
        // A UTF-8-encoded surrogate (ED A0 80) is not valid UTF-8 either.
        XCTAssertNotNil(jsonSyntaxError([0x22, 0xED, 0xA0, 0x80, 0x22]))
        XCTAssertNotNil(jsonSyntaxError([0xFF]))
    }

    func testStructuralErrorsAreRejected() {
        XCTAssertEqual(jsonSyntaxError(#"{"a" 1}"#)?.reason, "expected ':' after key")
        XCTAssertEqual(jsonSyntaxError("{a:1}")?.reason, "expected a string key")
        XCTAssertEqual(jsonSyntaxError("[1 2]")?.reason, "expected ',' or ']' in array")
        XCTAssertEqual(jsonSyntaxError(#"{"a":1"#)?.reason, "unexpected end of input in object")
        XCTAssertEqual(jsonSyntaxError("[1,]")?.offset, 3)
        XCTAssertEqual(jsonSyntaxError("tru")?.reason, "unexpected end of input")
        XCTAssertEqual(jsonSyntaxError("nul1")?.reason, "invalid literal")
        XCTAssertTrue(jsonSyntaxError("x")?.description.hasPrefix("invalid JSON at byte 0:") ?? false)
    }
}
