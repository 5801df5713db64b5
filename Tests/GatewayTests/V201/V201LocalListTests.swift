import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

/// D01/D02 and K01/K10 for 2.0.1 stations: the gateway's list goes out as SendLocalList
/// with idToken objects and versionNumber; profiles are stored by evseId.
final class V201LocalListTests: XCTestCase {
    func testAStationGetsTheListInItsShapeAndItsProfilesAreStoredByEvse() async throws {
        var configuration = GatewayConfiguration()
        configuration.accounts = [.init(id: "alice", idTag: "ALICE-TAG-WITH-A-LONG-2.0.1-TOKEN"), .init(id: "bob", idTag: "BOB", blocked: true)]
        try await GatewayHarness.with(configuration) { harness in
            let id = "V201-LL"
            let pile = try await harness.connect(id, subprotocols: ["ocpp2.0.1"])
            _ = try await pile.call(V201.BootNotification.self, .init(chargingStation: .init(model: "S", vendorName: "V"), reason: .powerUp))
            pile.respond(to: "GetLocalListVersion", with: ["versionNumber": 0])
            pile.respond(to: "SendLocalList", with: ["status": "Accepted"])
            let sync = await harness.api("POST", "/api/chargepoints/\(id)/local-list/sync")
            XCTAssertEqual(sync.status, 200, sync.text)
            XCTAssertEqual(sync.json[path: "sent.0.updateType"], "Full")
            let sent = try XCTUnwrap(pile.received.last)
            XCTAssertEqual(sent.action, "SendLocalList")
            XCTAssertEqual(sent.payload["versionNumber"], .integer(1))
            XCTAssertEqual(sent.payload[path: "localAuthorizationList.0.idToken.idToken"], "ALICE-TAG-WITH-A-LONG-2.0.1-TOKEN", "36 characters allowed")
            XCTAssertEqual(sent.payload[path: "localAuthorizationList.0.idToken.type"], "Central")
            XCTAssertEqual(sent.payload[path: "localAuthorizationList.1.idTokenInfo.status"], "Blocked")
            XCTAssertNoThrow(try V201.SendLocalList.checkRequest(sent.payload), "the payload passes 2.0.1's schema")

            // Again, the station holding version 1: a Differential with the change only.
            pile.respond(to: "GetLocalListVersion", with: ["versionNumber": 1])
            let put = await harness.api("PUT", "/api/chargepoints/\(id)/local-list", json: ["entries": [["idTag": "BOB", "idTagInfo": ["status": "Accepted"]]]])
            XCTAssertEqual(put.status, 200, put.text)
            let diff = await harness.api("POST", "/api/chargepoints/\(id)/local-list/sync")
            XCTAssertEqual(diff.json[path: "sent.0.updateType"], "Differential", diff.text)
            let second = try XCTUnwrap(pile.received.last)
            XCTAssertEqual(second.payload["updateType"], "Differential")
            XCTAssertEqual(second.payload[path: "localAuthorizationList.0.idToken.idToken"], "ALICE-TAG-WITH-A-LONG-2.0.1-TOKEN")
            XCTAssertNil(second.payload[path: "localAuthorizationList.0.idTokenInfo"], "removed")

            // SetChargingProfile (evseId, chargingProfile) stored; ClearChargingProfile by criteria removes it.
            pile.respond(to: "SetChargingProfile", with: ["status": "Accepted"])
            let profile: JSON = [
                "id": 7, "stackLevel": 2, "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",
                "chargingSchedule": [["id": 1, "chargingRateUnit": "W", "chargingSchedulePeriod": [["startPeriod": 0, "limit": 11000.0]]]],
            ]
            let set = await harness.api("POST", "/api/chargepoints/\(id)/charging-profiles", json: ["evseId": 1, "chargingProfile": profile])
            XCTAssertEqual(set.status, 200, set.text)
            XCTAssertEqual(set.json[path: "profiles.0.connectorId"], 1)
            XCTAssertEqual(set.json[path: "profiles.0.stackLevel"], 2)
            XCTAssertEqual(set.json[path: "profiles.0.ocppVersion"], "2.0.1")
            pile.respond(to: "ClearChargingProfile", with: ["status": "Accepted"])
            let clear = await harness.api(
                "POST", "/api/chargepoints/\(id)/commands/ClearChargingProfile", json: ["chargingProfileCriteria": ["evseId": 2]])
            XCTAssertEqual(clear.status, 200, clear.text)
            let kept = await harness.api("GET", "/api/chargepoints/\(id)/charging-profiles")
            XCTAssertEqual(kept.json.arrayValue?.count, 1, "evse 2 held none")
            _ = await harness.api("POST", "/api/chargepoints/\(id)/commands/ClearChargingProfile", json: ["chargingProfileCriteria": ["evseId": 1, "stackLevel": 2]])
            let gone = await harness.api("GET", "/api/chargepoints/\(id)/charging-profiles")
            XCTAssertEqual(gone.json.arrayValue?.count, 0, gone.text)
        }
    }
}
