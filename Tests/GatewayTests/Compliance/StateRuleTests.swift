import Foundation
import Gateway
import NIOCore
import OCPP
import SessionStore
import XCTest

/// The state rules (session.start-on-inoperative-connector … status.connector-beyond-count):
/// each fires on its deviation, naming the message, and stays silent on the legitimate
/// look-alike next to it (a queued start, a duplicate, a group tag, the stop repeating
/// Transaction.Begin, a status repeated within the tolerance).
final class StateRuleTests: XCTestCase {
    typealias F = Frames

    /// The message ids a rule flagged on a pile.
    func flagged(_ rule: String, _ harness: GatewayHarness, _ pile: String) async throws -> [String] {
        try await harness.findings(pile).filter { $0.rule == rule }.compactMap(\.messageId)
    }

    func count(_ rule: String, _ harness: GatewayHarness, _ pile: String) async throws -> Int {
        try await harness.findings(pile).filter { $0.rule == rule }.count
    }

    static func status(_ connector: Int, _ status: String, error: String = "NoError", at offset: Int = 0, id: String) -> Script.Step {
        .call("StatusNotification", #"{"connectorId":\#(connector),"errorCode":"\#(error)","status":"\#(status)","timestamp":$T(\#(offset))}"#, id: id)
    }

    static func power(_ watts: Int, id: String) -> Script.Step {
        .call("MeterValues", #"{"connectorId":1,"meterValue":[{"timestamp":$T(0),"sampledValue":[{"value":"\#(watts)","measurand":"Power.Active.Import","unit":"W","context":"Sample.Periodic"}]}]}"#, id: id)
    }

    static func stop(tag: String? = nil, data: String? = nil, meterStop: Int = 2000, id: String) -> Script.Step {
        let tagField = tag.map { #","idTag":"\#($0)""# } ?? ""
        let dataField = data.map { #","transactionData":\#($0)"# } ?? ""
        return .call("StopTransaction", #"{"meterStop":\#(meterStop),"timestamp":$T(0),"transactionId":$TX,"reason":"Local"\#(tagField)\#(dataField)}"#, id: id)
    }

    static func start(meterStart: Int, tag: String = "$TAG", id: String) -> Script.Step {
        .call("StartTransaction", #"{"connectorId":1,"idTag":"\#(tag)","meterStart":\#(meterStart),"timestamp":$T(0)}"#, id: id)
    }

    static func reading(_ wh: Int, _ context: String, at offset: Int) -> String {
        #"{"timestamp":$T(\#(offset)),"sampledValue":[{"value":"\#(wh)","context":"\#(context)","measurand":"Energy.Active.Import.Register","unit":"Wh"}]}"#
    }

    static var closed: GatewayConfiguration {
        var configuration = GatewayConfiguration()
        configuration.acceptUnknownIdTags = false
        configuration.idTags = [
            .init(idTag: "MEMBER-A", parentIdTag: "FLEET"), .init(idTag: "MEMBER-B", status: .blocked, parentIdTag: "FLEET"),
            .init(idTag: "MEMBER-D"),
        ]
        return configuration
    }

    // MARK: Transactions against connector state

    func testAStartOnAFaultedConnectorIsFlaggedButAStartQueuedBeforeTheFaultIsNot() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("INOP-1")
            try await Script([
                F.boot, F.status(1, "Available"), Self.status(1, "Faulted", error: "GroundFailure", id: "fault"),
                .call("StartTransaction", #"{"connectorId":1,"idTag":"$TAG","meterStart":1000,"timestamp":$T(-60)}"#, id: "queued"),
                Self.stop(id: "stop-queued"),
                .call("StartTransaction", #"{"connectorId":1,"idTag":"$TAG","meterStart":2000,"timestamp":$T(0)}"#, id: "live"),
            ]).play(on: harness, as: pile)
            _ = try await harness.finding("session.start-on-inoperative-connector", for: "INOP-1", messageId: "live")
            let ids = try await flagged("session.start-on-inoperative-connector", harness, "INOP-1")
            XCTAssertEqual(ids, ["live"], "a start timestamped before the fault was queued before it")
        }
    }

    func testConnectorZeroUnavailableCountsOnlyWhenNewerThanTheConnectorsOwnStatus() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("INOP-2")
            try await Script([
                F.boot, Self.status(0, "Unavailable", id: "zero"), F.status(1, "Available"),
                .call("StartTransaction", #"{"connectorId":1,"idTag":"$TAG","meterStart":1000,"timestamp":$T(0)}"#, id: "own-newer"),
                F.status(1, "Charging"), Self.stop(id: "stop"), F.status(1, "Finishing"), Self.status(0, "Unavailable", id: "zero-again"),
                .call("StartTransaction", #"{"connectorId":1,"idTag":"$TAG","meterStart":2000,"timestamp":$T(0)}"#, id: "whole"),
            ]).play(on: harness, as: pile)
            _ = try await harness.finding("session.start-on-inoperative-connector", for: "INOP-2", messageId: "whole")
            let ids = try await flagged("session.start-on-inoperative-connector", harness, "INOP-2")
            XCTAssertEqual(ids, ["whole"])
        }
    }

    func testASecondStartOnARunningConnectorIsConcurrentButADuplicateIsNot() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("CONC-1")
            // The same start twice (a pile that missed the answer) is session.duplicate-start only.
            let fixed = Script.expand(#"{"connectorId":1,"idTag":"$TAG","meterStart":1000,"timestamp":$T(-30)}"#, transactionId: 0)
            try await Script([
                F.boot, F.status(1, "Preparing"), .call("StartTransaction", fixed, id: "first"), .call("StartTransaction", fixed, id: "duplicate"),
                F.status(1, "Charging"), Self.start(meterStart: 1500, id: "second"), Self.stop(id: "stop-second"), F.status(1, "Finishing"),
                Self.start(meterStart: 2500, id: "after-stop"), Self.stop(meterStop: 2600, id: "stop-third"),
            ]).play(on: harness, as: pile)
            _ = try await harness.finding("session.duplicate-start", for: "CONC-1", messageId: "duplicate")
            let ids = try await flagged("session.concurrent-transaction", harness, "CONC-1")
            XCTAssertEqual(ids, ["second"], "only the start while the first ran; the duplicate and the start after a stop are none")
            let sessions = try await harness.storedSessions(chargePoint: "CONC-1")
            XCTAssertEqual(sessions.first { $0.meterStartWh == 1000 }?.stopReason, "superseded", "the older one is still closed as superseded")
        }
    }

    func testAConnectorChargingWithNoTransactionIsFlaggedOnlyWhenItDeliversEnergy() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("CWT-1")
            try await Script([
                F.boot, F.status(1, "Available"), F.status(1, "Charging"), Self.power(50, id: "idle-meter"), Self.power(7000, id: "power"),
            ]).play(on: harness, as: pile)
            _ = try await harness.finding("session.charging-without-transaction", for: "CWT-1", messageId: "power")
            let rules = try await harness.findings("CWT-1").map(\.rule)
            XCTAssertFalse(rules.contains("session.meter-values-outside-transaction"), "one deviation, one rule: \(rules)")
            let got1 = try await flagged("session.charging-without-transaction", harness, "CWT-1")
            XCTAssertEqual(got1, ["power"])
        }
    }

    func testARisingRegisterWithNoTransactionIsChargingButNotWhenTheConnectorIsNotKnownIdle() async throws {
        try await GatewayHarness.with { harness in
            let rising = try await harness.connect("CWT-2")
            try await Script([
                F.boot, F.status(1, "Available"), F.status(1, "Charging"), F.meter(wh: "1000", transaction: nil),
                .call("MeterValues", #"{"connectorId":1,"meterValue":[{"timestamp":$T(0),"sampledValue":[{"value":"1400","measurand":"Energy.Active.Import.Register","unit":"Wh","context":"Sample.Clock"}]}]}"#, id: "rising"),
            ]).play(on: harness, as: rising)
            _ = try await harness.finding("session.charging-without-transaction", for: "CWT-2", messageId: "rising")
            // A connector this connection never saw idle (a reconnect mid-transaction), and the
            // readings right after a stop before the next status: no finding.
            let unknown = try await harness.connect("CWT-3")
            try await Script([
                F.status(1, "Charging"), Self.power(7000, id: "unknown-connector"),
                F.start(), F.status(1, "Charging"), Self.stop(id: "stop"), Self.power(7000, id: "after-stop"),
            ]).play(on: harness, as: unknown)
            let got2 = try await count("session.charging-without-transaction", harness, "CWT-3")
            XCTAssertEqual(got2, 0)
            // After a boot every connector is idle until a transaction starts (a rebooted pile ends its transactions).
            let booted = try await harness.connect("CWT-5")
            try await Script([F.boot, F.status(1, "Charging"), Self.power(7000, id: "after-boot")]).play(on: harness, as: booted)
            _ = try await harness.finding("session.charging-without-transaction", for: "CWT-5", messageId: "after-boot")
            // An idle connector with transaction readings is the older rule, not this one.
            let idle = try await harness.connect("CWT-4")
            try await Script([F.boot, F.status(1, "Available"), Self.power(7000, id: "idle")]).play(on: harness, as: idle)
            _ = try await harness.finding("session.meter-values-outside-transaction", for: "CWT-4", messageId: "idle")
            let got3 = try await count("session.charging-without-transaction", harness, "CWT-4")
            XCTAssertEqual(got3, 0)
        }
    }

    func testMeterValuesNamingAStoppedTransactionAreAfterStopNotUnknown() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("MVS-1")
            try await Script([
                F.boot, F.start(), F.status(1, "Charging"), .call("MeterValues", #"{"connectorId":1,"transactionId":$TX,"meterValue":[{"timestamp":$T(-1),"sampledValue":[{"value":"1500"}]}]}"#, id: "during"),
                Self.stop(id: "stop"),
                .call("MeterValues", #"{"connectorId":1,"transactionId":$TX,"meterValue":[{"timestamp":$T(-2),"sampledValue":[{"value":"1900"}]}]}"#, id: "late"),
                .call("MeterValues", #"{"connectorId":1,"transactionId":$TX,"meterValue":[{"timestamp":$T(1),"sampledValue":[{"value":"1500"}]}]}"#, id: "late-lower"),
                .call("MeterValues", #"{"connectorId":1,"transactionId":777777,"meterValue":[{"timestamp":$T(0),"sampledValue":[{"value":"10"}]}]}"#, id: "never"),
            ]).play(on: harness, as: pile)
            _ = try await harness.finding("session.meter-values-after-stop", for: "MVS-1", messageId: "late")
            _ = try await harness.finding("session.meter-values-unknown-transaction", for: "MVS-1", messageId: "never")
            let got4 = try await flagged("session.meter-values-after-stop", harness, "MVS-1")
            XCTAssertEqual(Set(got4), ["late", "late-lower"])
            let decreased = try await count("session.energy-register-decreased", harness, "MVS-1")
            XCTAssertEqual(decreased, 0, "readings after the stop are that rule's, not the register rule's")
            let got5 = try await flagged("session.meter-values-unknown-transaction", harness, "MVS-1")
            XCTAssertEqual(got5, ["never"])
        }
    }

    func testARefusedStartThatGoesOnChargingIsFlaggedBeyondTheAllowance() async throws {
        try await GatewayHarness.with(Self.closed) { harness in
            let energy = try await harness.connect("REF-1")
            let replies = try await Script([
                F.boot, F.start(meterStart: 1000, tag: "STRANGER"), Self.status(1, "Charging", id: "early-status"),
                F.meter(wh: "1200"), F.meter(wh: "1400"),
            ]).play(on: harness, as: energy)
            XCTAssertEqual(replies[1].last?["idTagInfo"]?["status"], "Invalid")
            let got6 = try await flagged("session.charging-after-refusal", harness, "REF-1")
            XCTAssertEqual(got6, ["m4"], "200 Wh is within the allowance, 400 Wh not")

            let status = try await harness.connect("REF-2")
            try await Script([F.boot, F.start(tag: "STRANGER"), Self.status(1, "Charging", at: 120, id: "late-status")]).play(on: harness, as: status)
            let got7 = try await flagged("session.charging-after-refusal", harness, "REF-2")
            XCTAssertEqual(got7, ["late-status"])

            // A live refused start whose stop shows the energy it went on delivering; and a start
            // queued offline (older than the pile's last status) whose stop carries what it
            // delivered before it could learn of the refusal.
            let stopped = try await harness.connect("REF-4")
            try await Script([F.boot, F.status(1, "Preparing"), F.start(meterStart: 1000, tag: "STRANGER"), Self.stop(meterStop: 5000, id: "live-stop")])
                .play(on: harness, as: stopped)
            _ = try await harness.finding("session.charging-after-refusal", for: "REF-4", messageId: "live-stop")
            let offline = try await harness.connect("REF-5")
            try await Script([
                F.boot, F.status(1, "Charging"), F.start(meterStart: 1000, at: -600, tag: "STRANGER"), F.meter(wh: "3000", at: -300),
                Self.stop(meterStop: 5000, id: "offline-stop"),
            ]).play(on: harness, as: offline)
            let queued = try await count("session.charging-after-refusal", harness, "REF-5")
            XCTAssertEqual(queued, 0)

            let accepted = try await harness.connect("REF-3")
            try await Script([F.boot, F.start(tag: "MEMBER-A"), F.status(1, "Charging", at: 120), F.meter(wh: "9000")]).play(on: harness, as: accepted)
            let got8 = try await count("session.charging-after-refusal", harness, "REF-3")
            XCTAssertEqual(got8, 0)
        }
    }

    func testAStopTagOfAnotherGroupThatIsNotAcceptedIsAMismatch() async throws {
        try await GatewayHarness.with(Self.closed) { harness in
            let pile = try await harness.connect("STM-1")
            try await Script([
                F.boot,
                F.start(tag: "MEMBER-A"), Self.stop(tag: "member-a", id: "same-tag"),
                F.start(tag: "MEMBER-A"), Self.stop(tag: "MEMBER-B", id: "same-group"),
                F.start(tag: "MEMBER-A"), Self.stop(tag: "MEMBER-D", id: "accepted"),
                F.start(tag: "FLEET"), Self.stop(tag: "MEMBER-B", id: "member-of-the-starting-group-tag"),
                F.start(tag: "MEMBER-A"), Self.stop(id: "no-tag"),
                F.start(tag: "MEMBER-A"), Self.stop(tag: "STRANGER", id: "stranger"),
            ]).play(on: harness, as: pile)
            _ = try await harness.finding("session.stop-tag-mismatch", for: "STM-1", messageId: "stranger")
            let got9 = try await flagged("session.stop-tag-mismatch", harness, "STM-1")
            XCTAssertEqual(got9, ["stranger"])
        }
    }

    func testTransactionBeginSentTwiceIsFlaggedButTheStopRepeatingItIsNot() async throws {
        try await GatewayHarness.with { harness in
            let clean = try await harness.connect("BEG-1")
            let data = "[" + Self.reading(1000, "Transaction.Begin", at: -3) + "," + Self.reading(2000, "Transaction.End", at: 0) + "]"
            try await Script([
                F.boot, F.start(), F.status(1, "Charging"), F.meter(wh: "1000", context: "Transaction.Begin", at: -10),
                Self.stop(data: data, id: "stop-repeats-begin"),
            ]).play(on: harness, as: clean)
            let got10 = try await count("session.transaction-begin-repeated", harness, "BEG-1")
            XCTAssertEqual(got10, 0)

            let twice = try await harness.connect("BEG-2")
            try await Script([
                F.boot, F.start(), F.meter(wh: "1000", context: "Transaction.Begin", at: -10),
                .call("MeterValues", #"{"connectorId":1,"transactionId":$TX,"meterValue":[\#(Self.reading(1300, "Transaction.Begin", at: 0))]}"#, id: "again"),
                F.meter(wh: "1600", context: "Transaction.Begin"),
            ]).play(on: harness, as: twice)
            _ = try await harness.finding("session.transaction-begin-repeated", for: "BEG-2", messageId: "again")
            let got11 = try await flagged("session.transaction-begin-repeated", harness, "BEG-2")
            XCTAssertEqual(got11, ["again"], "once per transaction")

            // The same register again under a later Begin is still a second Begin; its lower
            // value after a periodic reading is this rule's, not session.energy-register-decreased.
            let same = try await harness.connect("BEG-3")
            try await Script([
                F.boot, F.start(), F.meter(wh: "1000", context: "Transaction.Begin", at: -10), F.meter(wh: "1500", at: -5),
                .call("MeterValues", #"{"connectorId":1,"transactionId":$TX,"meterValue":[\#(Self.reading(1000, "Transaction.Begin", at: 0))]}"#, id: "same-register"),
            ]).play(on: harness, as: same)
            _ = try await harness.finding("session.transaction-begin-repeated", for: "BEG-3", messageId: "same-register")
            let decreased = try await count("session.energy-register-decreased", harness, "BEG-3")
            XCTAssertEqual(decreased, 0)
        }
    }

    func testAStopWithoutTransactionEndIsFlaggedOnlyWhenTheConfigurationAsksForIt() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("END-1")
            _ = try await pile.boot()
            let periodic = "[" + Self.reading(1000, "Transaction.Begin", at: -5) + "," + Self.reading(1500, "Sample.Periodic", at: -1) + "]"
            // Unknown configuration: no finding.
            try await Script([F.start(), Self.stop(data: periodic, id: "unknown-configuration")]).play(on: harness, as: pile)
            pile.respond(to: "GetConfiguration", with: ["configurationKey": [["key": "StopTxnSampledData", "readonly": false, "value": "Energy.Active.Import.Register"]]])
            _ = try await harness.gateway.getConfiguration("END-1", keys: ["StopTxnSampledData"], timeout: .seconds(2))
            let ended = "[" + Self.reading(1000, "Transaction.Begin", at: -5) + "," + Self.reading(2000, "Transaction.End", at: 0) + "]"
            try await Script([
                Self.start(meterStart: 2000, id: "s1"), Self.stop(data: periodic, meterStop: 2500, id: "no-end"),
                Self.start(meterStart: 2500, id: "s2"), Self.stop(data: ended, meterStop: 2600, id: "with-end"),
                Self.start(meterStart: 2600, id: "s3"), Self.stop(meterStop: 2700, id: "no-data"),
            ]).play(on: harness, as: pile)
            _ = try await harness.finding("session.transaction-end-missing", for: "END-1", messageId: "no-end")
            let got12 = try await flagged("session.transaction-end-missing", harness, "END-1")
            XCTAssertEqual(got12, ["no-end"])
        }
    }

    func testAChangeConfigurationClearingStopTxnSampledDataEndsTheRequirement() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("END-2")
            _ = try await pile.boot()
            pile.respond(to: "GetConfiguration", with: ["configurationKey": [["key": "StopTxnSampledData", "readonly": false, "value": "Energy.Active.Import.Register"]]])
            _ = try await harness.gateway.getConfiguration("END-2", timeout: .seconds(2))
            pile.respond(to: "ChangeConfiguration", with: ["status": "Accepted"])
            _ = try await harness.gateway.changeConfiguration("END-2", key: "StopTxnSampledData", value: "", timeout: .seconds(2))
            let periodic = "[" + Self.reading(1000, "Sample.Periodic", at: -1) + "]"
            try await Script([F.start(), Self.stop(data: periodic, id: "cleared")]).play(on: harness, as: pile)
            let got13 = try await count("session.transaction-end-missing", harness, "END-2")
            XCTAssertEqual(got13, 0)
        }
    }

    // MARK: Status discipline

    func testTheSameStatusFourTimesInASecondIsAStormAndThreeTimesIsNot() async throws {
        try await GatewayHarness.with { harness in
            let calm = try await harness.connect("STORM-1")
            try await Script([F.boot] + (0..<3).map { Self.status(1, "Available", id: "a\($0)") } + [F.status(1, "Preparing")]).play(on: harness, as: calm)
            let got14 = try await count("status.storm", harness, "STORM-1")
            XCTAssertEqual(got14, 0, "three is within statusRepeatsPerSecond")
            let storm = try await harness.connect("STORM-2")
            try await Script([F.boot] + (0..<6).map { Self.status(1, "Available", id: "s\($0)") }).play(on: harness, as: storm)
            let got15 = try await flagged("status.storm", harness, "STORM-2")
            XCTAssertEqual(got15, ["s3"], "the fourth, once per connection")
        }
    }

    func testAConnectorBeyondTheKnownCountIsFlaggedAndAnUnknownCountIsNot() async throws {
        var configuration = GatewayConfiguration()
        var known = GatewayConfiguration.KnownChargePoint(id: "COUNT-1")
        known.connectors = 2
        configuration.chargePoints = [known]
        try await GatewayHarness.with(configuration) { harness in
            let registered = try await harness.connect("COUNT-1")
            try await Script([F.boot, Self.status(2, "Available", id: "two"), Self.status(3, "Available", id: "three")]).play(on: harness, as: registered)
            let got16 = try await flagged("status.connector-beyond-count", harness, "COUNT-1")
            XCTAssertEqual(got16, ["three"])

            let configured = try await harness.connect("COUNT-2")
            _ = try await configured.boot()
            configured.respond(to: "GetConfiguration", with: ["configurationKey": [["key": "NumberOfConnectors", "readonly": true, "value": "1"]]])
            _ = try await harness.gateway.getConfiguration("COUNT-2", keys: ["NumberOfConnectors"], timeout: .seconds(2))
            try await Script([Self.status(1, "Available", id: "one"), F.start(2)]).play(on: harness, as: configured)
            let got17 = try await flagged("status.connector-beyond-count", harness, "COUNT-2")
            XCTAssertEqual(got17, ["m1"])

            let unknown = try await harness.connect("COUNT-3")
            try await Script([F.boot, Self.status(7, "Available", id: "seven")]).play(on: harness, as: unknown)
            let got18 = try await count("status.connector-beyond-count", harness, "COUNT-3")
            XCTAssertEqual(got18, 0)
        }
    }
}
