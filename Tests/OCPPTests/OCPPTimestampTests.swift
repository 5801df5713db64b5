import Foundation
import XCTest

@testable import OCPP

final class OCPPTimestampTests: XCTestCase {
    /// 2024-06-15T10:20:30Z
    let instant = Date(timeIntervalSince1970: 1_718_446_830)

    private func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> OCPPTimestamp {
        try XCTUnwrap(OCPPTimestamp.parse(text), "\(text) should parse", file: file, line: line)
    }

    // MARK: Parsing

    func testRFC3339WithZIsExactAndHasNoDeviations() throws {
        let stamp = try parse("2024-06-15T10:20:30Z")
        XCTAssertEqual(stamp.date, instant)
        XCTAssertEqual(stamp.deviations, [])
        XCTAssertEqual(try parse("2024-06-15t10:20:30z").deviations, [])
    }

    func testFractionOfUpToThreeDigitsIsKeptWithoutDeviation() throws {
        let stamp = try parse("2024-06-15T10:20:30.123Z")
        XCTAssertEqual(stamp.date.timeIntervalSince1970, 1_718_446_830.123, accuracy: 1e-6)
        XCTAssertEqual(stamp.deviations, [])
        XCTAssertEqual(try parse("2024-06-15T10:20:30.5Z").date.timeIntervalSince1970, 1_718_446_830.5)
    }

    func testZeroOffsetWithColonIsNotADeviation() throws {
        let stamp = try parse("2024-06-15T10:20:30+00:00")
        XCTAssertEqual(stamp.date, instant)
        XCTAssertEqual(stamp.deviations, [])
    }

    func testLocalOffsetIsConvertedToUTCAndFlagged() throws {
        let east = try parse("2024-06-15T18:20:30+08:00")
        XCTAssertEqual(east.date, instant)
        XCTAssertEqual(east.deviations, [.nonUTCOffset])
        let west = try parse("2024-06-15T04:50:30-05:30")
        XCTAssertEqual(west.date, instant)
        XCTAssertEqual(west.deviations, [.nonUTCOffset])
    }

    func testOffsetWithoutColonIsConvertedAndFlagged() throws {
        let stamp = try parse("2024-06-15T18:20:30+0800")
        XCTAssertEqual(stamp.date, instant)
        XCTAssertEqual(stamp.deviations, [.nonUTCOffset])
    }

    func testHourOnlyOffsetIsConvertedAndFlagged() throws {
        let stamp = try parse("2024-06-15T18:20:30+08")
        XCTAssertEqual(stamp.date, instant)
        XCTAssertEqual(stamp.deviations, [.nonUTCOffset])
        XCTAssertEqual(try parse("2024-06-15T10:20:30+00").deviations, [.nonUTCOffset])
    }

    func testMissingZoneIsReadAsUTCAndFlagged() throws {
        let stamp = try parse("2024-06-15T10:20:30")
        XCTAssertEqual(stamp.date, instant)
        XCTAssertEqual(stamp.deviations, [.missingZone])
    }

    func testMoreThanThreeFractionDigitsAreFlagged() throws {
        let stamp = try parse("2024-06-15T10:20:30.123456789Z")
        XCTAssertEqual(stamp.deviations, [.excessFractionDigits])
        XCTAssertEqual(stamp.date.timeIntervalSince1970, 1_718_446_830.123456789, accuracy: 1e-6)
        XCTAssertEqual(OCPPTimestamp.format(stamp.date), "2024-06-15T10:20:30.123Z")
    }

    func testSpaceSeparatorIsFlaggedAsNonStandardLayout() throws {
        let stamp = try parse("2024-06-15 10:20:30Z")
        XCTAssertEqual(stamp.date, instant)
        XCTAssertEqual(stamp.deviations, [.nonStandardLayout])
    }

    func testDecimalCommaIsReadAndFlaggedAsNonStandardLayout() throws {
        let stamp = try parse("2024-06-15T10:20:30,5Z")
        XCTAssertEqual(stamp.date.timeIntervalSince1970, 1_718_446_830.5)
        XCTAssertEqual(stamp.deviations, [.nonStandardLayout])
    }

    func testMissingSecondsAreFlaggedAsNonStandardLayout() throws {
        let stamp = try parse("2024-06-15T10:20Z")
        XCTAssertEqual(stamp.date, Date(timeIntervalSince1970: 1_718_446_800))
        XCTAssertEqual(stamp.deviations, [.nonStandardLayout])
    }

    func testSeveralDeviationsAreAllReported() throws {
        let stamp = try parse("2024-06-15 18:20:30.1234567+0800")
        XCTAssertEqual(stamp.deviations, [.nonStandardLayout, .excessFractionDigits, .nonUTCOffset])
        XCTAssertEqual(stamp.date.timeIntervalSince1970, 1_718_446_830.1234567, accuracy: 1e-6)
    }

    func testGarbageIsNotADate() {
        let garbage = [
            "", "now", "12345", "2024-06-15", "2024-06-15T", "2024/06/15T10:20:30Z", "24-06-15T10:20:30Z",
            "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2024-06-00T00:00:00Z", "2024-06-32T00:00:00Z",
            "2024-06-15T24:00:00Z", "2024-06-15T10:60:00Z", "2024-06-15T10:20:61Z", "2024-06-15X10:20:30Z",
            "2024-06-15T10:20:30X", "2024-06-15T10:20:30Zjunk", "2024-06-15T10:20:30.Z", "2024-06-15T10:20:3Z",
            "2024-06-15T10:20:30+8", "2024-06-15T10:20:30+24:00", "2024-06-15T10:20:30+08:60", "2024-06-15T10:20:30+08:0",
            " 2024-06-15T10:20:30Z", "2024-06-15T10:20:30Z ",
        ]
        for text in garbage {
            XCTAssertNil(OCPPTimestamp.parse(text), "\"\(text)\" should not parse")
        }
    }

    func testDaysTheMonthDoesNotHaveAreRejected() {
        for text in ["2023-02-29T00:00:00Z", "2024-02-30T00:00:00Z", "2024-04-31T00:00:00Z", "1900-02-29T00:00:00Z"] {
            XCTAssertNil(OCPPTimestamp.parse(text), "\"\(text)\" should not parse")
        }
    }

    func testLeapDaysParse() throws {
        XCTAssertEqual(try parse("2024-02-29T00:00:00Z").date, Date(timeIntervalSince1970: 1_709_164_800))
        XCTAssertEqual(try parse("2000-02-29T00:00:00Z").date, Date(timeIntervalSince1970: 951_782_400))
    }

    func testDatesBefore1970Parse() throws {
        XCTAssertEqual(try parse("1969-07-20T20:17:40Z").date, Date(timeIntervalSince1970: -14_182_940))
        XCTAssertEqual(try parse("1900-01-01T00:00:00Z").date, Date(timeIntervalSince1970: -2_208_988_800))
    }

    // MARK: Formatting

    func testFormatOfKnownEpochs() {
        let cases: [(TimeInterval, String)] = [
            (0, "1970-01-01T00:00:00.000Z"),
            (1_718_446_830, "2024-06-15T10:20:30.000Z"),
            (1_718_446_830.5, "2024-06-15T10:20:30.500Z"),
            (1_709_164_800, "2024-02-29T00:00:00.000Z"),
            (1_709_251_199.999, "2024-02-29T23:59:59.999Z"),
            (1_709_251_200, "2024-03-01T00:00:00.000Z"),
            (951_782_400, "2000-02-29T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.000Z"),
            (-0.001, "1969-12-31T23:59:59.999Z"),
            (-1.5, "1969-12-31T23:59:58.500Z"),
            (-14_182_940, "1969-07-20T20:17:40.000Z"),
            (-2_208_988_800, "1900-01-01T00:00:00.000Z"),
            (253_402_300_799, "9999-12-31T23:59:59.000Z"),
        ]
        for (seconds, text) in cases {
            XCTAssertEqual(OCPPTimestamp.format(Date(timeIntervalSince1970: seconds)), text, "epoch \(seconds)")
        }
    }

    func testFormatTruncatesBelowAMillisecond() {
        XCTAssertEqual(OCPPTimestamp.format(Date(timeIntervalSince1970: 1_718_446_830.1239)), "2024-06-15T10:20:30.123Z")
    }

    func testFormatKeepsEveryMillisecondDespiteBinaryRounding() {
        // 8555547.006 is stored as 8555547.00599999991..., which must still print .006.
        XCTAssertEqual(OCPPTimestamp.format(Date(timeIntervalSince1970: 8_555_547.006)), "1970-04-10T00:32:27.006Z")
        XCTAssertEqual(OCPPTimestamp.format(Date(timeIntervalSince1970: -1_097_777_867.999)), "1935-03-20T05:42:12.001Z")
        var wrong: [String] = []
        for base: TimeInterval in [-1_097_777_868, -14_182_940, 8_555_547, 1_718_446_830] {
            for millis in 0..<1000 {
                let text = OCPPTimestamp.format(Date(timeIntervalSince1970: base + Double(millis) / 1000))
                if !text.hasSuffix(String(format: ".%03dZ", millis)) { wrong.append("\(base) + \(millis) ms: \(text)") }
            }
        }
        XCTAssertEqual(wrong, [], "\(wrong.count) instants lost a millisecond")
    }

    func testParseOfFormattedTextGivesBackTheSameText() throws {
        for text in [
            "1969-07-20T20:17:40.007Z", "1935-03-20T05:42:12.001Z", "2024-02-29T23:59:59.999Z", "1970-01-01T00:00:00.001Z",
        ] {
            XCTAssertEqual(OCPPTimestamp.format(try parse(text).date), text)
        }
    }
}
