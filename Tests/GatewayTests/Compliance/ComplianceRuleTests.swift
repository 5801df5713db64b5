import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

/// The rule catalogue against crafted frames: each rule fires on its case, with the
/// message that broke it, and a clean session produces no finding at all.
final class ComplianceRuleTests: XCTestCase {
    struct Case {
        let rule: String
        let script: Script
        /// The finding names the last CALL (false for rules noticed on a later frame).
        var namesLastMessage = true
    }

    /// Cases that need nothing but the default configuration.
    static let cases: [Case] = {
        let f = Frames.self
        return [
            Case(rule: "session.energy-register-decreased", script: Script([f.boot, f.start(meterStart: 1000), f.meter(wh: "1500"), f.meter(wh: "1200")])),
            Case(rule: "session.meter-values-outside-transaction", script: Script([f.boot, f.status(1, "Available"), f.meter(wh: "1500", transaction: nil)])),
            Case(rule: "session.stop-before-start", script: Script([f.boot, f.start(at: 0), f.status(1, "Charging"), f.stop(meterStop: 2000, at: -120)])),
            Case(rule: "status.illegal-transition", script: Script([f.boot, f.status(1, "Available"), f.status(1, "Finishing")])),
            Case(rule: "meter.soc-out-of-range", script: Script([f.boot, f.start(), .call("MeterValues", #"{"connectorId":1,"transactionId":$TX,"meterValue":[{"timestamp":$T(0),"sampledValue":[{"value":"104","measurand":"SoC","location":"EV","unit":"Percent"}]}]}"#)])),
            Case(rule: "status.faulted-without-error", script: Script([f.boot, f.status(1, "Available"), f.status(1, "Faulted")])),
            Case(rule: "status.missing-around-session", script: Script([f.boot, f.status(1, "Preparing"), f.start(), f.stop(meterStop: 2000)])),
            Case(rule: "clock.timestamp-ahead", script: Script([f.boot, f.status(1, "Available", at: 3600)])),
            Case(rule: "heartbeat.too-frequent", script: Script([f.boot, f.heartbeat, .call("Heartbeat", "{}", id: "hb-2")])),
            Case(rule: "rpc.message-id-reused", script: Script([f.boot, .call("Heartbeat", "{}", id: "same"), .call("Authorize", #"{"idTag":"A"}"#, id: "same")])),
            Case(rule: "rpc.message-id-too-long", script: Script([.call("Heartbeat", "{}", id: String(repeating: "x", count: 40))])),
            Case(rule: "rpc.schema-violation", script: Script([.call("Authorize", "{}")])),
            Case(rule: "rpc.unknown-action", script: Script([.call("FlyToTheMoon", "{}")])),
            Case(rule: "session.duplicate-start", script: Script([f.boot, .call("StartTransaction", #"{"connectorId":1,"idTag":"$TAG","meterStart":1000,"timestamp":"2026-01-01T00:00:00Z"}"#), .call("StartTransaction", #"{"connectorId":1,"idTag":"$TAG","meterStart":1000,"timestamp":"2026-01-01T00:00:00Z"}"#)])),
            Case(rule: "session.duplicate-stop", script: Script([f.boot, f.start(), f.status(1, "Charging"), f.stop(meterStop: 2000), f.stop(meterStop: 2000)])),
            Case(rule: "session.stop-unknown-transaction", script: Script([f.boot, f.stop(meterStop: 2000, transactionId: "777777")])),
            Case(rule: "session.meter-values-unknown-transaction", script: Script([f.boot, f.meter(wh: "10", transaction: "777777")])),
            Case(rule: "session.meter-stop-below-start", script: Script([f.boot, f.start(meterStart: 5000), f.status(1, "Charging"), f.stop(meterStop: 4000)])),
            Case(rule: "session.unparsable-sample", script: Script([f.boot, f.start(), f.meter(wh: "lots")])),
            Case(rule: "payload.number-as-string", script: Script([f.boot, .call("StartTransaction", #"{"connectorId":"1","idTag":"T","meterStart":0,"timestamp":$T(0)}"#)])),
            Case(rule: "payload.string-as-number", script: Script([f.boot, f.start(), .call("MeterValues", #"{"connectorId":1,"transactionId":$TX,"meterValue":[{"timestamp":$T(0),"sampledValue":[{"value":1500}]}]}"#)])),
            Case(rule: "payload.fractional-integer", script: Script([f.boot, f.start(meterStart: 1000), .call("StopTransaction", #"{"meterStop":1500.5,"timestamp":$T(0),"transactionId":$TX}"#)])),
            Case(rule: "payload.null-optional", script: Script([f.boot, .call("StatusNotification", #"{"connectorId":1,"errorCode":"NoError","status":"Available","info":null}"#)])),
            Case(rule: "payload.enum-letter-case", script: Script([f.boot, .call("StatusNotification", #"{"connectorId":1,"errorCode":"NoError","status":"available"}"#)])),
            Case(rule: "payload.string-too-long", script: Script([f.boot, .call("Authorize", #"{"idTag":"ABCDEFGHIJKLMNOPQRSTUVWXYZ"}"#)])),
            Case(rule: "payload.unknown-property", script: Script([f.boot, .call("Heartbeat", #"{"extra":1}"#)])),
            Case(rule: "payload.timestamp-off-spec", script: Script([f.boot, .call("StatusNotification", #"{"connectorId":1,"errorCode":"NoError","status":"Available","timestamp":"2026-11-22T08:00:00+08:00"}"#)])),
            // meter
            Case(rule: "meter.energy-below-power", script: Script([f.boot, f.start(meterStart: 10, at: -900), f.energy("10", watts: "50000", at: -600), f.energy("14", watts: "50000", at: -300)])),
            Case(rule: "meter.energy-above-power", script: Script([f.boot, f.start(meterStart: 1000, at: -900), f.energy("1000", watts: "7000", at: -600), f.energy("2167", watts: "7000", at: -300)])),
            Case(rule: "meter.register-jump", script: Script([f.boot, f.start(meterStart: 1000, at: -120), f.meter(wh: "4294968296", at: -60)])),
            Case(rule: "meter.negative-import-power", script: Script([f.boot, f.start(), f.readings(["-3000 W Power.Active.Import"], at: 0)])),
            Case(rule: "meter.current-without-voltage", script: Script([f.boot, f.start(), f.readings(["16 A Current.Import", "0 V Voltage"], at: 0)])),
            Case(rule: "meter.negative-register", script: Script([f.boot, f.start(meterStart: -5)])),
            // state (StateRuleTests has the look-alikes that must stay silent)
            Case(rule: "session.start-on-inoperative-connector", script: Script([f.boot, f.status(1, "Available"), f.status(1, "Unavailable"), f.start()])),
            Case(rule: "session.concurrent-transaction", script: Script([f.boot, f.start(), f.status(1, "Charging"), f.start(meterStart: 1500)])),
            Case(rule: "session.charging-without-transaction", script: Script([f.boot, f.status(1, "Available"), f.status(1, "Charging"), f.meter(wh: "1000", transaction: nil), f.meter(wh: "1500", transaction: nil)])),
            Case(rule: "session.meter-values-after-stop", script: Script([f.boot, f.start(), f.status(1, "Charging"), f.stop(meterStop: 2000), f.meter(wh: "2000")])),
            Case(rule: "session.transaction-begin-repeated", script: Script([f.boot, f.start(), f.meter(wh: "1000", context: "Transaction.Begin", at: -10), f.meter(wh: "1200", context: "Transaction.Begin")])),
            Case(rule: "status.storm", script: Script([f.boot, f.status(1, "Available"), f.status(1, "Available"), f.status(1, "Available"), f.status(1, "Available")])),
            // boot and RPC discipline
            Case(rule: "boot.repeated-on-connection", script: Script([f.boot, f.heartbeat, f.boot])),
        ]
    }()

    /// Cases with a 1 s clock tolerance and heartbeat interval, so timing rules show in a test.
    static let timingCases: [Case] = {
        let f = Frames.self
        return [
            Case(rule: "clock.timestamp-behind", script: Script([f.boot, .wait(seconds: 1.2), f.status(1, "Available", at: -3600)])),
            Case(rule: "heartbeat.silent-too-long", script: Script([f.boot, .wait(seconds: 2.5), f.heartbeat]), namesLastMessage: false),
        ]
    }()

    static var timingConfiguration: GatewayConfiguration {
        var configuration = GatewayConfiguration()
        configuration.clockTolerance = 1
        configuration.heartbeatInterval = 1
        return configuration
    }

    /// Rules whose cases need a socket-level setup; the tests that trigger them are elsewhere.
    static let testedElsewhere: Set<String> = [
        "transport.missing-subprotocol", "transport.basic-scheme-case", "transport.oversized-message", "transport.keepalive-timeout", "transport.binary-frame",
        "rpc.malformed-frame", "rpc.unknown-message-type", "rpc.unsolicited-reply", "rpc.call-timeout",
        "value.out-of-range", "value.timestamp-out-of-window",  // HostileValueTests
        "txevent.seqno-gap", "txevent.seqno-repeated", "txevent.event-without-started", "txevent.event-after-ended",  // V201SessionTests
        "txevent.evse-missing", "txevent.trigger-inconsistent", "txevent.evse-repeated", "rpc.other-version-action",
        "txevent.transaction-id-reused",  // V201QuirksOnTheWireTests
        "session.charging-after-refusal", "session.stop-tag-mismatch", "session.transaction-end-missing",
        "status.connector-beyond-count",  // StateRuleTests (a closed network, a known configuration or count)
        "boot.reconnect-loop", "rpc.reply-schema-violation", "rpc.unknown-error-code", "rpc.overlapping-call",  // RPCDisciplineRuleTests
        "backend.malformed-frame", "backend.unknown-error-code", "backend.reply-schema-violation", "backend.call-timeout",
        "backend.late-reply", "backend.unknown-action", "backend.schema-violation", "backend.undelivered",  // RelayBackendTests
        "site.profile-rejected", "site.limit-exceeded",  // LoadManagementEndToEndTests, SiteStateTests
        "profiles.unrequested-report", "profiles.report-too-large",  // V201SmartChargingTests (2.0.1 stations)
    ]

    /// Runs each case on its own pile and checks its rule fired, naming the offending message.
    func run(_ cases: [Case], _ configuration: GatewayConfiguration = GatewayConfiguration()) async throws {
        try await GatewayHarness.with(configuration) { harness in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, c) in cases.enumerated() {
                    group.addTask {
                        let identity = "RULE-\(index)-\(c.rule.prefix(24))"
                        let pile = try await harness.connect(identity)
                        // Its own id tag: another case's running transaction would make it ConcurrentTx.
                        try await c.script.play(on: harness, as: pile, idTag: "TAG-\(index)")
                        let found = try await harness.finding(c.rule, for: identity, timeout: 5)
                        if c.namesLastMessage {
                            XCTAssertEqual(found.messageId, c.script.lastMessageId, "\(c.rule): \(found.detail)")
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    func testEveryRuleFiresOnItsCraftedCase() async throws {
        try await run(Self.cases)
    }

    func testTimingRulesFireOnTheirCasesWithAShortToleranceAndInterval() async throws {
        try await run(Self.timingCases, Self.timingConfiguration)
    }

    func testEveryCatalogueRuleHasACaseHereOrATestElsewhere() throws {
        let covered = Set((Self.cases + Self.timingCases).map(\.rule))
        let catalogue = Set(FindingRule.catalog.map(\.id))
        XCTAssertEqual(covered.union(Self.testedElsewhere), catalogue, "add a crafted case for every new rule")
        // "Elsewhere" must be true: the id appears in another test file.
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let sources = try FileManager.default.subpathsOfDirectory(atPath: tests.path).filter { $0.hasSuffix(".swift") && !$0.hasSuffix("ComplianceRuleTests.swift") }
        let text = try sources.map { try String(contentsOf: tests.appendingPathComponent($0), encoding: .utf8) }.joined()
        for rule in Self.testedElsewhere.sorted() {
            XCTAssertTrue(text.contains("\"\(rule)\""), "\(rule) is not checked by any other test")
        }
    }

    func testACleanSessionProducesNoFindingUnderLenientOrStrict() async throws {
        for mode in ValidationMode.allCases {
            var configuration = GatewayConfiguration()
            configuration.validation = mode
            try await GatewayHarness.with(configuration) { harness in
                let pile = try await harness.connect("CLEAN-\(mode.rawValue)")
                let replies = try await Script(Frames.cleanSession).play(on: harness, as: pile)
                XCTAssertEqual(replies.filter { $0.first != 3 }, [], "every CALL of a clean session is accepted (\(mode))")
                let findings = try await harness.findings("CLEAN-\(mode.rawValue)")
                XCTAssertEqual(findings.map { "\($0.rule): \($0.detail)" }, [], "\(mode)")
            }
        }
    }

    func testAReconnectReplayWithOldTimestampsIsNotBehindTheClock() async throws {
        try await GatewayHarness.with(Self.timingConfiguration) { harness in
            let pile = try await harness.connect("REPLAY-1")
            // Queued while offline an hour ago, sent at once after reconnecting.
            try await Script([Frames.boot, Frames.start(at: -3600), Frames.meter(wh: "1500", at: -3000), Frames.stop(meterStop: 2000, at: -2900)])
                .play(on: harness, as: pile)
            let rules = try await harness.findings("REPLAY-1").map(\.rule)
            XCTAssertFalse(rules.contains("clock.timestamp-behind"), "\(rules)")
        }
    }

    func testTheStatusTableDecidesWhichTransitionsAreFlagged() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("TABLE-1")
            let f = Frames.self
            try await Script([
                f.boot,
                f.status(1, "Charging"),  // the first status is not judged
                f.status(1, "Charging"),  // a repeat is not a transition
                .call("StatusNotification", #"{"connectorId":1,"errorCode":"NoError","status":"Preparing"}"#, id: "charging-preparing"),
                f.status(1, "Finishing"),  // Preparing → Finishing: B6, allowed
                f.status(1, "Preparing"),  // F2, allowed
                .call("StatusNotification", #"{"connectorId":1,"errorCode":"NoError","status":"Reserved"}"#, id: "preparing-reserved"),
                f.status(0, "Unavailable"), f.status(0, "Available"),
                .call("StatusNotification", #"{"connectorId":0,"errorCode":"NoError","status":"Charging"}"#, id: "cp-charging"),
                f.status(2, "Faulted"), f.status(2, "Finishing"),  // I6, allowed
            ]).play(on: harness, as: pile)
            _ = try await harness.finding("status.illegal-transition", for: "TABLE-1", messageId: "cp-charging")
            let flagged = try await harness.findings("TABLE-1").filter { $0.rule == "status.illegal-transition" }.compactMap(\.messageId)
            XCTAssertEqual(Set(flagged), ["charging-preparing", "preparing-reserved", "cp-charging"])
        }
    }

    func testSoCAtItsLimitsIsNoFinding() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("SOC-LIMITS-1")
            func soc(_ value: String, id: String) -> Script.Step {
                .call("MeterValues", #"{"connectorId":1,"transactionId":$TX,"meterValue":[{"timestamp":$T(0),"sampledValue":[{"value":"\#(value)","measurand":"SoC","unit":"Percent"}]}]}"#, id: id)
            }
            try await Script([Frames.boot, Frames.start(), soc("0", id: "empty"), soc("100", id: "full"), soc("-1", id: "below")]).play(on: harness, as: pile)
            _ = try await harness.finding("meter.soc-out-of-range", for: "SOC-LIMITS-1", messageId: "below")
            let flagged = try await harness.findings("SOC-LIMITS-1").filter { $0.rule == "meter.soc-out-of-range" }.compactMap(\.messageId)
            XCTAssertEqual(flagged, ["below"], "0 and 100 percent are a SoC")
        }
    }

    /// A pile that queues its transaction messages behind its statuses (as the simulator does
    /// at high speed): by its own clock every status is where it belongs.
    func testStatusesSentAheadOfTheirTransactionMessagesAreNotMissing() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("AHEAD-1")
            let f = Frames.self
            try await Script([
                f.boot, f.status(1, "Available", at: -600), f.status(1, "Preparing", at: -500), f.status(1, "Charging", at: -490),
                f.status(1, "Finishing", at: -400), f.status(1, "Available", at: -390),
                f.start(at: -495), f.stop(meterStop: 2000, at: -405),
                f.status(1, "Preparing", at: -300), f.start(at: -295), f.status(1, "Charging", at: -290), f.stop(meterStop: 3000, at: -200),
            ]).play(on: harness, as: pile)
            try await harness.store.flush()
            let rules = try await harness.findings("AHEAD-1").map(\.rule)
            XCTAssertFalse(rules.contains("status.missing-around-session"), "\(rules)")
        }
    }

    func testAFaultThatNamesItsErrorIsNoFinding() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("FAULT-NAMED-1")
            try await Script([
                Frames.boot, Frames.status(1, "Available"),
                .call("StatusNotification", #"{"connectorId":1,"errorCode":"GroundFailure","status":"Faulted","timestamp":$T(0)}"#, id: "named"),
                .call("StatusNotification", #"{"connectorId":2,"errorCode":"NoError","status":"Faulted","timestamp":$T(0)}"#, id: "unnamed"),
            ]).play(on: harness, as: pile)
            _ = try await harness.finding("status.faulted-without-error", for: "FAULT-NAMED-1", messageId: "unnamed")
            let flagged = try await harness.findings("FAULT-NAMED-1").filter { $0.rule == "status.faulted-without-error" }.compactMap(\.messageId)
            XCTAssertEqual(flagged, ["unnamed"], "a fault with its error code is what the spec asks for")
        }
    }

    func testAResentCallAndAnIdOutsideTheWindowAreNoReuse() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("REUSE-1")
            // The same CALL again under its id (a pile that missed our answer) is a resend.
            var steps: [Script.Step] = [Frames.boot, .call("Authorize", #"{"idTag":"A"}"#, id: "resent"), .call("Authorize", #"{"idTag":"A"}"#, id: "resent")]
            // 64 other CALLs push "first" out of the window of recent ids.
            steps.append(.call("Heartbeat", "{}", id: "first"))
            steps += (0..<64).map { .call("Authorize", #"{"idTag":"T\#($0)"}"#, id: "fill-\($0)") }
            steps.append(.call("Authorize", #"{"idTag":"B"}"#, id: "first"))
            steps.append(.call("Authorize", #"{"idTag":"C"}"#, id: "fill-63"))  // inside the window: a reuse
            try await Script(steps).play(on: harness, as: pile)
            _ = try await harness.finding("rpc.message-id-reused", for: "REUSE-1", messageId: "fill-63")
            let reused = try await harness.findings("REUSE-1").filter { $0.rule == "rpc.message-id-reused" }.compactMap(\.messageId)
            XCTAssertEqual(reused, ["fill-63"])
        }
    }

    func testFindingsOfATransactionCarryItsSessionId() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("SESSION-ID-1")
            let replies = try await Script([Frames.boot, Frames.start(meterStart: 1000), Frames.meter(wh: "900", transaction: nil)])
                .play(on: harness, as: pile)
            let tx = try XCTUnwrap(replies[1].last?["transactionId"]?.intValue)
            let found = try await harness.finding("session.energy-register-decreased", for: "SESSION-ID-1")
            XCTAssertEqual(found.sessionId, tx, "readings without a transaction id belong to the connector's running transaction")
            let detail = try await harness.get("/api/sessions/\(tx)")
            let rules = detail.body["findings"]?.arrayValue?.compactMap { $0["rule"]?.stringValue } ?? []
            XCTAssertTrue(rules.contains("session.energy-register-decreased"), "\(rules)")
        }
    }
}
