import Foundation
import Gateway
import OCPP
import OCPPWebSocket
import SessionStore
import XCTest

/// What the gateway answers to frames a pile gets wrong, read back exactly as it went on the wire.
final class BadInputTests: XCTestCase {
    func testMalformedJSONIsAnsweredWithFormationViolationAndTheConnectionStaysOpen() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("BAD-JSON-1")
            pile.peer.sendRaw(#"[2,"bad-json-1","Heartbeat",{"broken":]"#)
            let reply = try await harness.reply(from: pile, to: "bad-json-1")
            assertCallError(reply, id: "bad-json-1", code: "FormationViolation")
            _ = try await harness.finding("rpc.malformed-frame", for: "BAD-JSON-1", messageId: "bad-json-1")

            let heartbeat = try await pile.call(V16.Heartbeat.self, .init())
            XCTAssertLessThan(abs(heartbeat.currentTime.timeIntervalSinceNow), 60)
            XCTAssertFalse(pile.isClosed)
        }
    }

    func testJSONWithoutReadableMessageIdIsAnsweredWithIdMinusOne() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("BAD-JSON-2")
            pile.peer.sendRaw("{{{ not json")
            let reply = try await harness.reply(from: pile, to: "-1")
            assertCallError(reply, id: "-1", code: "FormationViolation")
            _ = try await pile.call(V16.Heartbeat.self, .init())
        }
    }

    func testMissingRequiredFieldIsAnsweredWithOccurenceConstraintViolationNamingTheField() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("SCHEMA-1")
            pile.peer.sendRaw(#"[2,"missing-1","BootNotification",{"chargePointVendor":"TestVendor"}]"#)
            let reply = try await harness.reply(from: pile, to: "missing-1")
            let description = assertCallError(reply, id: "missing-1", code: "OccurenceConstraintViolation")
            XCTAssertTrue(description.contains("chargePointModel"), description)
            _ = try await harness.finding("rpc.schema-violation", for: "SCHEMA-1", messageId: "missing-1")
            let stored = try await harness.store.chargePoint(id: "SCHEMA-1")
            XCTAssertNil(stored?.chargePoint.registrationStatus, "a refused BootNotification registers nothing")
        }
    }

    func testWrongJSONTypeIsAnsweredWithTypeConstraintViolation() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("SCHEMA-2")
            pile.peer.sendRaw(#"[2,"type-1","StatusNotification",{"connectorId":true,"errorCode":"NoError","status":"Available"}]"#)
            let reply = try await harness.reply(from: pile, to: "type-1")
            let description = assertCallError(reply, id: "type-1", code: "TypeConstraintViolation")
            XCTAssertTrue(description.contains("connectorId"), description)
        }
    }

    func testValueOutsideTheEnumerationIsAnsweredWithPropertyConstraintViolation() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("SCHEMA-3")
            pile.peer.sendRaw(#"[2,"enum-1","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Flying"}]"#)
            let reply = try await harness.reply(from: pile, to: "enum-1")
            let description = assertCallError(reply, id: "enum-1", code: "PropertyConstraintViolation")
            XCTAssertTrue(description.contains("status"), description)
            try await harness.store.flush()
            let stored = try await harness.store.chargePoint(id: "SCHEMA-3")
            XCTAssertEqual(stored?.connectors ?? [], [], "the refused status is not stored")
        }
    }

    func testUnknownActionIsAnsweredWithNotImplemented() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("ACTION-1")
            pile.peer.sendRaw(#"[2,"unknown-1","BrewCoffee",{}]"#)
            let reply = try await harness.reply(from: pile, to: "unknown-1")
            let description = assertCallError(reply, id: "unknown-1", code: "NotImplemented")
            XCTAssertTrue(description.contains("BrewCoffee"), description)
            _ = try await harness.finding("rpc.unknown-action", for: "ACTION-1", messageId: "unknown-1")
        }
    }

    func testKnownActionOfAnUnsupportedProfileIsAnsweredWithNotSupported() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("ACTION-2")
            pile.peer.sendRaw(
                #"[2,"reserve-1","ReserveNow",{"connectorId":1,"expiryDate":"2027-01-01T00:00:00Z","idTag":"T","reservationId":1}]"#)
            let reply = try await harness.reply(from: pile, to: "reserve-1")
            assertCallError(reply, id: "reserve-1", code: "NotSupported")
            // A security-extension request the gateway serves: without a CA (security.ca) a CSR is Rejected, not an error.
            pile.peer.sendRaw(#"[2,"csr-1","SignCertificate",{"csr":"-----BEGIN CERTIFICATE REQUEST-----"}]"#)
            let signing = try await harness.reply(from: pile, to: "csr-1")
            XCTAssertEqual(signing, [3, "csr-1", ["status": "Rejected"]])
        }
    }

    func testUnknownMessageTypeIsIgnoredAndTheConnectionStillAnswersAHeartbeat() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("TYPE-7")
            pile.peer.sendRaw(#"[7,"type-seven",{}]"#)
            // Replies go out in order: once the Heartbeat is answered, an answer to [7, …] would have come first.
            _ = try await pile.call(V16.Heartbeat.self, .init())
            XCTAssertNil(pile.reply(to: "type-seven"))
            XCTAssertEqual(pile.incomingFrames.filter { $0.messageId == "type-seven" }.count, 0)
            XCTAssertFalse(pile.isClosed)
            _ = try await harness.finding("rpc.unknown-message-type", for: "TYPE-7", messageId: "type-seven")
        }
    }

    func testCallResultNobodyAskedForIsRecordedAsUnsolicitedReply() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("UNSOLICITED-1")
            pile.peer.sendRaw(#"[3,"nobody-asked-1",{"status":"Accepted"}]"#)
            let finding = try await harness.finding("rpc.unsolicited-reply", for: "UNSOLICITED-1", messageId: "nobody-asked-1")
            XCTAssertEqual(finding.severity, "warning")
            _ = try await pile.call(V16.Heartbeat.self, .init())
            XCTAssertNil(pile.reply(to: "nobody-asked-1"), "a reply is never answered")
        }
    }

    func testMessageIdLongerThan36CharactersIsAnsweredAndRecorded() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("LONG-ID-1")
            let id = String(repeating: "x", count: 40)
            pile.peer.sendRaw(#"[2,"\#(id)","Heartbeat",{}]"#)
            let reply = try await harness.reply(from: pile, to: id)
            XCTAssertNotNil(assertCallResult(reply, id: id)["currentTime"])
            _ = try await harness.finding("rpc.message-id-too-long", for: "LONG-ID-1", messageId: id)
        }
    }

    func testOversizedMessageClosesOnlyThatConnectionAndIsRecorded() async throws {
        var configuration = GatewayConfiguration()
        configuration.maxMessageSize = 2048
        try await GatewayHarness.with(configuration) { harness in
            let big = try await harness.connect("BIG-1")
            let bystander = try await harness.connect("BIG-2")
            _ = try await big.boot()
            _ = try await bystander.boot()

            let data = String(repeating: "A", count: 10_000)
            big.peer.sendRaw(#"[2,"big-1","DataTransfer",{"vendorId":"com.example","data":"\#(data)"}]"#)
            let closed = try await harness.eventually(5) { big.isClosed }
            XCTAssertTrue(closed, "the gateway closes the connection that sent too much; events: \(big.events)")
            XCTAssertEqual(big.closeCodes, ["messageTooLarge"], "close 1009")
            XCTAssertNil(big.reply(to: "big-1"))
            let finding = try await harness.finding("transport.oversized-message", for: "BIG-1")
            XCTAssertEqual(finding.severity, "error")

            // The other pile, connected all along, is not affected.
            _ = try await bystander.call(V16.Heartbeat.self, .init())
            let status = try await bystander.call(V16.DataTransfer.self, .init(vendorId: "com.example", data: "small"))
            XCTAssertEqual(status.status, .UnknownVendorId)
            XCTAssertFalse(bystander.isClosed)
            let onlyBystander = try await harness.eventually(5) { harness.gateway.connectedChargePoints == ["BIG-2"] }
            XCTAssertTrue(onlyBystander, "connected: \(harness.gateway.connectedChargePoints)")
            let offline = try await harness.eventually(5) {
                try await harness.store.flush()
                return try await harness.store.chargePoint(id: "BIG-1")?.chargePoint.connected == false
            }
            XCTAssertTrue(offline, "the closed pile is marked offline")
        }
    }

    // MARK: Lenient and strict validation

    /// Three deviations piles in the field really send (docs/ocpp-notes.md, pitfalls 1, 3 and 2).
    private let deviations: [(id: String, frame: String, rule: String, strictCode: String)] = [
        (
            "dev-value",
            #"[2,"dev-value","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":"2027-01-15T10:00:00Z","sampledValue":[{"value":1234.5}]}]}]"#,
            "payload.string-as-number", "TypeConstraintViolation"
        ),
        (
            "dev-time",
            #"[2,"dev-time","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Available","timestamp":"2027-01-15T10:00:00"}]"#,
            "payload.timestamp-off-spec", "PropertyConstraintViolation"
        ),
        (
            "dev-meter",
            #"[2,"dev-meter","StartTransaction",{"connectorId":1,"idTag":"LENIENT","meterStart":"123","timestamp":"2027-01-15T10:00:00Z"}]"#,
            "payload.number-as-string", "TypeConstraintViolation"
        ),
    ]

    func testLenientModeAcceptsRepairableDeviationsAndRecordsThemAsFindings() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("LENIENT-1")
            for deviation in deviations {
                pile.peer.sendRaw(deviation.frame)
                let reply = try await harness.reply(from: pile, to: deviation.id)
                let payload = assertCallResult(reply, id: deviation.id)
                let finding = try await harness.finding(deviation.rule, for: "LENIENT-1", messageId: deviation.id)
                XCTAssertEqual(finding.severity, "warning")
                if deviation.id == "dev-meter" {
                    let transactionId = try XCTUnwrap(payload["transactionId"]?.intValue)
                    let session = try await harness.store.session(id: transactionId)
                    XCTAssertEqual(session?.session.meterStartWh, 123, "\"123\" is read as 123")
                    XCTAssertEqual(session?.session.status, .active)
                }
            }
            // The repaired values are what is stored.
            let detail = try await harness.store.chargePoint(id: "LENIENT-1")
            let connector = try XCTUnwrap(detail?.connectors.first { $0.connectorId == 1 })
            XCTAssertEqual(connector.since, Date(timeIntervalSince1970: 1_800_007_200), "a time without zone is read as UTC")
            let findings = try await harness.findings("LENIENT-1")
            XCTAssertFalse(findings.contains { $0.rule == "rpc.schema-violation" })
        }
    }

    func testStrictModeAnswersTheSameDeviationsWithCallErrors() async throws {
        var configuration = GatewayConfiguration()
        configuration.validation = .strict
        try await GatewayHarness.with(configuration) { harness in
            let pile = try await harness.connect("STRICT-1")
            for deviation in deviations {
                pile.peer.sendRaw(deviation.frame)
                let reply = try await harness.reply(from: pile, to: deviation.id)
                assertCallError(reply, id: deviation.id, code: deviation.strictCode)
                _ = try await harness.finding("rpc.schema-violation", for: "STRICT-1", messageId: deviation.id)
            }
            let findings = try await harness.findings("STRICT-1")
            XCTAssertEqual(findings.filter { $0.rule.hasPrefix("payload.") }.map(\.rule), [], "nothing was repaired")
            let sessions = try await harness.store.sessions(chargePointId: "STRICT-1", status: nil, limit: 10)
            XCTAssertEqual(sessions.count, 0, "the refused StartTransaction started nothing")
        }
    }
}
