import Foundation
import OCPP
import XCTest

@testable import Simulator

/// What each payload-rewriting quirk puts on the wire, byte for byte.
final class QuirkEncoderTests: XCTestCase {
    /// Quirks that rewrite a payload (QuirkEncoder), and quirks that change behaviour
    /// (timing, order, handshake; SimulatedPile). Together: every case.
    static let rewrites: Set<Quirk> = [
        .sampledValueAsNumber, .timestampWithoutZone, .timestampLocalOffset, .timestampMicroseconds, .lowercaseEnums,
        .energyInKWhWithoutUnit, .overlongIdTag, .fractionalMeterValues, .nullOptionalFields, .faultedWithoutErrorCode,
        .negativeImportPower, .stopWithOtherTag, .configKeyWithoutReadonly,
    ]
    static let behaviours: Set<Quirk> = [
        .noSubprotocolHeader, .meterValuesBeforeStartConf, .meterRegisterReset, .reusedMessageIds, .slowReplies,
        .duplicateStartAfterReconnect, .registerJump, .statusStorm, .bootTwice, .bootLoop, .overlappingCalls, .nonstandardErrorCodes,
        .ignoresChargingProfiles, .profileAtNextMeterValues, .wholeAmpereRounding, .wattsAsAmperes, .rejectsRecurringProfiles,
    ]

    private func wire(_ quirks: [Quirk], _ action: String, _ text: String, offset: Int = 8 * 3600) throws -> String {
        QuirkEncoder(quirks, utcOffsetSeconds: offset).encode(action: action, try JSONParser.parse(text)).text
    }

    func testEveryQuirkIsEitherAPayloadRewriteOrABehaviour() {
        XCTAssertEqual(Self.rewrites.union(Self.behaviours), Set(Quirk.allCases))
        XCTAssertTrue(Self.rewrites.isDisjoint(with: Self.behaviours))
    }

    // MARK: One test per rewrite

    func testSampledValueAsNumber() throws {
        XCTAssertEqual(try wire([.sampledValueAsNumber], "MeterValues", #"{"value":"1500"}"#), #"{"value":1500}"#)
        XCTAssertEqual(try wire([.sampledValueAsNumber], "MeterValues", #"{"value":"12.5","unit":"A"}"#), #"{"value":12.5,"unit":"A"}"#)
        XCTAssertEqual(
            try wire(
                [.sampledValueAsNumber], "MeterValues",
                #"{"connectorId":1,"transactionId":7,"meterValue":[{"timestamp":"2026-01-01T00:00:00.000Z","sampledValue":[{"value":"15000","measurand":"Energy.Active.Import.Register","unit":"Wh"},{"value":"80","measurand":"SoC","location":"EV","unit":"Percent"}]}]}"#),
            #"{"connectorId":1,"transactionId":7,"meterValue":[{"timestamp":"2026-01-01T00:00:00.000Z","sampledValue":[{"value":15000,"measurand":"Energy.Active.Import.Register","unit":"Wh"},{"value":80,"measurand":"SoC","location":"EV","unit":"Percent"}]}]}"#
        )
    }

    func testTimestampWithoutZone() throws {
        XCTAssertEqual(
            try wire([.timestampWithoutZone], "StatusNotification", #"{"timestamp":"2026-01-01T00:00:00.000Z"}"#),
            #"{"timestamp":"2026-01-01T08:00:00.000"}"#)
        // Local time crosses midnight.
        XCTAssertEqual(
            try wire([.timestampWithoutZone], "StatusNotification", #"{"timestamp":"2025-12-31T20:30:15.250Z"}"#),
            #"{"timestamp":"2026-01-01T04:30:15.250"}"#)
    }

    func testTimestampLocalOffset() throws {
        XCTAssertEqual(
            try wire([.timestampLocalOffset], "StartTransaction", #"{"timestamp":"2026-01-01T00:00:00.000Z"}"#),
            #"{"timestamp":"2026-01-01T08:00:00.000+08:00"}"#)
        // The same instant, whatever the offset.
        XCTAssertEqual(
            try wire([.timestampLocalOffset], "StartTransaction", #"{"timestamp":"2026-01-01T00:00:00.000Z"}"#, offset: -(3 * 3600 + 1800)),
            #"{"timestamp":"2025-12-31T20:30:00.000-03:30"}"#)
        XCTAssertEqual(
            try wire([.timestampLocalOffset], "StartTransaction", #"{"timestamp":"2026-01-01T00:00:00.000Z"}"#, offset: -1800),
            #"{"timestamp":"2025-12-31T23:30:00.000-00:30"}"#)
        XCTAssertEqual(
            try wire([.timestampLocalOffset], "StartTransaction", #"{"timestamp":"2026-01-01T00:00:00.000Z"}"#, offset: 5 * 3600 + 2700),
            #"{"timestamp":"2026-01-01T05:45:00.000+05:45"}"#)
        let stamp = try XCTUnwrap(OCPPTimestamp.parse("2026-01-01T08:00:00.000+08:00"))
        XCTAssertEqual(OCPPTimestamp.format(stamp.date), "2026-01-01T00:00:00.000Z")
    }

    func testTimestampMicroseconds() throws {
        XCTAssertEqual(
            try wire([.timestampMicroseconds], "MeterValues", #"{"timestamp":"2026-01-01T00:00:00.000Z"}"#),
            #"{"timestamp":"2026-01-01T00:00:00.000000Z"}"#)
        XCTAssertEqual(
            try wire([.timestampMicroseconds], "MeterValues", #"{"timestamp":"2026-01-01T00:00:00.123Z"}"#),
            #"{"timestamp":"2026-01-01T00:00:00.123000Z"}"#)
    }

    func testLowercaseEnums() throws {
        XCTAssertEqual(
            try wire([.lowercaseEnums], "StatusNotification", #"{"connectorId":1,"errorCode":"NoError","status":"Charging"}"#),
            #"{"connectorId":1,"errorCode":"noerror","status":"charging"}"#)
        XCTAssertEqual(
            try wire([.lowercaseEnums], "StopTransaction", #"{"meterStop":15000,"transactionId":7,"reason":"EVDisconnected"}"#),
            #"{"meterStop":15000,"transactionId":7,"reason":"evdisconnected"}"#)
        // Id tags and other free text keep their case.
        XCTAssertEqual(try wire([.lowercaseEnums], "Authorize", #"{"idTag":"XIAOMI-000001"}"#), #"{"idTag":"XIAOMI-000001"}"#)
    }

    func testNegativeImportPower() throws {
        XCTAssertEqual(
            try wire([.negativeImportPower], "MeterValues", #"{"value":"120000","measurand":"Power.Active.Import","unit":"W"}"#),
            #"{"value":"-120000","measurand":"Power.Active.Import","unit":"W"}"#)
        // Zero has no sign to flip; other measurands are left alone.
        XCTAssertEqual(try wire([.negativeImportPower], "MeterValues", #"{"value":"0","measurand":"Power.Active.Import"}"#), #"{"value":"0","measurand":"Power.Active.Import"}"#)
        XCTAssertEqual(try wire([.negativeImportPower], "MeterValues", #"{"value":"1234"}"#), #"{"value":"1234"}"#)
    }

    func testEnergyInKWhWithoutUnit() throws {
        XCTAssertEqual(
            try wire([.energyInKWhWithoutUnit], "MeterValues", #"{"value":"15000","measurand":"Energy.Active.Import.Register","unit":"Wh"}"#),
            #"{"value":"15.000","measurand":"Energy.Active.Import.Register"}"#)
        // No measurand means the energy register too.
        XCTAssertEqual(try wire([.energyInKWhWithoutUnit], "MeterValues", #"{"value":"1234"}"#), #"{"value":"1.234"}"#)
        // Other measurands are left alone.
        XCTAssertEqual(
            try wire([.energyInKWhWithoutUnit], "MeterValues", #"{"value":"120000","measurand":"Power.Active.Import","unit":"W"}"#),
            #"{"value":"120000","measurand":"Power.Active.Import","unit":"W"}"#)
    }

    func testOverlongIdTag() throws {
        let out = try wire([.overlongIdTag], "Authorize", #"{"idTag":"XIAOMI-000001"}"#)
        XCTAssertEqual(out, #"{"idTag":"XIAOMI-000001000000000000"}"#)
        XCTAssertEqual(try XCTUnwrap(try JSONParser.parse(out)["idTag"]?.stringValue).count, 25, "over the 20-character CiString20 limit")
        XCTAssertEqual(
            try wire([.overlongIdTag], "StartTransaction", #"{"connectorId":1,"idTag":"ABCDEFGHIJKLMNOPQRST","meterStart":0}"#),
            #"{"connectorId":1,"idTag":"ABCDEFGHIJKLMNOPQRST00000","meterStart":0}"#)
    }

    func testFractionalMeterValues() throws {
        XCTAssertEqual(
            try wire([.fractionalMeterValues], "StartTransaction", #"{"connectorId":1,"idTag":"X","meterStart":1200}"#),
            #"{"connectorId":1,"idTag":"X","meterStart":1200.5}"#)
        XCTAssertEqual(
            try wire([.fractionalMeterValues], "StopTransaction", #"{"meterStop":16200,"transactionId":7}"#),
            #"{"meterStop":16200.5,"transactionId":7}"#)
    }

    func testFaultedWithoutErrorCode() throws {
        XCTAssertEqual(
            try wire([.faultedWithoutErrorCode], "StatusNotification", #"{"connectorId":1,"errorCode":"GroundFailure","status":"Faulted"}"#),
            #"{"connectorId":1,"errorCode":"NoError","status":"Faulted"}"#)
        // Other statuses and other messages keep their error code.
        XCTAssertEqual(
            try wire([.faultedWithoutErrorCode], "StatusNotification", #"{"connectorId":1,"errorCode":"EVCommunicationError","status":"Available"}"#),
            #"{"connectorId":1,"errorCode":"EVCommunicationError","status":"Available"}"#)
    }

    func testNullOptionalFields() throws {
        XCTAssertEqual(
            try wire([.nullOptionalFields], "StatusNotification", #"{"connectorId":1,"errorCode":"NoError","status":"Available"}"#),
            #"{"connectorId":1,"errorCode":"NoError","status":"Available","info":null}"#)
        XCTAssertEqual(
            try wire([.nullOptionalFields], "StartTransaction", #"{"connectorId":1,"idTag":"X","meterStart":0}"#),
            #"{"connectorId":1,"idTag":"X","meterStart":0,"reservationId":null}"#)
        // A field that is present keeps its value.
        XCTAssertEqual(
            try wire([.nullOptionalFields], "StatusNotification", #"{"connectorId":1,"errorCode":"NoError","info":"ok","status":"Available"}"#),
            #"{"connectorId":1,"errorCode":"NoError","info":"ok","status":"Available"}"#)
    }

    // MARK: Combinations and no quirks

    func testConfigKeyWithoutReadonly() throws {
        let answer = #"{"configurationKey":[{"key":"HeartbeatInterval","readonly":false,"value":"300"}],"unknownKey":["X"]}"#
        let encoder = QuirkEncoder([.configKeyWithoutReadonly])
        let rewritten = encoder.encodeReply(action: "GetConfiguration", try JSONParser.parse(answer))
        XCTAssertEqual(rewritten, try JSONParser.parse(#"{"configurationKey":[{"key":"HeartbeatInterval","value":"300"}],"unknownKey":["X"]}"#))
        let change = try JSONParser.parse(#"{"status":"Accepted"}"#)
        XCTAssertEqual(encoder.encodeReply(action: "ChangeConfiguration", change), change, "only GetConfiguration's keys")
        XCTAssertEqual(QuirkEncoder([]).encodeReply(action: "GetConfiguration", try JSONParser.parse(answer)), try JSONParser.parse(answer))
        XCTAssertEqual(try wire([.configKeyWithoutReadonly], "GetConfiguration", answer), try JSONParser.parse(answer).text, "a reply quirk, not a CALL rewrite")
    }

    func testTELD120QuirksTogether() throws {
        let teld = try pile("teld-120")
        let out = QuirkEncoder(teld.quirks).encode(
            action: "MeterValues",
            try JSONParser.parse(#"{"connectorId":2,"meterValue":[{"timestamp":"2026-01-01T00:00:00.000Z","sampledValue":[{"value":"60000","measurand":"Power.Active.Import","unit":"W"}]}]}"#))
        XCTAssertEqual(
            out.text,
            #"{"connectorId":2,"meterValue":[{"timestamp":"2026-01-01T08:00:00.000","sampledValue":[{"value":60000,"measurand":"Power.Active.Import","unit":"W"}]}]}"#)
    }

    func testEncoderWithNoQuirksReturnsThePayloadUnchanged() throws {
        let texts = [
            #"{"value":"1500"}"#, #"{"timestamp":"2026-01-01T00:00:00Z"}"#, #"{"timestamp":"2026-01-01T00:00:00.000Z","status":"Charging"}"#,
            #"{"connectorId":1,"idTag":"XIAOMI-000001","meterStart":1200,"timestamp":"2026-01-01T00:00:00.000Z"}"#,
            #"{"connectorId":1,"errorCode":"NoError","status":"Available"}"#, #"{}"#,
        ]
        for text in texts {
            let payload = try JSONParser.parse(text)
            XCTAssertEqual(QuirkEncoder([]).encode(action: "MeterValues", payload), payload)
            XCTAssertEqual(try wire([], "StartTransaction", text), text)
        }
    }

    func testStopWithOtherTag() throws {
        XCTAssertEqual(
            try wire([.stopWithOtherTag], "StopTransaction", #"{"idTag":"XIAOMI-000001","meterStop":15000,"transactionId":7}"#),
            #"{"idTag":"ANOTHER-CARD","meterStop":15000,"transactionId":7}"#)
        // The start and Authorize keep the driver's tag.
        XCTAssertEqual(try wire([.stopWithOtherTag], "Authorize", #"{"idTag":"XIAOMI-000001"}"#), #"{"idTag":"XIAOMI-000001"}"#)
    }

    func testBehaviourQuirksLeaveThePayloadAlone() throws {
        let text =
            #"{"connectorId":1,"meterValue":[{"timestamp":"2026-01-01T00:00:00.000Z","sampledValue":[{"value":"15000","measurand":"Energy.Active.Import.Register","unit":"Wh"}]}]}"#
        for quirk in Self.behaviours {
            XCTAssertEqual(try wire([quirk], "MeterValues", text), text, quirk.rawValue)
        }
        let start = #"{"connectorId":1,"idTag":"XIAOMI-000001","meterStart":1200,"timestamp":"2026-01-01T00:00:00.000Z"}"#
        XCTAssertEqual(try wire(Array(Self.behaviours), "StartTransaction", start), start)
    }
}

/// docs/quirks.md documents every Quirk: docs and code cannot drift apart.
final class QuirksDocumentationTests: XCTestCase {
    func testQuirksDocMentionsEveryQuirkRawValue() throws {
        let text = try String(contentsOfFile: "\(repositoryRoot)/docs/quirks.md", encoding: .utf8)
        for quirk in Quirk.allCases {
            XCTAssertTrue(text.contains("`\(quirk.rawValue)`"), "docs/quirks.md does not mention `\(quirk.rawValue)`")
        }
    }

    func testQuirksDocNamesOnlyFindingRulesThatExist() throws {
        // Rule ids look like `payload.string-as-number`; every one the doc names must be a real rule id
        // (Sources/Gateway/FindingRule*.swift; this target does not link Gateway, so read the sources).
        let doc = try String(contentsOfFile: "\(repositoryRoot)/docs/quirks.md", encoding: .utf8)
        let folder = "\(repositoryRoot)/Sources/Gateway"
        let rules = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("FindingRule") }
            .map { try String(contentsOfFile: "\(folder)/\($0)", encoding: .utf8) }.joined()
        let pattern = try NSRegularExpression(pattern: #"`((?:transport|rpc|payload|session)\.[a-z0-9-]+)`"#)
        let ids = pattern.matches(in: doc, range: NSRange(doc.startIndex..., in: doc)).compactMap { Range($0.range(at: 1), in: doc).map { String(doc[$0]) } }
        XCTAssertFalse(ids.isEmpty)
        for id in Set(ids) {
            XCTAssertTrue(rules.contains("id: \"\(id)\""), "docs/quirks.md names rule \(id), which no FindingRule*.swift defines")
        }
    }
}
