import EVModel
import Foundation
import Gateway
import OCPP
import SessionStore
import Simulator
import XCTest

/// The driver's flow end to end: a simulated pile with a car plugged in, the app scans
/// its code over the HTTP API, watches the session live, stops it and reads the receipt.
final class ScanToChargeFlowTests: SimulationTestCase {
    static let pileId = "NIO-S2C-1"

    func configuration() throws -> GatewayConfiguration {
        try ScanFixtures.configuration([
            ScanFixtures.pile(
                Self.pileId, network: "NIO", station: "nio-beijing-001", city: "Beijing", latitude: 39.90, longitude: 116.40, kW: 640,
                amps: 765, volts: 1000)
        ])
    }

    /// Plugs a car in, scans the connector's code from the map and waits for the session to
    /// run with live figures. Returns the session id.
    func scanAndCharge(_ harness: GatewayHarness, pile: PileHandle, account: String = "mi-driver-1") async throws -> Int64 {
        let car = try vehicle("su7-max")
        pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 10, targetSoC: 100) }
        let preparing = try await harness.waitForConnector(Self.pileId, 1, "Preparing")
        XCTAssertTrue(preparing, "the plugged-in connector reports Preparing")

        // The code the driver scans is the one the map shows on the connector.
        let map = await harness.api("GET", "/api/chargepoints/\(Self.pileId)")
        XCTAssertEqual(map.status, 200)
        let connector = map.json["connectors"]?.arrayValue?.first { $0["connectorId"] == 1 }
        let qr = try XCTUnwrap(connector?["qr"]?.stringValue, "\(map.json)")
        XCTAssertNil(map.json["connectors"]?.arrayValue?.first { $0["connectorId"] == 0 }?["qr"], "the pile as a whole has no code")
        XCTAssertEqual(qr, ScanFixtures.qr("NIO", Self.pileId, 1))

        let scan = await harness.api("POST", "/api/scan", json: ["qr": .string(qr), "account": .string(account)])
        XCTAssertEqual(scan.status, 201, scan.text)
        // Starting, or already active when the pile's StartTransaction beat the answer.
        XCTAssertTrue(["starting", "active"].contains(scan.json["status"]?.stringValue ?? ""), scan.text)
        XCTAssertEqual(scan.json["account"], .string(account))
        XCTAssertEqual(scan.json["chargePointId"], .string(Self.pileId))
        XCTAssertEqual(scan.json["connectorId"], 1)
        XCTAssertEqual(scan.json["idTag"], .string(harness.gateway.accounts[account]?.idTag ?? "?"))
        let id = try XCTUnwrap(scan.json["id"]?.intValue, scan.text)

        // The pile's StartTransaction fills in the scanned session: same id, now active.
        let active = try await harness.waitForSession(id) { $0["status"] == "active" }
        XCTAssertEqual(active["status"], "active", "\(active)")
        XCTAssertEqual(active["account"], .string(account))
        let sessions = try await harness.storedSessions(chargePoint: Self.pileId)
        XCTAssertEqual(sessions.map(\.id), [id], "the transaction took the scanned session's id, no second session")
        return id
    }

    func testAScannedSessionRunsLiveStopsFromTheAppAndIsBilledConsistently() async throws {
        try await withHarness(try configuration()) { harness in
            let pile = try await startPile(harness, identity: Self.pileId, speed: 120) { $0.meterValueSampleInterval = 10 }
            let id = try await scanAndCharge(harness, pile: pile)

            // Live figures while it charges: power, energy, state of charge, cost so far.
            let live = try await harness.waitForSession(id) {
                ($0[path: "live.energyKWh"]?.doubleValue ?? 0) > 0.5 && ($0[path: "live.costFen"]?.intValue ?? 0) > 0
                    && ($0[path: "live.soc"]?.doubleValue ?? 0) > 10
            }
            let powerKW = try XCTUnwrap(live[path: "live.powerKW"]?.doubleValue, "\(live)")
            XCTAssertGreaterThan(powerKW, 10, "a 640 kW pile charging a 10 % car")
            XCTAssertGreaterThan(live[path: "live.soc"]?.doubleValue ?? 0, 10, "state of charge rises from 10 %")
            XCTAssertGreaterThan(live[path: "live.elapsedSeconds"]?.doubleValue ?? 0, 0)
            XCTAssertNotNil(live["samples"]?.arrayValue?.first, "the detail carries the samples")

            // Stop from the app: RemoteStopTransaction, the pile stops with reason Remote.
            let stop = await harness.api("POST", "/api/sessions/\(id)/stop")
            XCTAssertEqual(stop.status, 202, stop.text)
            XCTAssertEqual(stop.json["sessionId"], .integer(id))
            XCTAssertEqual(stop.json["status"], "Accepted")
            let done = try await harness.waitForSession(id) { $0["status"] == "completed" }
            XCTAssertEqual(done["status"], "completed", "\(done)")
            XCTAssertEqual(done["stopReason"], "Remote")
            // The app's stop is in the pile's command history like any operator command.
            let history = await harness.api("GET", "/api/chargepoints/\(Self.pileId)/commands")
            let stops = history.json.arrayValue?.filter { $0["action"] == "RemoteStopTransaction" } ?? []
            XCTAssertEqual(stops.count, 1, history.text)
            XCTAssertEqual(stops.first?["outcome"], "answered", history.text)
            XCTAssertEqual(stops.first?["issuedBy"]?.stringValue?.hasPrefix("token:"), true, history.text)
            XCTAssertEqual(stops.first?["payload"]?.stringValue.flatMap { try? JSONParser.parse($0) }?["transactionId"], .integer(id), history.text)
            let energyWh = try XCTUnwrap(done["energyWh"]?.intValue)
            XCTAssertGreaterThan(energyWh, 0)

            // A session that is over cannot be stopped again.
            let again = await harness.api("POST", "/api/sessions/\(id)/stop")
            XCTAssertEqual(again.status, 409)
            XCTAssertEqual(again.errorCode, "session_not_active")

            // The receipt: lines sum to the energy, total = electricity + service + idle − discount.
            let receipt = await harness.api("GET", "/api/sessions/\(id)/receipt")
            XCTAssertEqual(receipt.status, 200, receipt.text)
            try assertConsistentReceipt(receipt.json, sessionId: id, energyWh: energyWh, harness: harness)
            XCTAssertEqual(receipt.json["final"], false, "the car is still plugged in: the idle fee may still grow")

            // The stored cost follows the receipt.
            let total = receipt.json["totalFen"]?.intValue
            let billed = try await harness.waitForSession(id) { $0["costFen"]?.intValue == total }
            XCTAssertEqual(billed["costFen"]?.intValue, total)
            pile.stop()
        }
    }

    func testUnpluggingAfterTheStopMakesTheReceiptFinal() async throws {
        try await withHarness(try configuration()) { harness in
            let pile = try await startPile(harness, identity: Self.pileId, speed: 120) { $0.meterValueSampleInterval = 10 }
            let id = try await scanAndCharge(harness, pile: pile, account: "mi-driver-2")
            _ = try await harness.waitForSession(id) { ($0[path: "live.energyKWh"]?.doubleValue ?? 0) > 0.2 }
            let stop = await harness.api("POST", "/api/sessions/\(id)/stop")
            XCTAssertEqual(stop.status, 202, stop.text)
            let done = try await harness.waitForSession(id) { $0["status"] == "completed" }
            XCTAssertEqual(done["stopReason"], "Remote")

            pile.execute { $0.unplug(connector: 1) }
            let available = try await harness.waitForConnector(Self.pileId, 1, "Available")
            XCTAssertTrue(available)
            var receipt = APIReply(status: 0, headers: [], text: "", json: .null)
            _ = try await harness.eventually(5) {
                receipt = await harness.api("GET", "/api/sessions/\(id)/receipt")
                return receipt.json["final"] == true
            }
            XCTAssertEqual(receipt.json["final"], true, "the car has left: the bill is final (\(receipt.text))")
            let stored = try await harness.store.session(id: id)?.session
            XCTAssertNotNil(stored?.unpluggedAt, "the unplug time is stored with the session")
            try assertConsistentReceipt(receipt.json, sessionId: id, energyWh: done["energyWh"]?.intValue ?? -1, harness: harness)
            pile.stop()
        }
    }

    /// Checks a receipt against the session and the NIO tariff of demo.yaml by hand:
    /// per-line fees are Wh × price, rounded half up per line; the xiaomi group has 20 % off
    /// the service fee.
    func assertConsistentReceipt(_ r: JSON, sessionId: Int64, energyWh: Int64, harness: GatewayHarness, line: UInt = #line) throws {
        XCTAssertEqual(r["sessionId"], .integer(sessionId), line: line)
        XCTAssertEqual(r["network"], "NIO", line: line)
        XCTAssertEqual(r["currency"], "CNY", line: line)
        let lines = try XCTUnwrap(r["lines"]?.arrayValue, "\(r)", line: line)
        XCTAssertFalse(lines.isEmpty, line: line)
        let plan = try XCTUnwrap(harness.gateway.tariffPlan(forChargePoint: Self.pileId), line: line)
        var sumWh: Int64 = 0
        var sumElectricity: Int64 = 0
        var sumService: Int64 = 0
        for item in lines {
            let wh = try XCTUnwrap(item["energyWh"]?.intValue, line: line)
            let tier = try XCTUnwrap(item["tier"]?.stringValue.flatMap(Tariff.Tier.init(rawValue:)), "\(item)", line: line)
            let price = try XCTUnwrap(plan.tariff.tiers[tier], line: line)
            // fen = Wh × (fen/kWh) / 1000, half up; prices in milli-fen keep it exact.
            let electricity = Int64((price.electricity * 1000).rounded())
            let service = Int64((price.service * 1000).rounded())
            XCTAssertEqual(item["electricityFen"]?.intValue, (wh * electricity + 500_000) / 1_000_000, "\(item)", line: line)
            XCTAssertEqual(item["serviceFen"]?.intValue, (wh * service + 500_000) / 1_000_000, "\(item)", line: line)
            sumWh += wh
            sumElectricity += item["electricityFen"]?.intValue ?? 0
            sumService += item["serviceFen"]?.intValue ?? 0
        }
        XCTAssertEqual(r["energyWh"]?.intValue, sumWh, "lines sum to the energy", line: line)
        XCTAssertEqual(sumWh, energyWh, "the receipt bills the session's energy", line: line)
        XCTAssertEqual(r["electricityFen"]?.intValue, sumElectricity, line: line)
        XCTAssertEqual(r["serviceFen"]?.intValue, sumService, line: line)
        XCTAssertEqual(r["discountFen"]?.intValue, (sumService * 20 + 50) / 100, "xiaomi: 20 % off the service fee", line: line)
        let idle = try XCTUnwrap(r["idleFen"]?.intValue, line: line)
        let discount = try XCTUnwrap(r["discountFen"]?.intValue, line: line)
        XCTAssertEqual(r["totalFen"]?.intValue, sumElectricity + sumService + idle - discount, line: line)
        XCTAssertGreaterThan(r["totalFen"]?.intValue ?? 0, 0, line: line)
    }
}
