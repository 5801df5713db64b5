import Foundation
import Gateway
import OCPP
import XCTest

/// The heartbeat rules follow what the gateway itself asked of the pile.
final class HeartbeatRuleTests: XCTestCase {
    func testAHeartbeatWeTriggeredIsNotTooFrequent() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("HB-TRIGGER-1")
            pile.respond(to: "TriggerMessage", with: ["status": "Accepted"])
            try await Script([Frames.boot, .call("Heartbeat", "{}", id: "hb-1")]).play(on: harness, as: pile)
            let status = try await harness.gateway.triggerMessage("HB-TRIGGER-1", .Heartbeat)
            XCTAssertEqual(status, .Accepted)
            try await Script([.call("Heartbeat", "{}", id: "hb-2")]).play(on: harness, as: pile)
            // Unrequested, the next one is too frequent: the rule is on, and the trigger excused only one.
            try await Script([.call("Heartbeat", "{}", id: "hb-3")]).play(on: harness, as: pile)
            _ = try await harness.finding("heartbeat.too-frequent", for: "HB-TRIGGER-1", messageId: "hb-3")
            let flagged = try await harness.findings("HB-TRIGGER-1").filter { $0.rule == "heartbeat.too-frequent" }.map(\.messageId)
            XCTAssertEqual(flagged, ["hb-3"])
        }
    }

    func testLoweringHeartbeatIntervalByChangeConfigurationIsFollowed() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("HB-CHANGE-1")
            pile.respond(to: "ChangeConfiguration", with: ["status": "Accepted"])
            try await Script([Frames.boot]).play(on: harness, as: pile)
            let status = try await harness.gateway.changeConfiguration("HB-CHANGE-1", key: "HeartbeatInterval", value: "1")
            XCTAssertEqual(status, .Accepted)
            // 0.7 s apart: too frequent for the 300 s of BootNotification.conf, fine for 1 s.
            try await Script([.call("Heartbeat", "{}", id: "hb-1"), .wait(seconds: 0.7), .call("Heartbeat", "{}", id: "hb-2")])
                .play(on: harness, as: pile)
            try await Script([.call("Heartbeat", "{}", id: "hb-3")]).play(on: harness, as: pile)
            _ = try await harness.finding("heartbeat.too-frequent", for: "HB-CHANGE-1", messageId: "hb-3")
            let flagged = try await harness.findings("HB-CHANGE-1").filter { $0.rule == "heartbeat.too-frequent" }.map(\.messageId)
            XCTAssertEqual(flagged, ["hb-3"], "only the heartbeat under half the new interval")
        }
    }

    func testClockToleranceZeroTurnsTimingRulesOff() async throws {
        var configuration = GatewayConfiguration()
        configuration.clockTolerance = 0
        try await GatewayHarness.with(configuration) { harness in
            let pile = try await harness.connect("HB-OFF-1")
            try await Script([Frames.boot, Frames.heartbeat, .call("Heartbeat", "{}", id: "again"), Frames.status(1, "Available", at: 86_400)])
                .play(on: harness, as: pile)
            let findings = try await harness.findings("HB-OFF-1")
            XCTAssertEqual(findings.map(\.rule), [], "a day-ahead timestamp and back-to-back heartbeats pass when the clock rules are off")
        }
    }
}
