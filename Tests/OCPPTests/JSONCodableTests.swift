import Foundation
import XCTest

@testable import OCPP

/// `JSON` as a Codable value: what lets 2.0.1 payloads carry `customData` and DataTransfer
/// `data` as they came.
final class JSONCodableTests: XCTestCase {
    let extras: JSON = [
        "vendorId": "com.example", "n": 1, "x": 2.5, "on": false, "none": nil, "list": [1, "two", [3]], "deep": ["a": ["b": "c"]],
    ]

    func testOurCodersPassJSONThroughWithKeyOrderAndIntegerness() throws {
        let info = V201.StatusInfo(reasonCode: "Busy", customData: extras)
        let encoded = try JSONValueEncoder().encode(info)
        XCTAssertEqual(encoded["customData"], extras)
        XCTAssertEqual(encoded["customData"]?.objectValue?.keys, ["vendorId", "n", "x", "on", "none", "list", "deep"])
        XCTAssertEqual(try JSONValueDecoder().decode(V201.StatusInfo.self, from: encoded), info)
    }

    func testFoundationCodersKeepTheSameValue() throws {
        let info = V201.StatusInfo(reasonCode: "Busy", customData: extras)
        let data = try JSONEncoder().encode(info)
        let decoded = try JSONDecoder().decode(V201.StatusInfo.self, from: data)
        XCTAssertEqual(decoded.reasonCode, "Busy")
        XCTAssertEqual(decoded.customData.map(sortedKeys), sortedKeys(extras), "the same members, in the coder's key order")
        XCTAssertEqual(decoded.customData?["n"], .integer(1), "integers stay integers")
        XCTAssertEqual(decoded.customData?["x"], .number(2.5))
    }

    func testAbsentJSONFieldsAreOmittedNotWrittenAsNull() throws {
        let encoded = try JSONValueEncoder().encode(V201.StatusInfo(reasonCode: "OK"))
        XCTAssertEqual(encoded, ["reasonCode": "OK"])
    }

    private func sortedKeys(_ json: JSON) -> JSON {
        switch json {
        case .object(let object):
            .object(JSONObject(object.members.map { ($0.key, sortedKeys($0.value)) }.sorted { $0.0 < $1.0 }.map { (key: $0.0, value: $0.1) }))
        case .array(let items): .array(items.map(sortedKeys))
        default: json
        }
    }
}
