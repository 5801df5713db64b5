import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

/// The state rules on 2.0.1: TransactionEvents go through the same neutral checks as 1.6
/// StartTransaction, MeterValues and StopTransaction, so each rule whose concept exists in
/// 2.0.1 fires on a station too (docs/rules.md says which do not, and why).
final class V201StateRuleTests: XCTestCase {
    typealias E = V201SessionTests

    func station(_ harness: GatewayHarness, _ id: String) async throws -> TestChargePoint {
        let pile = try await harness.connect(id, subprotocols: ["ocpp2.0.1"])
        _ = try await pile.call(V201.BootNotification.self, .init(chargingStation: .init(model: "S201", vendorName: "TestVendor"), reason: .powerUp))
        return pile
    }

    func count(_ rule: String, _ harness: GatewayHarness, _ pile: String) async throws -> Int {
        try await harness.findings(pile).filter { $0.rule == rule }.count
    }

    func report(_ pile: TestChargePoint, requestId: Int = 1, _ data: [(component: String, evse: Int?, variable: String, value: String)]) async throws {
        let reportData = data.map { item in
            V201.ReportData(
                component: .init(name: item.component, evse: item.evse.map { V201.EVSE(id: $0) }), variable: .init(name: item.variable),
                variableAttribute: [.init(type: .actual, value: item.value, mutability: .readWrite)],
                variableCharacteristics: .init(dataType: .string, supportsMonitoring: false))
        }
        _ = try await pile.call(V201.NotifyReport.self, .init(requestId: requestId, generatedAt: Date(), seqNo: 0, reportData: reportData))
    }

    static func begin(_ wh: Double, at time: Date) -> V201.MeterValue { E.energy(wh, at: time, context: .transactionBegin) }

    func testAStartedEventOnAnUnavailableEVSEIsFlaggedAndOnAnAvailableOneNot() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await station(harness, "S-INOP")
            _ = try await pile.call(V201.StatusNotification.self, .init(timestamp: Date(), connectorStatus: .unavailable, evseId: 1, connectorId: 1))
            _ = try await pile.call(V201.StatusNotification.self, .init(timestamp: Date(), connectorStatus: .available, evseId: 2, connectorId: 1))
            _ = try await pile.call(V201.TransactionEvent.self, E.event(.started, "tx-1", seqNo: 0, trigger: .cablePluggedIn, wh: 0, evse: 1, token: "T1"))
            _ = try await pile.call(V201.TransactionEvent.self, E.event(.started, "tx-2", seqNo: 0, trigger: .cablePluggedIn, wh: 0, evse: 2, token: "T2"))
            _ = try await harness.finding("session.start-on-inoperative-connector", for: "S-INOP")
            let got1 = try await count("session.start-on-inoperative-connector", harness, "S-INOP")
            XCTAssertEqual(got1, 1)
        }
    }

    func testASecondTransactionOnOneEVSEIsConcurrentButAResentStartedIsNot() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await station(harness, "S-CONC")
            let started = E.event(.started, "tx-a", seqNo: 0, trigger: .cablePluggedIn, wh: 100, evse: 1, token: "T1")
            _ = try await pile.call(V201.TransactionEvent.self, started)
            _ = try await pile.call(V201.TransactionEvent.self, started)
            let got2 = try await count("session.concurrent-transaction", harness, "S-CONC")
            XCTAssertEqual(got2, 0, "a resend of the same transactionId")
            _ = try await pile.call(V201.TransactionEvent.self, E.event(.started, "tx-b", seqNo: 0, trigger: .cablePluggedIn, wh: 200, evse: 1, token: "T2"))
            _ = try await harness.finding("session.concurrent-transaction", for: "S-CONC")
            let got3 = try await count("session.concurrent-transaction", harness, "S-CONC")
            XCTAssertEqual(got3, 1)
        }
    }

    func testARefusedTokenWithEnergyBeyondTheAllowanceIsChargingAfterRefusal() async throws {
        try await GatewayHarness.with(StateRuleTests.closed) { harness in
            let pile = try await station(harness, "S-REF")
            let answer = try await pile.call(
                V201.TransactionEvent.self, E.event(.started, "tx-r", seqNo: 0, trigger: .authorized, wh: 1000, evse: 1, token: "STRANGER"))
            XCTAssertEqual(answer.idTokenInfo?.status, .invalid)
            _ = try await pile.call(V201.TransactionEvent.self, E.event(.updated, "tx-r", seqNo: 1, wh: 1100))
            let got4 = try await count("session.charging-after-refusal", harness, "S-REF")
            XCTAssertEqual(got4, 0, "within refusedEnergyWh")
            _ = try await pile.call(V201.TransactionEvent.self, E.event(.updated, "tx-r", seqNo: 2, wh: 3000))
            _ = try await pile.call(V201.TransactionEvent.self, E.event(.updated, "tx-r", seqNo: 3, wh: 5000))
            _ = try await harness.finding("session.charging-after-refusal", for: "S-REF")
            let got5 = try await count("session.charging-after-refusal", harness, "S-REF")
            XCTAssertEqual(got5, 1, "once per transaction")
        }
    }

    func testTransactionBeginInTwoEventsIsRepeated() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await station(harness, "S-BEGIN")
            var started = E.event(.started, "tx-b", seqNo: 0, trigger: .cablePluggedIn, evse: 1, token: "T1")
            started.meterValue = [Self.begin(1000, at: Date().addingTimeInterval(-30))]
            _ = try await pile.call(V201.TransactionEvent.self, started)
            var again = E.event(.updated, "tx-b", seqNo: 1)
            again.meterValue = [Self.begin(1500, at: Date())]
            _ = try await pile.call(V201.TransactionEvent.self, again)
            _ = try await harness.finding("session.transaction-begin-repeated", for: "S-BEGIN")
        }
    }

    func testAnEndedEventWithoutTransactionEndReadingsIsFlaggedWhenTheDeviceModelAsksForThem() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await station(harness, "S-END")
            // Before the device model is known: no finding.
            _ = try await pile.call(V201.TransactionEvent.self, E.event(.started, "tx-0", seqNo: 0, trigger: .cablePluggedIn, wh: 0, evse: 1, token: "T1"))
            _ = try await pile.call(V201.TransactionEvent.self, E.event(.ended, "tx-0", seqNo: 1, trigger: .evDeparted, wh: 500, reason: .evDisconnected))
            let got6 = try await count("session.transaction-end-missing", harness, "S-END")
            XCTAssertEqual(got6, 0)
            try await report(pile, [("SampledDataCtrlr", nil, "TxEndedMeasurands", "Energy.Active.Import.Register")])
            _ = try await pile.call(V201.TransactionEvent.self, E.event(.started, "tx-1", seqNo: 0, trigger: .cablePluggedIn, wh: 500, evse: 1, token: "T1"))
            var ended = E.event(.ended, "tx-1", seqNo: 1, trigger: .evDeparted, reason: .evDisconnected)
            ended.meterValue = [E.energy(900, context: .transactionEnd)]
            _ = try await pile.call(V201.TransactionEvent.self, ended)
            let got7 = try await count("session.transaction-end-missing", harness, "S-END")
            XCTAssertEqual(got7, 0, "Transaction.End readings came")
            _ = try await pile.call(V201.TransactionEvent.self, E.event(.started, "tx-2", seqNo: 0, trigger: .cablePluggedIn, wh: 900, evse: 1, token: "T1"))
            _ = try await pile.call(V201.TransactionEvent.self, E.event(.ended, "tx-2", seqNo: 1, trigger: .evDeparted, wh: 1200, reason: .evDisconnected))
            _ = try await harness.finding("session.transaction-end-missing", for: "S-END")
            let got8 = try await count("session.transaction-end-missing", harness, "S-END")
            XCTAssertEqual(got8, 1)
        }
    }

    func testAnEVSEBeyondTheDeviceModelIsFlagged() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await station(harness, "S-COUNT")
            // A report we did not ask for as a base report (a GetReport, say) may list some EVSEs only.
            try await report(pile, requestId: 3, [("EVSE", 1, "Power", "22000")])
            _ = try await pile.call(V201.StatusNotification.self, .init(timestamp: Date(), connectorStatus: .available, evseId: 2, connectorId: 1))
            let partial = try await count("status.connector-beyond-count", harness, "S-COUNT")
            XCTAssertEqual(partial, 0)
            pile.respond(to: "GetBaseReport", with: ["status": "Accepted"])
            _ = try await harness.gateway.call("S-COUNT", V201.GetBaseReport.self, .init(requestId: 7, reportBase: .fullInventory))
            try await report(pile, requestId: 7, [("EVSE", 1, "Power", "22000")])
            _ = try await pile.call(V201.StatusNotification.self, .init(timestamp: Date(), connectorStatus: .available, evseId: 1, connectorId: 1))
            let got9 = try await count("status.connector-beyond-count", harness, "S-COUNT")
            XCTAssertEqual(got9, 0)
            _ = try await pile.call(V201.StatusNotification.self, .init(timestamp: Date(), connectorStatus: .available, evseId: 2, connectorId: 1))
            _ = try await harness.finding("status.connector-beyond-count", for: "S-COUNT")
        }
    }

    func testAnEventAfterEndedIsTheTxeventRuleNotMeterValuesAfterStop() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await station(harness, "S-AFTER")
            _ = try await pile.call(V201.TransactionEvent.self, E.event(.started, "tx-e", seqNo: 0, trigger: .cablePluggedIn, wh: 0, evse: 1, token: "T1"))
            _ = try await pile.call(V201.TransactionEvent.self, E.event(.ended, "tx-e", seqNo: 1, trigger: .evDeparted, wh: 500, reason: .evDisconnected))
            _ = try await pile.call(V201.TransactionEvent.self, E.event(.updated, "tx-e", seqNo: 2, wh: 600))
            _ = try await harness.finding("txevent.event-after-ended", for: "S-AFTER")
            let got10 = try await count("session.meter-values-after-stop", harness, "S-AFTER")
            XCTAssertEqual(got10, 0)
        }
    }
}
