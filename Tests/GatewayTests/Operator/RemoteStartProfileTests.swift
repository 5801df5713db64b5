import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

/// A remote start's chargingProfile is a TxProfile the pile installs with the transaction
/// it starts: stored when the pile accepts the remote start, gone when that transaction stops;
/// one the pile refuses is not stored.
final class RemoteStartProfileTests: XCTestCase {
    func testARemoteStartsTxProfileIsStoredAndEndsWithTheTransaction() async throws {
        try await GatewayHarness.with { harness in
            let id = "RSP-16"
            let pile = try await harness.connect(id)
            _ = try await pile.boot()
            let profile: JSON = [
                "chargingProfileId": 21, "stackLevel": 0, "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",
                "chargingSchedule": ["chargingRateUnit": "A", "chargingSchedulePeriod": [["startPeriod": 0, "limit": 16.0]]],
            ]
            pile.respond(to: "RemoteStartTransaction", with: ["status": "Rejected"])
            let refused = await harness.api(
                "POST", "/api/chargepoints/\(id)/remote-start", json: ["idTag": "RSP-TAG", "connectorId": 1, "chargingProfile": profile])
            XCTAssertEqual(refused.json[path: "response.status"], "Rejected", refused.text)
            let none = await harness.api("GET", "/api/chargepoints/\(id)/charging-profiles")
            XCTAssertEqual(none.json.arrayValue?.count, 0, none.text)

            pile.respond(to: "RemoteStartTransaction", with: ["status": "Accepted"])
            let started = await harness.api(
                "POST", "/api/chargepoints/\(id)/remote-start", json: ["idTag": "RSP-TAG", "connectorId": 1, "chargingProfile": profile])
            XCTAssertEqual(started.json[path: "response.status"], "Accepted", started.text)
            let held = await harness.api("GET", "/api/chargepoints/\(id)/charging-profiles")
            XCTAssertEqual(held.json[path: "0.purpose"], "TxProfile", held.text)
            XCTAssertEqual(held.json[path: "0.connectorId"], 1)
            XCTAssertEqual(held.json[path: "0.chargingProfileId"], 21)

            let start = try await pile.call(V16.StartTransaction.self, .init(connectorId: 1, idTag: "RSP-TAG", meterStart: 0, timestamp: Date()))
            let still = await harness.api("GET", "/api/chargepoints/\(id)/charging-profiles")
            XCTAssertEqual(still.json.arrayValue?.count, 1, "in force while the transaction runs")
            _ = try await pile.call(V16.StopTransaction.self, .init(meterStop: 500, timestamp: Date(), transactionId: start.transactionId))
            let gone = await harness.api("GET", "/api/chargepoints/\(id)/charging-profiles")
            XCTAssertEqual(gone.json.arrayValue?.count, 0, gone.text)
        }
    }
}
