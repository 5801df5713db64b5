import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

/// Scan to charge on a 2.0.1 station: RequestStartTransaction carries the scanned
/// session's id as remoteStartId, the station's TransactionEvent fills in that session,
/// and the app's stop is a RequestStopTransaction naming the station's own transaction id.
final class V201ScanTests: XCTestCase {
    func testAScanStartsAndStopsA201StationsTransactionInTheScannedSession() async throws {
        let configuration = try ScanFixtures.configuration([
            ScanFixtures.pile("NIO-201", network: "NIO", station: "nio-201", city: "Beijing", latitude: 39.9, longitude: 116.4, kW: 640)
        ])
        try await GatewayHarness.with(configuration) { harness in
            let pile = try await harness.connect("NIO-201", subprotocols: ["ocpp2.0.1"])
            _ = try await pile.call(V201.BootNotification.self, .init(chargingStation: .init(model: "S", vendorName: "NIO"), reason: .powerUp))
            // The driver plugged in first: 2.0.1 says Occupied (1.6 would say Preparing).
            _ = try await pile.call(V201.StatusNotification.self, .init(timestamp: Date(), connectorStatus: .occupied, evseId: 1, connectorId: 1))
            try await harness.store.flush()
            pile.respond(to: "RequestStartTransaction", with: ["status": "Accepted"])
            pile.respond(to: "RequestStopTransaction", with: ["status": "Accepted"])

            let scan = await harness.api("POST", "/api/scan", json: ["qr": .string(ScanFixtures.qr("NIO", "NIO-201")), "account": "mi-driver-1"])
            XCTAssertEqual(scan.status, 201, scan.text)
            let id = try XCTUnwrap(scan.json["id"]?.intValue)
            let asked = try XCTUnwrap(pile.received.first { $0.action == "RequestStartTransaction" })
            XCTAssertEqual(asked.payload["remoteStartId"]?.intValue, id, "the remote start names the scanned session")
            XCTAssertEqual(asked.payload["evseId"], 1)
            XCTAssertEqual(asked.payload["idToken"]?["type"], "Central")

            // The station starts on the remote start, without repeating the token.
            _ = try await pile.call(
                V201.TransactionEvent.self,
                V201SessionTests.event(.started, "st-9", seqNo: 0, trigger: .remoteStart, wh: 500, evse: 1, state: .charging, remoteStartId: Int(id)))
            let active = try await harness.waitForSession(id) { $0["status"] == "active" }
            XCTAssertEqual(active["transactionRef"], "st-9", "\(active)")
            XCTAssertEqual(active["account"], "mi-driver-1")
            XCTAssertEqual(active["idTag"], .string(harness.gateway.accounts["mi-driver-1"]?.idTag ?? "?"), "the scan's tag stays")

            let stop = await harness.api("POST", "/api/sessions/\(id)/stop")
            XCTAssertEqual(stop.status, 202, stop.text)
            let stopAsked = try XCTUnwrap(pile.received.first { $0.action == "RequestStopTransaction" })
            XCTAssertEqual(stopAsked.payload["transactionId"], "st-9")
            _ = try await pile.call(
                V201.TransactionEvent.self, V201SessionTests.event(.ended, "st-9", seqNo: 1, trigger: .remoteStop, wh: 20_500, reason: .remote))
            let done = try await harness.waitForSession(id) { $0["status"] == "completed" }
            XCTAssertEqual(done["energyWh"], 20_000)
            let receipt = await harness.api("GET", "/api/sessions/\(id)/receipt")
            XCTAssertEqual(receipt.status, 200, receipt.text)
            XCTAssertEqual(receipt.json["energyWh"], 20_000, "billed like a 1.6 session")
        }
    }
}
