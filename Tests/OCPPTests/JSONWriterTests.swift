import XCTest

@testable import OCPP

final class JSONWriterTests: XCTestCase {
    func testWriterIsCompactAndKeepsKeyOrder() {
        let value: JSON = ["z": 1, "a": [true, nil, "x"], "m": ["k": 2.5]]
        XCTAssertEqual(value.text, #"{"z":1,"a":[true,null,"x"],"m":{"k":2.5}}"#)
        XCTAssertEqual(value.bytes, Array(value.text.utf8))
    }

    func testParsingWrittenTextGivesBackTheSameValue() throws {
        let samples: [JSON] = [
            .null, .bool(true), .bool(false),
            .integer(0), .integer(-1), .integer(.max), .integer(.min),
            .number(0.1), .number(-2.5), .number(1.0), .number(1e300), .number(.leastNonzeroMagnitude),
            .number(2.2250738585072014e-308), .number(123_456_789.125),
            .string(""), .string("plain"), .string("quote \" backslash \\ slash /"),
            .string("tab\tline\ncr\rnul\u{0}bell\u{7}esc\u{1B}unit\u{1F}del\u{7F}"),
            .string("café 充电 😀 \u{2028}"),
            .array([]), .object(JSONObject()),
            [
                2, "19223201", "BootNotification",
                ["chargePointVendor": "VendorX", "chargePointModel": "SingleSocketCharger", "n": [1, 2.5, ["deep": [nil]]]],
            ],
        ]
        for value in samples {
            XCTAssertEqual(try JSONParser.parse(value.text), value, "round trip of \(value.text)")
            XCTAssertEqual(try JSONParser.parse(value.bytes), value, "round trip of bytes of \(value.text)")
        }
    }

    func testParsedTextIsWrittenBackByteForByte() throws {
        let text = #"[2,"a1",{"b":-3,"a":[1.5,"\u0001\n"],"c":{}}]"#
        XCTAssertEqual(try JSONParser.parse(text).text, text)
    }

    func testControlCharactersAreEscaped() {
        XCTAssertEqual(JSON.string("a\nb").text, #""a\nb""#)
        XCTAssertEqual(JSON.string("\r\t").text, #""\r\t""#)
        XCTAssertEqual(JSON.string("\u{0}\u{8}\u{C}\u{1F}").text, #""\u0000\u0008\u000c\u001f""#)
        XCTAssertEqual(JSON.string("\"\\").text, #""\"\\""#)
        for byte in UInt8(0)..<0x20 {
            let written = JSON.string(String(UnicodeScalar(byte))).bytes
            XCTAssertFalse(written.dropFirst().dropLast().contains(where: { $0 < 0x20 }), "raw control byte \(byte) written")
        }
    }

    func testNonASCIITextIsWrittenAsRawUTF8() {
        XCTAssertEqual(JSON.string("é😀").bytes, [0x22, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0x22])
    }

    func testNonFiniteNumbersAreWrittenAsNull() {
        XCTAssertEqual(JSON.number(.infinity).text, "null")
        XCTAssertEqual(JSON.number(.nan).text, "null")
    }

    func testObjectSubscriptSetterReplacesAppendsAndRemoves() {
        var object = JSONObject([(key: "a", value: 1), (key: "b", value: 2)])
        object["a"] = "x"
        object["c"] = true
        object["b"] = nil
        XCTAssertEqual(object.keys, ["a", "c"])
        XCTAssertEqual(JSON.object(object).text, #"{"a":"x","c":true}"#)
    }

    func testAccessorsReturnValuesOnlyForMatchingCases() {
        XCTAssertEqual(JSON.integer(3).doubleValue, 3)
        XCTAssertEqual(JSON.number(4.0).intValue, 4)
        XCTAssertNil(JSON.number(4.5).intValue)
        XCTAssertNil(JSON.string("4").intValue)
        XCTAssertEqual(JSON.string("s").stringValue, "s")
        XCTAssertNil(JSON.integer(1).stringValue)
        XCTAssertEqual(JSON.integer(1).typeName, "integer")
        XCTAssertEqual(JSON.number(1).typeName, "number")
        XCTAssertEqual(JSON.null.typeName, "null")
    }
}
