import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

extension Frames {
    /// One sampled value: `"<value> <unit> <measurand>[ <phase>]"`, e.g. `"7 kW Power.Active.Import"`.
    static func sampled(_ spec: String) -> String {
        let parts = spec.split(separator: " ").map(String.init)
        var fields = [#""value":"\#(parts[0])""#]
        if parts.count > 1 && parts[1] != "-" { fields.append(#""unit":"\#(parts[1])""#) }
        if parts.count > 2 { fields.append(#""measurand":"\#(parts[2])""#) }
        if parts.count > 3 { fields.append(#""phase":"\#(parts[3])""#) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// MeterValues with one meterValue of several sampled values, taken `offset` seconds from now.
    static func readings(_ specs: [String], at offset: Int, transaction: String? = "$TX", id: String? = nil) -> Script.Step {
        let tx = transaction.map { #","transactionId":\#($0)"# } ?? ""
        return .call(
            "MeterValues",
            #"{"connectorId":1\#(tx),"meterValue":[{"timestamp":$T(\#(offset)),"sampledValue":[\#(specs.map(sampled).joined(separator: ","))]}]}"#,
            id: id)
    }

    /// A register and a power reading at `offset`.
    static func energy(_ wh: String, watts: String, at offset: Int, id: String? = nil) -> Script.Step {
        readings(["\(wh) Wh Energy.Active.Import.Register", "\(watts) W Power.Active.Import"], at: offset, id: id)
    }
}

/// The meter family (FindingRule+Meter.swift): each rule fires on the deviation it names,
/// and only it, while the legitimate look-alikes (ramps, pauses, phases, transactionData
/// repeating the Begin reading, power in kW, 600 kW DC) raise nothing.
final class MeterRuleTests: XCTestCase {
    let meterRules = Set(FindingRule.meterRules.map(\.id))

    /// Plays `steps` after a boot and a start on its own pile; returns every rule recorded.
    func rules(_ identity: String, _ steps: [Script.Step], meterStart: Int = 1000, startAt: Int = -1800) async throws -> [String] {
        var rules: [String] = []
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect(identity)
            let f = Frames.self
            try await Script([f.boot, f.status(1, "Preparing"), f.start(meterStart: meterStart, at: startAt), f.status(1, "Charging")] + steps)
                .play(on: harness, as: pile)
            rules = try await harness.findings(identity).map(\.rule)
        }
        return rules
    }

    func testAConsistentACSessionWithPhasesIntervalsAndRepeatsIsClean() async throws {
        let f = Frames.self
        let found = try await rules("METER-AC", [
            // Transaction.Begin repeats meterStart; power ramps up from 0.
            f.readings(["1000 Wh Energy.Active.Import.Register", "0 W Power.Active.Import"], at: -1800),
            f.energy("1100", watts: "7000", at: -1740),
            // Power per phase and in kW, phase registers and an interval reading that are not the total.
            f.readings([
                "1217 Wh Energy.Active.Import.Register", "2.3 kW Power.Active.Import L1", "2.3 kW Power.Active.Import L2",
                "2.4 kW Power.Active.Import L3", "400 Wh Energy.Active.Import.Register L1", "117 Wh Energy.Active.Import.Interval",
                "10 A Current.Import L1", "230 V Voltage L1-N",
            ], at: -1680),
            f.readings(["1334 Wh Energy.Active.Import.Register", "7 kW Power.Active.Import", "30 A Current.Import"], at: -1620, transaction: nil),
            // A pause between two readings at full power: not judged.
            f.status(1, "SuspendedEV"), f.status(1, "Charging"),
            f.energy("1340", watts: "7000", at: -1200),
            f.energy("1457", watts: "7000", at: -1140),
            .call(
                "StopTransaction",
                #"{"meterStop":1457,"timestamp":$T(-1140),"transactionId":$TX,"reason":"Local","transactionData":[{"timestamp":$T(-1800),"sampledValue":[{"value":"1000","context":"Transaction.Begin"},{"value":"0","measurand":"Power.Active.Import","unit":"W"}]},{"timestamp":$T(-1140),"sampledValue":[{"value":"1457","context":"Transaction.End"},{"value":"7000","measurand":"Power.Active.Import","unit":"W"}]}]}"#),
        ])
        XCTAssertEqual(found.filter(meterRules.contains), [], "\(found)")
        XCTAssertFalse(found.contains("session.energy-register-decreased"), "\(found)")
    }

    func testA600kWDCSessionAndTolerancesJustInsideAreClean() async throws {
        let f = Frames.self
        // 600 kW for a minute is 10 kWh; a meter counting 1.4 times what it should stays inside 1.5.
        let found = try await rules("METER-DC", [
            f.energy("1000", watts: "600000", at: -1800),
            f.energy("11000", watts: "600000", at: -1740),
            f.energy("25000", watts: "600000", at: -1680),
            f.energy("30000", watts: "0", at: -1620),  // the car full: power drops to 0 at the end
        ])
        XCTAssertEqual(found.filter(meterRules.contains), [], "\(found)")
        // Shortfall just inside: 50 kW for 300 s implies 4167 Wh; 110 Wh + 100 Wh slack is a twentieth of it.
        let short = try await rules("METER-SHORT", [f.energy("10", watts: "50000", at: -600), f.energy("120", watts: "50000", at: -300)], meterStart: 10)
        XCTAssertEqual(short.filter(meterRules.contains), [], "\(short)")
        // A few seconds of low power prove nothing, however little the register moved.
        let brief = try await rules("METER-BRIEF", [f.energy("10", watts: "7000", at: -600), f.energy("10", watts: "7000", at: -598)], meterStart: 10)
        XCTAssertEqual(brief.filter(meterRules.contains), [], "\(brief)")
    }

    /// A car ramping up from idle peaks between two readings (as a 2.0.1 station's Started
    /// event at 0 W and its first Updated on the taper show): no bound from above there. A
    /// meter counting twice at steady power still is one.
    func testARampFromIdleIsNoExcessButSteadyPowerStillBounds() async throws {
        let f = Frames.self
        // 0 W at the start, 71 kW on the taper 474 s later; the car drew about 115 kW on average.
        let ramp = try await rules("METER-RAMP", [f.energy("1159457", watts: "0", at: -900), f.energy("1174571", watts: "71137", at: -426)], meterStart: 1_159_457)
        XCTAssertEqual(ramp.filter(meterRules.contains), [], "\(ramp)")
        // The same energy at a steady reported 71 kW is 1.6 times what it allows.
        let steady = try await rules(
            "METER-STEADY", [f.energy("1159457", watts: "71137", at: -900), f.energy("1174571", watts: "71137", at: -426)], meterStart: 1_159_457)
        XCTAssertTrue(steady.contains("meter.energy-above-power"), "\(steady)")
    }

    func testAKWhRegisterLabelledWhIsBelowPowerAndNotADecrease() async throws {
        let f = Frames.self
        // meterStart in Wh, the readings in kWh without a unit, meterStop in Wh again.
        let found = try await rules("METER-KWH", [
            f.readings(["50.0 - Energy.Active.Import.Register", "150000 W Power.Active.Import"], at: -1500),
            f.readings(["52.5 - Energy.Active.Import.Register", "150000 W Power.Active.Import"], at: -1440),
            f.stop(meterStop: 52500, at: -1440),
        ], meterStart: 50000)
        XCTAssertEqual(found.filter { meterRules.contains($0) || $0.hasPrefix("session.energy") }, ["meter.energy-below-power"], "\(found)")
        // The same pile with meterStart in kWh too: the power tells.
        let consistent = try await rules("METER-KWH-2", [
            f.readings(["50.0 - Energy.Active.Import.Register", "150000 W Power.Active.Import"], at: -1500),
            f.readings(["52.5 - Energy.Active.Import.Register", "150000 W Power.Active.Import"], at: -1440, id: "second"),
        ], meterStart: 50)
        XCTAssertEqual(consistent.filter(meterRules.contains), ["meter.energy-below-power"], "\(consistent)")
    }

    func testAWhFigureLabelledKWhIsAbovePowerNotAJump() async throws {
        let f = Frames.self
        let found = try await rules("METER-WH", [
            // meterStart is honest Wh; the readings are the same Wh figures labelled kWh.
            f.readings(["1000000 kWh Energy.Active.Import.Register", "7000 W Power.Active.Import"], at: -1500),
            f.readings(["1000117 kWh Energy.Active.Import.Register", "7000 W Power.Active.Import"], at: -1440),
        ], meterStart: 1_000_000)
        XCTAssertEqual(found.filter(meterRules.contains), ["meter.energy-above-power"], "\(found)")
    }

    func testASpikeThatComesBackIsOneJumpAndMeterStopFarAboveIsAJumpToo() async throws {
        let f = Frames.self
        let spike = try await rules("METER-SPIKE", [
            f.energy("1000", watts: "7000", at: -1500),
            f.energy("4294968413", watts: "7000", at: -1440),
            f.energy("1234", watts: "7000", at: -1380),
            f.energy("1351", watts: "7000", at: -1320),
        ])
        XCTAssertEqual(spike.filter { meterRules.contains($0) || $0.hasPrefix("session.energy") }, ["meter.register-jump"], "\(spike)")
        let stop = try await rules("METER-STOP-JUMP", [f.energy("1100", watts: "7000", at: -1500), f.stop(meterStop: 2_000_000_000, at: -1440)])
        XCTAssertEqual(stop.filter(meterRules.contains), ["meter.register-jump"], "\(stop)")
    }

    func testSignsAndVoltagesJustInsideOrAbsentAreClean() async throws {
        let f = Frames.self
        let found = try await rules("METER-SIGNS", [
            f.readings(["-30 W Power.Active.Import", "-3000 W Power.Active.Export", "0 Wh Energy.Active.Export.Register"], at: -60),
            f.readings(["16 A Current.Import"], at: -50),  // no voltage reported: nothing to judge
            f.readings(["16 A Current.Import L1", "230 V Voltage L1-N", "0 V Voltage L2-N"], at: -40),  // L2 dead, L1 carries it
            f.readings(["0.5 A Current.Import", "0 V Voltage"], at: -30),  // standby leakage
            f.readings(["16 A Current.Import", "0 V Voltage"], at: -20, id: "dead"),  // the real thing, for contrast
        ])
        XCTAssertEqual(found.filter(meterRules.contains), ["meter.current-without-voltage"], "\(found)")
    }

    func testANegativeRegisterIsItsOwnRuleAndNotOutOfRange() async throws {
        let f = Frames.self
        let found = try await rules("METER-NEG", [f.readings(["-5 kWh Energy.Active.Import.Register"], at: -60), f.stop(meterStop: -1, at: -30)])
        XCTAssertTrue(found.contains("meter.negative-register"), "\(found)")
        XCTAssertFalse(found.contains("value.out-of-range"), "\(found)")
    }

    /// TransactionEvent readings take the same neutral path as 1.6 MeterValues.
    func testA201StationIsJudgedTheSameWay() async throws {
        try await GatewayHarness.with { harness in
            func event(_ type: V201.TransactionEventEnum, _ ref: String, seqNo: Int, wh: Double, watts: Double, at offset: Double) -> V201.TransactionEvent.Request {
                var request = V201SessionTests.event(type, ref, seqNo: seqNo, wh: nil, evse: seqNo == 0 ? 1 : nil, token: seqNo == 0 ? "T" : nil, state: .charging, reason: type == .ended ? .local : nil)
                let time = Date().addingTimeInterval(offset)
                request.timestamp = time
                request.meterValue = [
                    V201.MeterValue(
                        sampledValue: [
                            V201.SampledValue(value: wh, measurand: .energyActiveImportRegister, unitOfMeasure: .init(unit: "Wh")),
                            V201.SampledValue(value: watts, measurand: .powerActiveImport, unitOfMeasure: .init(unit: "W")),
                        ], timestamp: time)
                ]
                return request
            }
            let station = try await harness.connect("METER-201", subprotocols: ["ocpp2.0.1"])
            _ = try await station.call(V201.BootNotification.self, .init(chargingStation: .init(model: "S201", vendorName: "TestVendor", firmwareVersion: "2.0"), reason: .powerUp))
            // kWh figures labelled Wh, 150 kW: far below.
            _ = try await station.call(V201.TransactionEvent.self, event(.started, "tx-k", seqNo: 0, wh: 50.0, watts: 150_000, at: -900))
            _ = try await station.call(V201.TransactionEvent.self, event(.updated, "tx-k", seqNo: 1, wh: 52.5, watts: 150_000, at: -840))
            let below = try await harness.finding("meter.energy-below-power", for: "METER-201")
            XCTAssertNotNil(below.sessionId)
            _ = try await station.call(V201.TransactionEvent.self, event(.ended, "tx-k", seqNo: 2, wh: 52.6, watts: 0, at: -830))
            // A clean one after it, starting with a register far above 0: no jump from a missing meterStart.
            _ = try await station.call(V201.TransactionEvent.self, event(.started, "tx-c", seqNo: 0, wh: 2_875_079, watts: 0, at: -600))
            _ = try await station.call(V201.TransactionEvent.self, event(.updated, "tx-c", seqNo: 1, wh: 2_876_000, watts: 60_000, at: -540))
            _ = try await station.call(V201.TransactionEvent.self, event(.ended, "tx-c", seqNo: 2, wh: 2_877_000, watts: 60_000, at: -480))
            let rules = try await harness.findings("METER-201").map(\.rule)
            XCTAssertEqual(rules.filter(meterRules.contains), ["meter.energy-below-power"], "\(rules)")
        }
    }
}
