import Foundation
import Gateway
import OCPP
import XCTest

/// Strict or lenient per network and per pile model: the same violation is answered with
/// CALLERROR under strict and accepted (with the finding recorded) under lenient.
final class CompliancePolicyTests: XCTestCase {
    private func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-policy-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testTheMostSpecificPolicyWinsAndModelBeatsNetwork() {
        let policies: [CompliancePolicy] = [
            .init(network: "nio", validation: .strict),
            .init(network: "xpeng", validation: .strict),
            .init(model: "S5", validation: .lenient),
            .init(network: "xpeng", model: "G9", validation: .lenient),
        ]
        func mode(_ network: String?, _ model: String?) -> ValidationMode {
            CompliancePolicy.mode(network: network, model: model, policies: policies, fallback: .lenient)
        }
        XCTAssertEqual(mode("nio", "ES8"), .strict)
        XCTAssertEqual(mode("xpeng", "S5"), .lenient, "a model entry beats a network entry")
        XCTAssertEqual(mode("xpeng", "G9"), .lenient)
        XCTAssertEqual(mode("xpeng", "P7"), .strict)
        XCTAssertEqual(mode("tesla", "V4"), .lenient, "the default")
        XCTAssertEqual(mode(nil, nil), .lenient)
        XCTAssertEqual(CompliancePolicy.mode(network: "x", model: nil, policies: [], fallback: .strict), .strict)
    }

    func testPoliciesLoadFromYAMLAndBadOnesAreRefused() throws {
        let good = try GatewayConfiguration.load(path: try write("""
            validation: lenient
            policies:
              - { network: nio, validation: strict }
              - { network: xpeng, model: "S5", validation: lenient }
            """))
        XCTAssertEqual(good.policies, [.init(network: "nio", validation: .strict), .init(network: "xpeng", model: "S5", validation: .lenient)])
        XCTAssertEqual(good.validation(network: "nio", model: "ET7"), .strict)

        XCTAssertThrowsError(try GatewayConfiguration.load(path: try write("policies:\n  - { validation: strict }\n"))) { error in
            XCTAssertTrue("\(error)".contains("names neither a network nor a model"), "\(error)")
        }
        XCTAssertThrowsError(try GatewayConfiguration.load(path: try write("policies:\n  - { network: nio, validaton: strict }\n"))) { error in
            XCTAssertTrue("\(error)".contains(":2:"), "names the line: \(error)")
        }
        XCTAssertThrowsError(try GatewayConfiguration.load(path: try write("policies:\n  - { network: nio, validation: picky }\n")))
        XCTAssertThrowsError(try GatewayConfiguration.load(path: try write("clockTolerance: -1\n"))) { error in
            XCTAssertTrue("\(error)".contains("clockTolerance"), "\(error)")
        }
    }

    func testAStrictNetworkGetsCallErrorWhereALenientNetworkIsAcceptedAndBothAreRecorded() async throws {
        var configuration = GatewayConfiguration()
        configuration.chargePoints = [.init(id: "NIO-STRICT-1", network: "nio"), .init(id: "XP-LENIENT-1", network: "xpeng")]
        configuration.policies = [.init(network: "nio", validation: .strict)]
        try await GatewayHarness.with(configuration) { harness in
            let strictPile = try await harness.connect("NIO-STRICT-1")
            let lenientPile = try await harness.connect("XP-LENIENT-1")
            let script = Script([Frames.boot, Frames.status(1, "Available"), Frames.status(1, "Finishing")])
            let strictReplies = try await script.play(on: harness, as: strictPile)
            let lenientReplies = try await script.play(on: harness, as: lenientPile)
            let description = assertCallError(strictReplies[2], id: "m2", code: "PropertyConstraintViolation")
            XCTAssertTrue(description.contains("status.illegal-transition"), description)
            assertCallResult(lenientReplies[2], id: "m2")
            _ = try await harness.finding("status.illegal-transition", for: "NIO-STRICT-1", messageId: "m2")
            _ = try await harness.finding("status.illegal-transition", for: "XP-LENIENT-1", messageId: "m2")

            // Schema repairs follow the same policy: a number sent as a string.
            let numberAsString = Script([.call("StatusNotification", #"{"connectorId":"1","errorCode":"NoError","status":"Available"}"#, id: "nas")])
            let strictSchema = try await numberAsString.play(on: harness, as: strictPile)
            assertCallError(strictSchema[0], id: "nas", code: "TypeConstraintViolation")
            let lenientSchema = try await numberAsString.play(on: harness, as: lenientPile)
            assertCallResult(lenientSchema[0], id: "nas")
        }
    }

    func testAModelPolicyAppliesOnceThePileBootsWithThatModel() async throws {
        var configuration = GatewayConfiguration()
        configuration.chargePoints = [.init(id: "XP-S5-1", network: "xpeng"), .init(id: "XP-G6-1", network: "xpeng")]
        configuration.policies = [.init(network: "xpeng", validation: .strict), .init(network: "xpeng", model: "S5", validation: .lenient)]
        try await GatewayHarness.with(configuration) { harness in
            func play(_ identity: String, model: String) async throws -> [JSON] {
                let pile = try await harness.connect(identity)
                let replies = try await Script([
                    .call("BootNotification", #"{"chargePointVendor":"XPeng","chargePointModel":"\#(model)"}"#),
                    Frames.status(1, "Available"), Frames.status(1, "Available", at: 3600),
                ]).play(on: harness, as: pile)
                return replies[2]
            }
            assertCallResult(try await play("XP-S5-1", model: "S5"), id: "m2")
            assertCallError(try await play("XP-G6-1", model: "G6"), id: "m2", code: "PropertyConstraintViolation")
            _ = try await harness.finding("clock.timestamp-ahead", for: "XP-S5-1")
            _ = try await harness.finding("clock.timestamp-ahead", for: "XP-G6-1")
        }
    }

    func testAWrongClockIsRecordedOncePerConnectionYetRejectedEveryTimeUnderStrict() async throws {
        var configuration = GatewayConfiguration()
        configuration.validation = .strict
        try await GatewayHarness.with(configuration) { harness in
            let pile = try await harness.connect("CLOCK-ONCE-1")
            let replies = try await Script([
                Frames.boot, Frames.status(1, "Available", at: 3600), Frames.status(1, "Available", at: 3600), Frames.start(at: 3600),
            ]).play(on: harness, as: pile)
            XCTAssertEqual(replies.dropFirst().map { $0.first }, [4, 4, 4], "every message with the wrong clock is refused")
            _ = try await harness.finding("clock.timestamp-ahead", for: "CLOCK-ONCE-1")
            let stored = try await harness.findings("CLOCK-ONCE-1").filter { $0.rule == "clock.timestamp-ahead" }
            XCTAssertEqual(stored.map(\.messageId), ["m1"], "stored once per connection")
        }
    }

    /// Under strict, each rule with a strict reply answers its crafted case with that CALLERROR.
    func testEveryRejectableRuleAnswersItsCaseWithItsCallErrorUnderStrict() async throws {
        let rejectable = ComplianceRuleTests.cases.filter { FindingRule.rule(id: $0.rule)?.strictReply != nil }
        XCTAssertFalse(rejectable.isEmpty)
        var configuration = GatewayConfiguration()
        configuration.validation = .strict
        try await GatewayHarness.with(configuration) { harness in
            for (index, c) in rejectable.enumerated() {
                let identity = "STRICT-\(index)"
                let pile = try await harness.connect(identity)
                try await c.script.play(on: harness, as: pile, idTag: "STRICT-\(index)")
                let rule = try XCTUnwrap(FindingRule.rule(id: c.rule))
                let code = try XCTUnwrap(rule.strictReply).wireName(for: .v16)
                // The last reply with the case's last id (a reused id has two replies).
                let last = try await harness.eventually(5) {
                    pile.incomingFrames.last { $0.messageId == c.script.lastMessageId }?.messageType == 4
                }
                XCTAssertTrue(last, "\(c.rule): no CALLERROR")
                let frame = try XCTUnwrap(pile.incomingFrames.last { $0.messageId == c.script.lastMessageId })
                let reply = try XCTUnwrap(JSONParser.parse(frame.text).arrayValue)
                assertCallError(reply, id: c.script.lastMessageId, code: code)
                _ = try await harness.finding(c.rule, for: identity)
            }
        }
    }

    func testTolerancesComeFromTheMostSpecificEntryAndIgnoreAddsUp() throws {
        let configuration = try GatewayConfiguration.load(path: try write("""
            ignore: [heartbeat.too-frequent]
            tolerances: { maxPowerKW: 400 }
            policies:
              - { network: nio, validation: strict, tolerances: { energyShortfallFactor: 50 }, ignore: [status.illegal-transition] }
              - { network: nio, model: "ES8", ignore: [meter.soc-out-of-range] }
            """))
        let es8 = configuration.policy(network: "nio", model: "ES8")
        XCTAssertEqual(es8.validation, .strict, "from the network entry: the model entry sets none")
        XCTAssertEqual(es8.tolerances.energyShortfallFactor, 50)
        XCTAssertEqual(es8.tolerances.maxPowerKW, RuleTolerances().maxPowerKW, "an entry's tolerances replace the default as a whole")
        XCTAssertEqual(es8.ignored, ["heartbeat.too-frequent", "status.illegal-transition", "meter.soc-out-of-range"])
        let other = configuration.policy(network: "xpeng", model: "G6")
        XCTAssertEqual(other.tolerances.maxPowerKW, 400)
        XCTAssertEqual(other.ignored, ["heartbeat.too-frequent"])

        XCTAssertThrowsError(try GatewayConfiguration.load(path: try write("ignore: [status.no-such-rule]\n"))) { error in
            XCTAssertTrue("\(error)".contains("status.no-such-rule"), "\(error)")
        }
        XCTAssertThrowsError(try GatewayConfiguration.load(path: try write("tolerances: { statusRepeatsPerSecond: 0 }\n"))) { error in
            XCTAssertTrue("\(error)".contains("tolerances.statusRepeatsPerSecond"), "\(error)")
        }
        XCTAssertThrowsError(try GatewayConfiguration.load(path: try write("tolerances: { maxPowerKw: 3 }\n"))) { error in
            XCTAssertTrue("\(error)".contains("unknown key"), "\(error)")
        }
        XCTAssertThrowsError(try GatewayConfiguration.load(path: try write("policies:\n  - { network: nio }\n"))) { error in
            XCTAssertTrue("\(error)".contains("sets none of"), "\(error)")
        }
    }

    func testAnIgnoredRuleIsNeitherRecordedNorRejected() async throws {
        var configuration = GatewayConfiguration()
        configuration.validation = .strict
        configuration.chargePoints = [.init(id: "IGNORE-1", network: "teld"), .init(id: "CHECK-1", network: "ykc")]
        configuration.policies = [.init(network: "teld", ignore: ["status.illegal-transition"])]
        try await GatewayHarness.with(configuration) { harness in
            let script = Script([Frames.boot, Frames.status(1, "Available"), Frames.status(1, "Finishing"), Frames.status(1, "Faulted")])
            let ignoring = try await script.play(on: harness, as: try await harness.connect("IGNORE-1"))
            let checking = try await script.play(on: harness, as: try await harness.connect("CHECK-1"))
            assertCallResult(ignoring[2], id: "m2")
            assertCallError(checking[2], id: "m2", code: "PropertyConstraintViolation")
            // The next rule still applies to the ignoring pile: its finding proves the first was not lost to timing.
            _ = try await harness.finding("status.faulted-without-error", for: "IGNORE-1")
            let rules = try await harness.findings("IGNORE-1").map(\.rule)
            XCTAssertFalse(rules.contains("status.illegal-transition"), "\(rules)")
        }
    }
}
