import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

/// K block, what a 2.0.1 station sends: its reports of the profiles it holds bring the
/// gateway's record in line; external limits, the EV's needs and schedule are notices,
/// range-checked, the latest per EVSE in the pile's view.
final class V201SmartChargingTests: XCTestCase {
    static func profile(_ id: Int, stack: Int = 0, purpose: String = "TxDefaultProfile", limit: Double = 32) -> JSON {
        [
            "id": .integer(Int64(id)), "stackLevel": .integer(Int64(stack)), "chargingProfilePurpose": .string(purpose),
            "chargingProfileKind": "Absolute",
            "chargingSchedule": [["id": 1, "startSchedule": .string(OCPPTimestamp.format(Date())), "chargingRateUnit": "A", "chargingSchedulePeriod": [["startPeriod": 0, "limit": .number(limit)]]]],
        ]
    }

    /// A booted 2.0.1 station that accepts what the gateway sets and asks.
    func station(_ harness: GatewayHarness, _ id: String) async throws -> TestChargePoint {
        let pile = try await harness.connect(id, subprotocols: ["ocpp2.0.1"])
        _ = try await pile.call(V201.BootNotification.self, .init(chargingStation: .init(model: "S", vendorName: "V"), reason: .powerUp))
        pile.respond(to: "SetChargingProfile", with: ["status": "Accepted"])
        pile.respond(to: "GetChargingProfiles", with: ["status": "Accepted"])
        return pile
    }

    func set(_ harness: GatewayHarness, _ id: String, evse: Int, _ profile: JSON) async {
        let set = await harness.api("POST", "/api/chargepoints/\(id)/charging-profiles", json: ["evseId": .integer(Int64(evse)), "chargingProfile": profile])
        XCTAssertEqual(set.json[path: "response.status"], "Accepted", set.text)
    }

    func report(_ pile: TestChargePoint, id: String, _ requestId: Int, evse: Int, source: String, _ profiles: [JSON], tbc: Bool) {
        let payload: JSON = [
            "requestId": .integer(Int64(requestId)), "chargingLimitSource": .string(source), "evseId": .integer(Int64(evse)),
            "chargingProfile": .array(profiles), "tbc": .bool(tbc),
        ]
        pile.peer.sendRaw(#"[2,"\#(id)","ReportChargingProfiles",\#(payload.text)]"#)
    }

    func testAFullReportReplacesTheRecordAndKeepsEachProfilesSource() async throws {
        try await GatewayHarness.with { harness in
            let id = "K-REPORT"
            let pile = try await station(harness, id)
            await set(harness, id, evse: 1, Self.profile(1))
            await set(harness, id, evse: 1, Self.profile(2, stack: 1))
            // The station lost profile 1, changed 2, and holds an EMS limit on the grid connection.
            let asked = await harness.api("POST", "/api/chargepoints/\(id)/commands/GetChargingProfiles", json: ["requestId": 42, "chargingProfile": [:]])
            XCTAssertEqual(asked.json["status"], "Accepted", asked.text)
            report(pile, id: "r1", 42, evse: 1, source: "CSO", [Self.profile(2, stack: 1, limit: 10)], tbc: true)
            _ = assertCallResult(try await harness.reply(from: pile, to: "r1"), id: "r1")
            report(pile, id: "r2", 42, evse: 0, source: "EMS", [Self.profile(9, purpose: "ChargingStationExternalConstraints")], tbc: false)
            _ = assertCallResult(try await harness.reply(from: pile, to: "r2"), id: "r2")
            try await harness.store.flush()
            let held = await harness.api("GET", "/api/chargepoints/\(id)/charging-profiles")
            let rows = try XCTUnwrap(held.json.arrayValue, held.text)
            XCTAssertEqual(rows.map { $0["chargingProfileId"] }, [9, 2], held.text)
            XCTAssertEqual(rows.map { $0["source"] }, ["EMS", "CSO"])
            XCTAssertEqual(rows.last?[path: "profile.chargingSchedule.0.chargingSchedulePeriod.0.limit"]?.doubleValue, 10)
            XCTAssertNotEqual(rows.first?["reportedAt"], .null)
            let rules = try await harness.findings(id).map(\.rule)
            XCTAssertFalse(rules.contains("profiles.unrequested-report"), "\(rules)")
        }
    }

    func testNoProfilesClearsOnlyTheRequestsScope() async throws {
        try await GatewayHarness.with { harness in
            let id = "K-NONE"
            let pile = try await station(harness, id)
            await set(harness, id, evse: 1, Self.profile(1))
            await set(harness, id, evse: 2, Self.profile(3))
            pile.respond(to: "GetChargingProfiles", with: ["status": "NoProfiles"])
            let asked = await harness.api("POST", "/api/chargepoints/\(id)/commands/GetChargingProfiles", json: ["requestId": 5, "evseId": 1, "chargingProfile": [:]])
            XCTAssertEqual(asked.json["status"], "NoProfiles", asked.text)
            let emptied = try await eventually { try await harness.store.chargingProfiles(chargePointId: id).map(\.chargingProfileId) == [3] }
            XCTAssertTrue(emptied, "EVSE 1's profile goes, EVSE 2's stays")
        }
    }

    func testAnUnrequestedReportIsKeptAndReplacesNothing() async throws {
        try await GatewayHarness.with { harness in
            let id = "K-UNASKED"
            let pile = try await station(harness, id)
            await set(harness, id, evse: 1, Self.profile(1))
            report(pile, id: "u1", 77, evse: 1, source: "SO", [Self.profile(4, stack: 2)], tbc: false)
            _ = assertCallResult(try await harness.reply(from: pile, to: "u1"), id: "u1")
            let found = try await harness.finding("profiles.unrequested-report", for: id)
            XCTAssertEqual(found.messageId, "u1")
            let held = try await harness.store.chargingProfiles(chargePointId: id)
            XCTAssertEqual(held.map(\.chargingProfileId).sorted(), [1, 4])
            XCTAssertEqual(held.first { $0.chargingProfileId == 4 }?.source, "SO")
        }
    }

    func testAReportPastTheCapIsCutWithAFindingAndReplacesNothing() async throws {
        try await GatewayHarness.with { harness in
            let id = "K-HUGE"
            let pile = try await station(harness, id)
            await set(harness, id, evse: 1, Self.profile(100_000, stack: 100_000))
            _ = await harness.api("POST", "/api/chargepoints/\(id)/commands/GetChargingProfiles", json: ["requestId": 1, "chargingProfile": [:]])
            // Six pages of 200: the sixth is past the cap (each page is kept within the 64 KiB message limit).
            for page in 0..<6 {
                report(pile, id: "h\(page)", 1, evse: 1, source: "CSO", (0..<200).map { Self.profile(page * 200 + $0, stack: page * 200 + $0) }, tbc: page < 5)
                _ = assertCallResult(try await harness.reply(from: pile, to: "h\(page)"), id: "h\(page)")
            }
            let found = try await harness.finding("profiles.report-too-large", for: id)
            XCTAssertEqual(found.messageId, "h5")
            try await harness.store.flush()
            let held = try await harness.store.chargingProfiles(chargePointId: id)
            XCTAssertEqual(held.count, 1_001, "the first 1,000 reported, and the one set here: a cut report removes nothing")
        }
    }

    func testExternalLimitsAreNoticesAndTheOneInForceIsInThePileView() async throws {
        try await GatewayHarness.with { harness in
            let id = "K-LIMIT"
            let pile = try await station(harness, id)
            let limit = #"""
                {"evseId":1,"chargingLimit":{"chargingLimitSource":"EMS","isGridCritical":true},
                 "chargingSchedule":[{"id":3,"chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":11000},{"startPeriod":600,"limit":-5}]}]}
                """#
            pile.peer.sendRaw(#"[2,"l1","NotifyChargingLimit",\#(limit)]"#)
            _ = assertCallResult(try await harness.reply(from: pile, to: "l1"), id: "l1")
            let dropped = try await harness.finding("value.out-of-range", for: id)
            XCTAssertEqual(dropped.messageId, "l1")
            let view = await harness.api("GET", "/api/chargepoints/\(id)")
            XCTAssertEqual(view.json[path: "chargingLimits.0.source"], "EMS", view.text)
            XCTAssertEqual(view.json[path: "chargingLimits.0.evseId"], 1)
            XCTAssertEqual(view.json[path: "chargingLimits.0.isGridCritical"], true)
            XCTAssertEqual(view.json[path: "chargingLimits.0.chargingSchedule.0.chargingSchedulePeriod"]?.arrayValue?.count, 1, "the negative limit is left out")
            let notices = await harness.api("GET", "/api/chargepoints/\(id)/notices?kind=chargingLimit")
            XCTAssertEqual(notices.json[path: "0.status"], "EMS", notices.text)

            pile.peer.sendRaw(#"[2,"c1","ClearedChargingLimit",{"chargingLimitSource":"EMS","evseId":1}]"#)
            _ = assertCallResult(try await harness.reply(from: pile, to: "c1"), id: "c1")
            let cleared = await harness.api("GET", "/api/chargepoints/\(id)")
            XCTAssertEqual(cleared.json["chargingLimits"], [], cleared.text)
        }
    }

    func testTheEVsNeedsAreRangeCheckedAcceptedAndShown() async throws {
        try await GatewayHarness.with { harness in
            let id = "K-NEEDS"
            let pile = try await station(harness, id)
            let needs = #"""
                {"evseId":1,"maxScheduleTuples":3,"chargingNeeds":{"requestedEnergyTransfer":"DC","departureTime":$T(7200),
                 "dcChargingParameters":{"evMaxCurrent":-5,"evMaxVoltage":800,"energyAmount":40000,"evMaxPower":999999999999,"evEnergyCapacity":-1,"stateOfCharge":40}}}
                """#
            pile.peer.sendRaw(#"[2,"n1","NotifyEVChargingNeeds",\#(Script.expand(needs, transactionId: 0))]"#)
            let answer = assertCallResult(try await harness.reply(from: pile, to: "n1"), id: "n1")
            XCTAssertEqual(answer["status"], "Accepted")
            let flagged = try await eventually { try await harness.findings(id).filter { $0.rule == "value.out-of-range" }.count == 3 }
            XCTAssertTrue(flagged, "evMaxCurrent, evMaxPower and evEnergyCapacity")
            let view = await harness.api("GET", "/api/chargepoints/\(id)")
            let shown = try XCTUnwrap(view.json[path: "evChargingNeeds.0"], view.text)
            XCTAssertEqual(shown["evMaxVoltageV"], 800)
            XCTAssertEqual(shown["energyAmountWh"], 40000)
            XCTAssertEqual(shown["requestedEnergyTransfer"], "DC")
            XCTAssertNotNil(shown["departureTime"]?.stringValue)
            XCTAssertNil(shown["evMaxCurrentA"], "negative: left out")
            XCTAssertNil(shown["evMaxPowerW"], "a terawatt: left out")
            XCTAssertNil(shown["evEnergyCapacityWh"], "negative: left out")
            XCTAssertEqual(shown["stateOfCharge"], 40)

            let schedule = #"{"evseId":1,"timeBase":$T(0),"chargingSchedule":{"id":1,"chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":50000}]}}"#
            pile.peer.sendRaw(#"[2,"s1","NotifyEVChargingSchedule",\#(Script.expand(schedule, transactionId: 0))]"#)
            let scheduled = assertCallResult(try await harness.reply(from: pile, to: "s1"), id: "s1")
            XCTAssertEqual(scheduled["status"], "Accepted")
            let notices = await harness.api("GET", "/api/chargepoints/\(id)/notices?kind=evChargingSchedule")
            XCTAssertEqual(notices.json[path: "0.status"], "W", notices.text)
        }
    }

    func testReconcilingDropsOnlyWhatTheScopeCoversAndKeepsEarlierPages() {
        func record(_ id: Int, evse: Int, source: String? = nil) -> ChargingProfileRecord {
            ChargingProfileRecord(
                chargePointId: "P", connectorId: evse, chargingProfileId: id, purpose: "TxDefaultProfile", stackLevel: id, profile: "{}",
                ocppVersion: "2.0.1", storedAt: Date(), source: source)
        }
        let held = [record(1, evse: 1), record(2, evse: 1, source: "EMS"), record(3, evse: 2), record(4, evse: 1)]
        let report = ChargingProfileReport(
            chargePointId: "P", scope: ChargingProfileScope(evseId: 1, sources: ["CSO"]), profiles: [record(5, evse: 1, source: "CSO")], alreadyReported: [4])
        let after = ChargingProfileRecord.reconciling(report, with: held).map(\.chargingProfileId).sorted()
        XCTAssertEqual(after, [2, 3, 4, 5], "1 (CSO, on EVSE 1, unreported) goes; EMS's 2, EVSE 2's 3 and the earlier page's 4 stay")
        XCTAssertEqual(ChargingProfileRecord.reconciling(.init(chargePointId: "P", scope: nil, profiles: []), with: held).count, 4)
    }
}
