import Foundation
import Gateway
import OCPP
import OCPPWebSocket
import SessionStore
import Simulator
import XCTest

/// Each quirk of the catalogue, seen in the frames the gateway recorded, and the
/// finding the gateway made of it where a rule exists.
final class QuirksOnTheWireTests: SimulationTestCase {
    /// Runs one short session on a pile with `quirk`; returns what the pile sent and the findings.
    func run(
        _ quirk: Quirk, speed: Double = 600, configuration: GatewayConfiguration = GatewayConfiguration(),
        edit: (inout PileProfile) -> Void = { _ in }, during: ((GatewayHarness, PileHandle, String) async throws -> Void)? = nil
    ) async throws -> (incoming: [String], findings: [String]) {
        var result: ([String], [String]) = ([], [])
        try await withHarness(configuration) { harness in
            let id = "Q-\(quirk.rawValue)".prefix(40).description
            let pile = try await startPile(harness, identity: id, speed: speed, quirks: [quirk], edit: edit)
            let car = try vehicle("su7-max")
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 40, targetSoC: 70, idTag: "XIAOMI-Q") }
            _ = try await harness.eventually(10) { try await self.sessions(harness, id).first != nil }
            if let during { try await during(harness, pile, id) }
            _ = try await harness.eventually(15) { try await self.sessions(harness, id).first?.status == .completed }
            try await harness.store.flush()
            let frames = try await frames(harness, id)
            let findings = try await harness.store.findings(chargePointId: id, limit: 1000)
            result = (frames.filter { $0.direction == .incoming }.map(\.text), findings.map(\.rule))
        }
        return result
    }

    func assertSome(_ frames: [String], match pattern: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(
            frames.contains { $0.range(of: pattern, options: .regularExpression) != nil },
            "no frame matches \(pattern)", file: file, line: line)
    }

    func testSampledValueAsNumber() async throws {
        let (frames, findings) = try await run(.sampledValueAsNumber)
        assertSome(frames, match: #""value":[0-9]"#)
        XCTAssertTrue(findings.contains("payload.string-as-number"))
    }

    func testTimestampWithoutZone() async throws {
        let (frames, findings) = try await run(.timestampWithoutZone)
        assertSome(frames, match: #""timestamp":"[0-9-]+T[0-9:]+\.[0-9]{3}""#)
        XCTAssertTrue(findings.contains("payload.timestamp-off-spec"))
    }

    func testTimestampLocalOffset() async throws {
        let (frames, findings) = try await run(.timestampLocalOffset)
        assertSome(frames, match: #"\+08:00""#)
        XCTAssertTrue(findings.contains("payload.timestamp-off-spec"))
    }

    func testTimestampMicroseconds() async throws {
        let (frames, findings) = try await run(.timestampMicroseconds)
        assertSome(frames, match: #"\.[0-9]{6}Z""#)
        XCTAssertTrue(findings.contains("payload.timestamp-off-spec"))
    }

    func testNoSubprotocolHeader() async throws {
        let (_, findings) = try await run(.noSubprotocolHeader)
        XCTAssertTrue(findings.contains("transport.missing-subprotocol"))
    }

    func testLowercaseEnums() async throws {
        let (frames, findings) = try await run(.lowercaseEnums)
        assertSome(frames, match: #""status":"(available|preparing|charging)""#)
        XCTAssertTrue(findings.contains("payload.enum-letter-case"))
    }

    func testMeterValuesBeforeStartConf() async throws {
        let (frames, findings) = try await run(.meterValuesBeforeStartConf)
        let start = try XCTUnwrap(frames.firstIndex { $0.contains("\"StartTransaction\"") })
        let early = try XCTUnwrap(frames.firstIndex { $0.contains("\"MeterValues\"") && !$0.contains("transactionId") })
        XCTAssertEqual(early, start + 1, "the MeterValues follows the StartTransaction at once, before its reply")
        XCTAssertTrue(findings.contains("rpc.overlapping-call"), "two CALLs in flight: \(findings)")
    }

    func testEnergyInKWhWithoutUnit() async throws {
        let (frames, findings) = try await run(.energyInKWhWithoutUnit)
        assertSome(frames, match: #"\{"value":"[0-9]+\.[0-9]{3}","context":"[A-Za-z.]+","measurand":"Energy.Active.Import.Register"\}"#)
        XCTAssertTrue(findings.contains("meter.energy-below-power"), "\(findings)")
        XCTAssertFalse(findings.contains("session.energy-register-decreased"), "a unit, not a decrease: \(findings)")
    }

    func testRegisterJump() async throws {
        let (frames, findings) = try await run(.registerJump, edit: { $0.maxPowerKW = 640 })
        assertSome(frames, match: #""value":"42[0-9]{8}","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register""#)
        XCTAssertTrue(findings.contains("meter.register-jump"), "\(findings)")
        XCTAssertFalse(findings.contains("meter.energy-above-power"), "\(findings)")
    }

    func testNegativeImportPower() async throws {
        let (frames, findings) = try await run(.negativeImportPower)
        assertSome(frames, match: #""value":"-[0-9]+","context":"Sample.Periodic","measurand":"Power.Active.Import""#)
        XCTAssertEqual(findings.filter { $0.hasPrefix("meter.") }, ["meter.negative-import-power"])
    }

    func testMeterRegisterReset() async throws {
        let (frames, findings) = try await run(.meterRegisterReset, edit: { $0.maxPowerKW = 640 })
        assertSome(frames, match: #""StopTransaction""#)
        XCTAssertTrue(findings.contains("session.meter-stop-below-start"), "\(findings)")
        XCTAssertTrue(findings.contains("session.energy-register-decreased"), "\(findings)")
    }

    func testReusedMessageIds() async throws {
        let (frames, findings) = try await run(.reusedMessageIds)
        let calls = frames.filter { $0.hasPrefix("[2,") }
        XCTAssertGreaterThan(calls.count, 3)
        XCTAssertTrue(calls.allSatisfy { $0.hasPrefix(#"[2,"1","#) }, "every CALL reuses id 1")
        XCTAssertTrue(findings.contains("rpc.message-id-reused"), "\(findings)")
    }

    func testSlowReplies() async throws {
        try await withHarness { harness in
            let pile = try await startPile(harness, identity: "Q-slow", quirks: [.slowReplies]) { _ in } context: { $0.slowReplySeconds = 1.5 }
            _ = pile
            do {
                _ = try await harness.gateway.triggerMessage("Q-slow", .Heartbeat, timeout: .milliseconds(400))
                XCTFail("the slow reply arrived in time")
            } catch let error as RPCCallError {
                guard case .timedOut = error else { return XCTFail("expected a timeout, got \(error)") }
            }
            try await harness.store.flush()
            let findings = try await harness.store.findings(chargePointId: "Q-slow", limit: 100).map(\.rule)
            XCTAssertTrue(findings.contains("rpc.call-timeout"))
        }
    }

    func testOverlongIdTag() async throws {
        let (frames, findings) = try await run(.overlongIdTag)
        assertSome(frames, match: #""idTag":"XIAOMI-Q0{17}""#)
        XCTAssertTrue(findings.contains("payload.string-too-long"))
    }

    func testDuplicateStartAfterReconnect() async throws {
        let (frames, findings) = try await run(.duplicateStartAfterReconnect, during: { harness, pile, id in
            pile.execute { $0.dropConnection() }
            _ = try await harness.eventually(10) {
                try await harness.store.flush()
                return try await self.frames(harness, id).filter { $0.direction == .incoming && $0.action == "StartTransaction" }.count >= 2
            }
        })
        XCTAssertGreaterThanOrEqual(frames.filter { $0.contains("\"StartTransaction\"") }.count, 2)
        XCTAssertTrue(findings.contains("session.duplicate-start"))
    }

    func testFractionalMeterValues() async throws {
        let (frames, findings) = try await run(.fractionalMeterValues)
        assertSome(frames, match: #""meterStart":[0-9]+\.5"#)
        XCTAssertTrue(findings.contains("payload.fractional-integer"))
    }

    func testNullOptionalFields() async throws {
        let (frames, findings) = try await run(.nullOptionalFields)
        assertSome(frames, match: #""info":null"#)
        XCTAssertTrue(findings.contains("payload.null-optional"))
    }

    func testFaultedWithoutErrorCode() async throws {
        let (frames, findings) = try await run(.faultedWithoutErrorCode, during: { _, pile, _ in
            pile.execute { $0.fault(connector: 1) }
        })
        assertSome(frames, match: #""errorCode":"NoError","status":"Faulted""#)
        XCTAssertFalse(frames.contains { $0.contains("GroundFailure") }, "the quirk leaves the error unnamed")
        XCTAssertTrue(findings.contains("status.faulted-without-error"))
    }

    func testStopWithOtherTag() async throws {
        // A closed network: the driver's card is listed, the other one is not.
        var configuration = GatewayConfiguration()
        configuration.acceptUnknownIdTags = false
        configuration.idTags = [.init(idTag: "XIAOMI-Q")]
        let (frames, findings) = try await run(.stopWithOtherTag, configuration: configuration)
        assertSome(frames, match: #""idTag":"ANOTHER-CARD""#)
        XCTAssertTrue(findings.contains("session.stop-tag-mismatch"), "\(findings)")
    }

    func testStatusStorm() async throws {
        let (frames, findings) = try await run(.statusStorm)
        let available = frames.filter { $0.contains("StatusNotification") && $0.contains(#""status":"Available""#) }
        XCTAssertGreaterThanOrEqual(available.count, 4, "each status four times")
        XCTAssertTrue(findings.contains("status.storm"), "\(findings)")
    }

    func testBootTwice() async throws {
        let (frames, findings) = try await run(.bootTwice)
        XCTAssertGreaterThanOrEqual(frames.filter { $0.contains("\"BootNotification\"") }.count, 2)
        XCTAssertEqual(findings.filter { $0 == "boot.repeated-on-connection" }.count, 1, "once per connection")
    }

    func testBootLoop() async throws {
        try await withHarness { harness in
            _ = try await startPile(harness, identity: "Q-boot-loop", speed: 60, quirks: [.bootLoop])
            _ = try await harness.finding("boot.reconnect-loop", for: "Q-boot-loop", timeout: 10)
            let boots = try await frames(harness, "Q-boot-loop").filter { $0.direction == .incoming && $0.action == "BootNotification" }
            XCTAssertGreaterThanOrEqual(boots.count, 3)
        }
    }

    func testOverlappingCalls() async throws {
        let (_, findings) = try await run(.overlappingCalls)
        XCTAssertTrue(findings.contains("rpc.overlapping-call"), "\(findings)")
    }

    func testNonstandardErrorCodes() async throws {
        try await withHarness { harness in
            _ = try await startPile(harness, identity: "Q-error-codes", quirks: [.nonstandardErrorCodes])
            do {
                _ = try await harness.gateway.command(
                    "Q-error-codes", action: "GetInstalledCertificateIds", payload: ["certificateType": "CentralSystemRootCertificate"], issuedBy: "test")
                XCTFail("the pile does not serve GetInstalledCertificateIds")
            } catch CommandFailure.pileError(let code, _) {
                XCTAssertEqual(code, "UnknownAction")
            } catch {
                XCTFail("expected a pile error, got \(error)")
            }
            let found = try await harness.finding("rpc.unknown-error-code", for: "Q-error-codes")
            XCTAssertTrue(found.detail.contains("UnknownAction"), found.detail)
        }
    }

    func testConfigKeyWithoutReadonly() async throws {
        try await withHarness { harness in
            _ = try await startPile(harness, identity: "Q-readonly", quirks: [.configKeyWithoutReadonly])
            do {
                _ = try await harness.gateway.getConfiguration("Q-readonly", keys: ["HeartbeatInterval"], timeout: .seconds(3))
                XCTFail("keys without readonly break GetConfiguration.conf")
            } catch RPCCallError.invalidResponse {}
            let found = try await harness.finding("rpc.reply-schema-violation", for: "Q-readonly")
            XCTAssertTrue(found.detail.contains("readonly"), found.detail)
        }
    }

    func testEveryQuirkHasATestHere() {
        // A new quirk without a wire test above fails here.
        let tested: Set<Quirk> = [
            .sampledValueAsNumber, .timestampWithoutZone, .timestampLocalOffset, .timestampMicroseconds, .noSubprotocolHeader,
            .lowercaseEnums, .meterValuesBeforeStartConf, .energyInKWhWithoutUnit, .meterRegisterReset, .reusedMessageIds,
            .slowReplies, .overlongIdTag, .duplicateStartAfterReconnect, .fractionalMeterValues, .nullOptionalFields, .faultedWithoutErrorCode,
            .registerJump, .negativeImportPower, .stopWithOtherTag, .statusStorm,
            .bootTwice, .bootLoop, .overlappingCalls, .nonstandardErrorCodes, .configKeyWithoutReadonly,
            .ignoresChargingProfiles, .wattsAsAmperes, .profileAtNextMeterValues, .wholeAmpereRounding, .rejectsRecurringProfiles,
        ]
        XCTAssertEqual(tested, Set(Quirk.allCases))
    }
}
