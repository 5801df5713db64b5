import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

/// POST /api/reservations: ReserveNow under the record's id in the pile's version, the
/// pile's word kept, a start under it using it up, scans by others refused, cancellation.
final class ReservationTests: XCTestCase {
    /// OCA TC_053_CSMS: ReserveNow carries the tag's parentIdTag, so the group's other cards may use it.
    func testReserveNowCarriesTheTagsParentIdTag() async throws {
        var configuration = GatewayConfiguration()
        configuration.idTags = [.init(idTag: "CHILD-1", parentIdTag: "GROUP-1")]
        try await GatewayHarness.with(configuration) { harness in
            let pile = try await harness.connect("RES-GROUP")
            _ = try await pile.boot()
            pile.respond(to: "ReserveNow", with: ["status": "Accepted"])
            let expiry = JSON.string(OCPPTimestamp.format(Date().addingTimeInterval(900)))
            let made = await harness.api(
                "POST", "/api/reservations", json: ["chargePointId": "RES-GROUP", "connectorId": 1, "idTag": "CHILD-1", "expiryDate": expiry])
            XCTAssertEqual(made.status, 201, made.text)
            XCTAssertEqual(pile.received.last?.action, "ReserveNow")
            XCTAssertEqual(pile.received.last?.payload["parentIdTag"], "GROUP-1")
            let plain = await harness.api(
                "POST", "/api/reservations", json: ["chargePointId": "RES-GROUP", "connectorId": 1, "idTag": "LONER", "expiryDate": expiry])
            XCTAssertEqual(plain.status, 201, plain.text)
            XCTAssertNil(pile.received.last?.payload["parentIdTag"], "a tag without a group sends none")
        }
    }

    func testAReservationIsSentKeptUsedAndGuardsTheConnector() async throws {
        var configuration = GatewayConfiguration()
        configuration.accounts = [
            .init(id: "alice", idTag: "ALICE-TAG"), .init(id: "bob", idTag: "BOB-TAG"),
        ]
        try await GatewayHarness.with(configuration) { harness in
            let pile = try await harness.connect("RES-16")
            _ = try await pile.boot()
            _ = try await pile.call(V16.StatusNotification.self, .init(connectorId: 1, errorCode: .NoError, status: .Available))
            pile.respond(to: "ReserveNow", with: ["status": "Accepted"])
            let expiry = Date().addingTimeInterval(900)
            let made = await harness.api(
                "POST", "/api/reservations",
                json: ["chargePointId": "RES-16", "connectorId": 1, "account": "alice", "expiryDate": .string(OCPPTimestamp.format(expiry))])
            XCTAssertEqual(made.status, 201, made.text)
            XCTAssertEqual(made.json[path: "status"], "accepted")
            let id = try XCTUnwrap(made.json[path: "id"]?.intValue)
            let sent = try XCTUnwrap(pile.received.last)
            XCTAssertEqual(sent.action, "ReserveNow")
            XCTAssertEqual(sent.payload["reservationId"], .integer(id))
            XCTAssertEqual(sent.payload["idTag"], "ALICE-TAG", "the account's tag")

            // The pile shows it Reserved: bob's scan is refused by the gateway, nothing sent.
            _ = try await pile.call(V16.StatusNotification.self, .init(connectorId: 1, errorCode: .NoError, status: .Reserved))
            try await harness.waitForConnector("RES-16", 1, "Reserved")
            let view = await harness.api("GET", "/api/chargepoints/RES-16")
            let qr = try XCTUnwrap(view.json[path: "connectors.0.qr"]?.stringValue, view.text)
            let bob = await harness.api("POST", "/api/scan", json: ["qr": .string(qr), "account": "bob"])
            XCTAssertEqual(bob.status, 409, bob.text)
            XCTAssertEqual(bob.errorCode, "connector_reserved")

            // Alice's scan is the pile's to decide (here it declines the remote start).
            pile.respond(to: "RemoteStartTransaction", with: ["status": "Rejected"])
            let alice = await harness.api("POST", "/api/scan", json: ["qr": .string(qr), "account": "alice"])
            XCTAssertEqual(alice.errorCode, "pile_rejected", alice.text)

            // Alice starts under the reservation: used, linked both ways.
            let start = try await pile.call(
                V16.StartTransaction.self, .init(connectorId: 1, idTag: "ALICE-TAG", meterStart: 0, reservationId: Int(id), timestamp: Date()))
            let used = await harness.api("GET", "/api/reservations/\(id)")
            XCTAssertEqual(used.json[path: "status"], "used", used.text)
            XCTAssertEqual(used.json[path: "sessionId"], .integer(Int64(start.transactionId)))
            let session = try await harness.store.session(id: Int64(start.transactionId))?.session
            XCTAssertEqual(session?.reservationId, Int(id))
            let cancelUsed = await harness.api("DELETE", "/api/reservations/\(id)")
            XCTAssertEqual(cancelUsed.status, 409, "a used reservation cannot be cancelled")

            // Another one, cancelled; a refused one keeps the pile's word; an offline pile fails it.
            let second = await harness.api(
                "POST", "/api/reservations", json: ["chargePointId": "RES-16", "connectorId": 2, "idTag": "T2", "expiryDate": .string(OCPPTimestamp.format(expiry))])
            let secondId = try XCTUnwrap(second.json[path: "id"]?.intValue)
            pile.respond(to: "CancelReservation", with: ["status": "Accepted"])
            let cancelled = await harness.api("DELETE", "/api/reservations/\(secondId)")
            XCTAssertEqual(cancelled.json[path: "status"], "cancelled", cancelled.text)
            XCTAssertEqual(pile.received.last?.payload["reservationId"], .integer(secondId))
            pile.respond(to: "ReserveNow", with: ["status": "Occupied"])
            let refused = await harness.api(
                "POST", "/api/reservations", json: ["chargePointId": "RES-16", "connectorId": 1, "idTag": "T3", "expiryDate": .string(OCPPTimestamp.format(expiry))])
            XCTAssertEqual(refused.json[path: "status"], "refused")
            XCTAssertEqual(refused.json[path: "answer"], "Occupied")
            let offline = await harness.api(
                "POST", "/api/reservations", json: ["chargePointId": "RES-NONE", "idTag": "T4", "expiryDate": .string(OCPPTimestamp.format(expiry))])
            XCTAssertEqual(offline.status, 409, offline.text)
            let list = await harness.api("GET", "/api/reservations?chargePoint=RES-NONE")
            XCTAssertEqual(list.json[path: "0.status"], "failed")

            let past = await harness.api(
                "POST", "/api/reservations", json: ["chargePointId": "RES-16", "idTag": "T5", "expiryDate": "2020-01-01T00:00:00Z"])
            XCTAssertEqual(past.status, 400)
            let nobody = await harness.api(
                "POST", "/api/reservations", json: ["chargePointId": "RES-16", "account": "carol", "expiryDate": .string(OCPPTimestamp.format(expiry))])
            XCTAssertEqual(nobody.errorCode, "account_unknown")
        }
    }

    func testAnAcceptedReservationPastItsExpiryReadsExpired() {
        let record = ReservationRecord(
            id: 1, chargePointId: "P", connectorId: 1, idTag: "T", account: nil, expiry: Date(timeIntervalSince1970: 100), status: .accepted,
            createdAt: Date(timeIntervalSince1970: 0), ocppVersion: "1.6")
        XCTAssertEqual(record.seen(at: Date(timeIntervalSince1970: 99)).status, .accepted)
        XCTAssertEqual(record.seen(at: Date(timeIntervalSince1970: 100)).status, .expired)
        var used = record
        used.status = .used
        XCTAssertEqual(used.seen(at: Date(timeIntervalSince1970: 1000)).status, .used)
    }

    func testA201StationGetsTheReservationIn201Words() async throws {
        try await GatewayHarness.with { harness in
            let station = try await harness.connect("RES-201", subprotocols: ["ocpp2.0.1"])
            _ = try await station.call(V201.BootNotification.self, .init(chargingStation: .init(model: "S", vendorName: "V"), reason: .powerUp))
            station.respond(to: "ReserveNow", with: ["status": "Accepted"])
            let made = await harness.api(
                "POST", "/api/reservations",
                json: ["chargePointId": "RES-201", "connectorId": 1, "idTag": "TOKEN-201", "expiryDate": .string(OCPPTimestamp.format(Date().addingTimeInterval(600)))])
            XCTAssertEqual(made.json[path: "status"], "accepted", made.text)
            let sent = try XCTUnwrap(station.received.last)
            XCTAssertEqual(sent.payload["id"], made.json[path: "id"])
            XCTAssertEqual(sent.payload["evseId"], 1)
            XCTAssertEqual(sent.payload["idToken"]?["type"], "Central")
            XCTAssertNotNil(sent.payload["expiryDateTime"])
        }
    }
}
