import Foundation
import XCTest

@testable import OCPP

private struct Sample: Codable, Equatable {
    enum Kind: String, Codable { case alpha, beta }
    struct Inner: Codable, Equatable {
        var label: String
        var weight: Double?
    }

    var name: String
    var count: Int
    var ratio: Double
    var flag: Bool
    var kind: Kind
    var when: Date
    var note: String?
    var inner: Inner?
    var list: [Inner]
    var tags: [String]?
    var small: UInt8
    var big: Int64
}

private func sample() -> Sample {
    Sample(
        name: "pile-7", count: 42, ratio: 0.25, flag: true, kind: .beta,
        when: Date(timeIntervalSince1970: 1_718_446_830.5), note: nil, inner: Sample.Inner(label: "in", weight: nil),
        list: [Sample.Inner(label: "a", weight: 1.5), Sample.Inner(label: "b", weight: nil)], tags: ["x", "y"],
        small: 255, big: -9_000_000_000)
}

final class JSONCodingTests: XCTestCase {
    func testEncodeThenDecodeGivesBackAnEqualValue() throws {
        let value = sample()
        let json = try JSONValueEncoder().encode(value)
        XCTAssertEqual(try JSONValueDecoder().decode(Sample.self, from: json), value)
        // And through text, as on the wire.
        XCTAssertEqual(try JSONValueDecoder().decode(Sample.self, from: JSONParser.parse(json.text)), value)
    }

    func testNilOptionalsAreOmittedNotNull() throws {
        let json = try JSONValueEncoder().encode(sample())
        XCTAssertNil(json["note"])
        XCTAssertEqual(json["inner"]?.objectValue?.keys, ["label"])
        XCTAssertEqual(json["list"]?.arrayValue?[1].objectValue?.keys, ["label"])
        XCTAssertFalse(json.text.contains("null"))
    }

    func testKeysFollowDeclarationOrder() throws {
        let json = try JSONValueEncoder().encode(sample())
        XCTAssertEqual(
            json.objectValue?.keys,
            ["name", "count", "ratio", "flag", "kind", "when", "inner", "list", "tags", "small", "big"])
    }

    func testIntegersEncodeAsIntegerAndDoublesAsNumber() throws {
        let json = try JSONValueEncoder().encode(sample())
        XCTAssertEqual(json["count"], .integer(42))
        XCTAssertEqual(json["small"], .integer(255))
        XCTAssertEqual(json["big"], .integer(-9_000_000_000))
        XCTAssertEqual(json["ratio"], .number(0.25))
        XCTAssertEqual(json["kind"], .string("beta"))
    }

    func testDateIsEncodedAsRFC3339UTCWithMilliseconds() throws {
        let json = try JSONValueEncoder().encode(sample())
        XCTAssertEqual(json["when"], .string("2024-06-15T10:20:30.500Z"))
        XCTAssertEqual(try JSONValueEncoder().encode(Date(timeIntervalSince1970: 0)), .string("1970-01-01T00:00:00.000Z"))
        XCTAssertEqual(
            try JSONValueEncoder().encode([Date(timeIntervalSince1970: 1_709_164_800.007)]),
            ["2024-02-29T00:00:00.007Z"])
    }

    func testNilInsideAnArrayIsWrittenAsNull() throws {
        let values: [Int?] = [1, nil, 3]
        let json = try JSONValueEncoder().encode(values)
        XCTAssertEqual(json, [1, nil, 3])
        XCTAssertEqual(try JSONValueDecoder().decode([Int?].self, from: json), values)
    }

    func testEmptyStructEncodesAsEmptyObject() throws {
        struct Empty: Codable {}
        XCTAssertEqual(try JSONValueEncoder().encode(Empty()), .object(JSONObject()))
    }

    func testDecoderReadsDatesWithOffsetsAsUTC() throws {
        struct Stamp: Codable { var at: Date }
        let stamp = try JSONValueDecoder().decode(Stamp.self, from: ["at": "2024-06-15T18:20:30+08:00"])
        XCTAssertEqual(stamp.at, Date(timeIntervalSince1970: 1_718_446_830))
    }

    func testDecoderAcceptsIntegralNumberForIntegerButNotFraction() throws {
        struct Count: Codable { var n: Int }
        XCTAssertEqual(try JSONValueDecoder().decode(Count.self, from: ["n": 7.0]).n, 7)
        XCTAssertThrowsError(try JSONValueDecoder().decode(Count.self, from: ["n": 7.5]))
        XCTAssertThrowsError(try JSONValueDecoder().decode(UInt8.self, from: 256))
    }

    func testDecoderErrorsCarryTheCodingPath() {
        XCTAssertThrowsError(try JSONValueDecoder().decode(Sample.self, from: ["name": 1])) { error in
            guard case DecodingError.typeMismatch(_, let context) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(context.codingPath.map(\.stringValue), ["name"])
        }
        var json = try? JSONValueEncoder().encode(sample())
        json = json.map { value in
            guard case .object(var object) = value else { return value }
            object["list"] = [["label": 5]]
            return .object(object)
        }
        XCTAssertThrowsError(try JSONValueDecoder().decode(Sample.self, from: json ?? .null)) { error in
            guard case DecodingError.typeMismatch(_, let context) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(context.codingPath.map(\.stringValue), ["list", "0", "label"])
        }
    }

    func testDecoderReportsMissingKeysAndBadDates() {
        struct Stamp: Codable { var at: Date }
        XCTAssertThrowsError(try JSONValueDecoder().decode(Stamp.self, from: [:])) { error in
            guard case DecodingError.keyNotFound(let key, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key.stringValue, "at")
        }
        XCTAssertThrowsError(try JSONValueDecoder().decode(Stamp.self, from: ["at": "yesterday"]))
        XCTAssertThrowsError(try JSONValueDecoder().decode(Stamp.self, from: ["at": 1_718_446_830]))
    }
}
