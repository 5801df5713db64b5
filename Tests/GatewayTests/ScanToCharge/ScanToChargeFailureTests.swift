import EVModel
import Foundation
import Gateway
import OCPP
import SessionStore
import Simulator
import XCTest

/// Every way a scan can fail has its own status and code, and none leaves a session
/// `starting`: a refusal before the reservation leaves no session, one after it (the pile
/// refused or did not answer) leaves a `failed` session naming the code.
final class ScanToChargeFailureTests: SimulationTestCase {
    /// Piles: NIO-F-1 (1 connector), TELD-F-2 (2), NIO-F-OFF (never connects), NIO-F-SIM.
    func configuration(_ tweak: (inout GatewayConfiguration) -> Void = { _ in }) throws -> GatewayConfiguration {
        var configuration = try ScanFixtures.configuration([
            ScanFixtures.pile("NIO-F-1", network: "NIO", station: "nio-f", city: "Beijing", latitude: 39.9, longitude: 116.4, kW: 640),
            ScanFixtures.pile(
                "TELD-F-2", network: "Teld", station: "teld-f", city: "Beijing", latitude: 39.95, longitude: 116.45, kW: 120, volts: 750,
                connectors: 2),
            ScanFixtures.pile("NIO-F-OFF", network: "NIO", station: "nio-off", city: "Beijing", latitude: 39.8, longitude: 116.3, kW: 640),
            ScanFixtures.pile("NIO-F-SIM", network: "NIO", station: "nio-sim", city: "Beijing", latitude: 39.7, longitude: 116.2, kW: 640),
        ])
        configuration.accounts += [
            Account(id: "expired-2", idTag: "EXPIRED-0002", expires: Date().addingTimeInterval(-60)),
            Account(id: "valid-later", idTag: "VALID-0001", expires: Date().addingTimeInterval(86_400)),
        ]
        tweak(&configuration)
        return configuration
    }

    func scan(_ harness: GatewayHarness, _ qr: String, _ account: String) async -> APIReply {
        await harness.api("POST", "/api/scan", json: ["qr": .string(qr), "account": .string(account)])
    }

    func assertRefused(
        _ reply: APIReply, _ status: Int, _ code: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(reply.status, status, "\(code): \(reply.text)", file: file, line: line)
        XCTAssertEqual(reply.errorCode, code, reply.text, file: file, line: line)
        XCTAssertFalse((reply.json[path: "error.message"]?.stringValue ?? "").isEmpty, "a message says why", file: file, line: line)
    }

    /// No session is left `starting`, and `pile` has exactly the sessions listed.
    func assertNoHalfOpenSession(
        _ harness: GatewayHarness, pile: String, failed: [String] = [], file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        try await harness.store.flush()
        let starting = await harness.api("GET", "/api/sessions?status=starting")
        XCTAssertEqual(starting.json, .array([]), "no session is left starting", file: file, line: line)
        let sessions = try await harness.storedSessions(chargePoint: pile)
        XCTAssertEqual(sessions.map(\.status), failed.map { _ in .failed }, "\(sessions)", file: file, line: line)
        XCTAssertEqual(sessions.compactMap(\.failure).sorted(), failed.sorted(), file: file, line: line)
    }

    func testCodesThatNameNoPileOfOursAreRefusedBeforeAnythingIsReserved() async throws {
        try await withHarness(try configuration()) { harness in
            _ = try await harness.bootedPile("NIO-F-1")
            for bad in ["hello", "https://example.com/NIO-F-1", "pilegate://charge/v1/NIO/NIO-F-1", "pilegate://charge/v1/NIO/NIO-F-1/0",
                "pilegate://charge/v1/NIO/NIO-F-1/x", "pilegate://charge/v1//NIO-F-1/1"]
            {
                assertRefused(await scan(harness, bad, "mi-driver-1"), 400, "invalid_qr")
            }
            let noBody = await harness.api("POST", "/api/scan", json: ["qr": "pilegate://charge/v1/NIO/NIO-F-1/1"])
            assertRefused(noBody, 400, "invalid_request")
            let notJSON = await harness.http.call("POST", "/api/scan", json: .string("not an object"))
            assertRefused(notJSON, 400, "invalid_request")

            assertRefused(await scan(harness, ScanFixtures.qr("NIO", "NIO-NOPE"), "mi-driver-1"), 404, "unknown_qr")
            assertRefused(await scan(harness, ScanFixtures.qr("Teld", "NIO-F-1"), "mi-driver-1"), 404, "unknown_qr")
            assertRefused(await scan(harness, ScanFixtures.qr("NIO", "NIO-F-1", 2), "mi-driver-1"), 404, "unknown_qr")
            try await assertNoHalfOpenSession(harness, pile: "NIO-F-1")
            let none = try await harness.storedSessions()
            XCTAssertTrue(none.isEmpty, "\(none)")
        }
    }

    func testAccountsThatMayNotChargeAreRefusedWithTheirOwnCodes() async throws {
        try await withHarness(try configuration()) { harness in
            let pile = try await harness.bootedPile("NIO-F-1")
            pile.respond(to: "RemoteStartTransaction", with: ["status": "Accepted"])
            let qr = ScanFixtures.qr("NIO", "NIO-F-1")
            assertRefused(await scan(harness, qr, "nobody"), 404, "account_unknown")
            assertRefused(await scan(harness, qr, "blocked-1"), 403, "account_blocked")
            assertRefused(await scan(harness, qr, "expired-1"), 403, "account_expired")
            assertRefused(await scan(harness, qr, "expired-2"), 403, "account_expired")
            XCTAssertTrue(pile.received.filter { $0.action == "RemoteStartTransaction" }.isEmpty, "the pile was never asked")
            try await assertNoHalfOpenSession(harness, pile: "NIO-F-1")
            // An account whose expiry is still ahead may charge.
            let later = await scan(harness, qr, "valid-later")
            XCTAssertEqual(later.status, 201, later.text)
        }
    }

    func testAnAccountChargesInOneSessionAtATimeAndAConnectorTakesOneScan() async throws {
        try await withHarness(try configuration()) { harness in
            let nio = try await harness.bootedPile("NIO-F-1")
            nio.respond(to: "RemoteStartTransaction", with: ["status": "Accepted"])
            let teld = try await harness.bootedPile("TELD-F-2", statuses: [.Available, .Available])
            teld.respond(to: "RemoteStartTransaction", with: ["status": "Accepted"])

            let first = await scan(harness, ScanFixtures.qr("NIO", "NIO-F-1"), "mi-driver-1")
            XCTAssertEqual(first.status, 201, first.text)
            XCTAssertEqual(first.json["status"], "starting")
            // Same account elsewhere, while the first session is starting.
            assertRefused(await scan(harness, ScanFixtures.qr("Teld", "TELD-F-2", 1), "mi-driver-1"), 409, "account_already_charging")
            // Another account on the connector the first scan took.
            assertRefused(await scan(harness, ScanFixtures.qr("NIO", "NIO-F-1"), "mi-driver-2"), 409, "connector_occupied")
            let teldSessions = try await harness.storedSessions(chargePoint: "TELD-F-2")
            XCTAssertTrue(teldSessions.isEmpty, "the refused scan reserved nothing")
            XCTAssertEqual(teld.received.filter { $0.action == "RemoteStartTransaction" }.count, 0)

            // Once the pile starts it, the account still charges there: still refused elsewhere.
            let id = try XCTUnwrap(first.json["id"]?.intValue)
            let start = try await nio.call(
                V16.StartTransaction.self, .init(connectorId: 1, idTag: "MIAPP-0001", meterStart: 1000, timestamp: Date()))
            XCTAssertEqual(Int64(start.transactionId), id, "the pile's transaction is the scanned session")
            assertRefused(await scan(harness, ScanFixtures.qr("Teld", "TELD-F-2", 2), "mi-driver-1"), 409, "account_already_charging")
            let sessions = try await harness.storedSessions()
            XCTAssertEqual(sessions.map(\.status), [.active])
        }
    }

    func testSimultaneousScansReserveAtomically() async throws {
        try await withHarness(try configuration()) { harness in
            let nio = try await harness.bootedPile("NIO-F-1")
            nio.respond(to: "RemoteStartTransaction", with: ["status": "Accepted"], after: .milliseconds(50))
            let teld = try await harness.bootedPile("TELD-F-2", statuses: [.Available, .Available])
            teld.respond(to: "RemoteStartTransaction", with: ["status": "Accepted"], after: .milliseconds(50))

            // One account, two piles, at the same moment: one session.
            async let a = harness.api("POST", "/api/scan", json: ["qr": .string(ScanFixtures.qr("NIO", "NIO-F-1")), "account": "mi-driver-1"])
            async let b = harness.api("POST", "/api/scan", json: ["qr": .string(ScanFixtures.qr("Teld", "TELD-F-2", 1)), "account": "mi-driver-1"])
            let sameAccount = await [a, b]
            XCTAssertEqual(sameAccount.map(\.status).sorted(), [201, 409], sameAccount.map(\.text).joined(separator: " | "))
            XCTAssertEqual(sameAccount.compactMap(\.errorCode), ["account_already_charging"])

            // Two accounts, one connector, at the same moment: one session.
            async let c = harness.api("POST", "/api/scan", json: ["qr": .string(ScanFixtures.qr("Teld", "TELD-F-2", 2)), "account": "mi-driver-2"])
            async let d = harness.api("POST", "/api/scan", json: ["qr": .string(ScanFixtures.qr("Teld", "TELD-F-2", 2)), "account": "mi-driver-3"])
            let sameConnector = await [c, d]
            XCTAssertEqual(sameConnector.map(\.status).sorted(), [201, 409], sameConnector.map(\.text).joined(separator: " | "))
            XCTAssertEqual(sameConnector.compactMap(\.errorCode), ["connector_occupied"])
            let starting = try await harness.storedSessions(.starting)
            XCTAssertEqual(starting.count, 2)
            XCTAssertEqual(Set(starting.compactMap(\.account)).count, 2)
        }
    }

    func testAConnectorInUseIsRefusedWithoutAskingThePile() async throws {
        try await withHarness(try configuration()) { harness in
            let teld = try await harness.bootedPile("TELD-F-2", statuses: [.Charging, .SuspendedEV])
            teld.respond(to: "RemoteStartTransaction", with: ["status": "Accepted"])
            assertRefused(await scan(harness, ScanFixtures.qr("Teld", "TELD-F-2", 1), "mi-driver-1"), 409, "connector_occupied")
            assertRefused(await scan(harness, ScanFixtures.qr("Teld", "TELD-F-2", 2), "mi-driver-1"), 409, "connector_occupied")
            _ = try await teld.call(V16.StatusNotification.self, .init(connectorId: 2, status: .Finishing))
            try await harness.store.flush()
            assertRefused(await scan(harness, ScanFixtures.qr("Teld", "TELD-F-2", 2), "mi-driver-1"), 409, "connector_occupied")
            XCTAssertTrue(teld.received.filter { $0.action == "RemoteStartTransaction" }.isEmpty)
            try await assertNoHalfOpenSession(harness, pile: "TELD-F-2")
        }
    }

    func testAPileThatIsNotConnectedIsOffline() async throws {
        try await withHarness(try configuration()) { harness in
            // Known to the registry, never connected.
            assertRefused(await scan(harness, ScanFixtures.qr("NIO", "NIO-F-OFF"), "mi-driver-1"), 409, "pile_offline")
            // Connected once, then gone: the store still knows it.
            let pile = try await harness.bootedPile("NIO-F-1")
            try await pile.vanish()
            let gone = try await harness.eventually(5) { harness.gateway.peer("NIO-F-1") == nil }
            XCTAssertTrue(gone)
            assertRefused(await scan(harness, ScanFixtures.qr("NIO", "NIO-F-1"), "mi-driver-1"), 409, "pile_offline")
            try await assertNoHalfOpenSession(harness, pile: "NIO-F-OFF")
            try await assertNoHalfOpenSession(harness, pile: "NIO-F-1")
        }
    }

    func testAFaultedOrUnavailableConnectorOfASimulatedPileIsRefused() async throws {
        try await withHarness(try configuration()) { harness in
            let id = "NIO-F-SIM"
            let pile = try await startPile(harness, identity: id, speed: 60)
            try await harness.waitForConnector(id, 1, "Available")
            pile.execute { $0.fault(connector: 1, code: .GroundFailure) }
            let faulted = try await harness.waitForConnector(id, 1, "Faulted")
            XCTAssertTrue(faulted)
            let reply = await scan(harness, ScanFixtures.qr("NIO", id), "mi-driver-1")
            assertRefused(reply, 409, "connector_faulted")
            XCTAssertTrue(reply.text.contains("GroundFailure"), "the pile's error code is in the message: \(reply.text)")

            pile.execute { $0.recover(connector: 1) }
            try await harness.waitForConnector(id, 1, "Available")
            let changed = try await harness.gateway.changeAvailability(id, connectorId: 1, type: .Inoperative)
            XCTAssertEqual(changed, .Accepted)
            let unavailable = try await harness.waitForConnector(id, 1, "Unavailable")
            XCTAssertTrue(unavailable)
            assertRefused(await scan(harness, ScanFixtures.qr("NIO", id), "mi-driver-1"), 409, "connector_unavailable")
            try await assertNoHalfOpenSession(harness, pile: id)

            // Back in service, the same scan goes through.
            _ = try await harness.gateway.changeAvailability(id, connectorId: 1, type: .Operative)
            try await harness.waitForConnector(id, 1, "Available")
            let ok = await scan(harness, ScanFixtures.qr("NIO", id), "mi-driver-1")
            XCTAssertEqual(ok.status, 201, ok.text)
            pile.stop()
        }
    }

    func testAPileThatRefusesTheRemoteStartLeavesAFailedSession() async throws {
        try await withHarness(try configuration()) { harness in
            let pile = try await harness.bootedPile("NIO-F-1")
            pile.respond(to: "RemoteStartTransaction", with: ["status": "Rejected"])
            assertRefused(await scan(harness, ScanFixtures.qr("NIO", "NIO-F-1"), "mi-driver-1"), 409, "pile_rejected")
            try await assertNoHalfOpenSession(harness, pile: "NIO-F-1", failed: ["pile_rejected"])

            // A CALLERROR is a refusal too.
            pile.respond(to: "RemoteStartTransaction", withError: RPCError(.internalError, "relay stuck"))
            let reply = await scan(harness, ScanFixtures.qr("NIO", "NIO-F-1"), "mi-driver-1")
            assertRefused(reply, 409, "pile_rejected")
            XCTAssertTrue(reply.text.contains("InternalError"), reply.text)
            try await assertNoHalfOpenSession(harness, pile: "NIO-F-1", failed: ["pile_rejected", "pile_rejected"])

            // The failed session is visible as such, and the account may scan again.
            let failed = await harness.api("GET", "/api/sessions?status=failed")
            XCTAssertEqual(failed.json.arrayValue?.count, 2)
            XCTAssertEqual(failed.json[path: "0.failure"], "pile_rejected")
            XCTAssertEqual(failed.json[path: "0.live"], .null, "a session that never ran has no live figures")
            let receipt = await harness.api("GET", "/api/sessions/\(failed.json[path: "0.id"]?.intValue ?? 0)/receipt")
            XCTAssertEqual(receipt.status, 404)
            pile.respond(to: "RemoteStartTransaction", with: ["status": "Accepted"])
            let ok = await scan(harness, ScanFixtures.qr("NIO", "NIO-F-1"), "mi-driver-1")
            XCTAssertEqual(ok.status, 201, ok.text)
        }
    }

    func testASimulatedPileWhoseConnectorIsFaultedByItsOwnStateRejectsTheRemoteStart() async throws {
        try await withHarness(try configuration()) { harness in
            let id = "NIO-F-SIM"
            let pile = try await startPile(harness, identity: id, speed: 60)
            pile.execute { $0.fault(connector: 1, code: .HighTemperature) }
            let faulted = try await harness.waitForConnector(id, 1, "Faulted")
            XCTAssertTrue(faulted)
            // The gateway's view lags behind the pile (a StatusNotification lost on the way):
            // the store says Available, the pile knows better and answers Rejected.
            let stale = ConnectorStatusRecord(chargePointId: id, connectorId: 1, status: "Available", since: Date())
            _ = try await harness.store.write(.connectorStatus(stale))
            let reply = await scan(harness, ScanFixtures.qr("NIO", id), "mi-driver-3")
            assertRefused(reply, 409, "pile_rejected")
            XCTAssertTrue(reply.text.contains("Rejected"), reply.text)
            try await assertNoHalfOpenSession(harness, pile: id, failed: ["pile_rejected"])
            let stored = try await harness.storedSessions(chargePoint: id)
            XCTAssertEqual(stored.first?.account, "mi-driver-3")
            pile.stop()
        }
    }

    func testAPileThatDoesNotAnswerInTimeIsATimeout() async throws {
        try await withHarness(try configuration { $0.callTimeout = 0.5 }) { harness in
            let pile = try await harness.bootedPile("NIO-F-1")  // no canned answer: it stays silent
            let started = Date()
            assertRefused(await scan(harness, ScanFixtures.qr("NIO", "NIO-F-1"), "mi-driver-1"), 504, "pile_timeout")
            XCTAssertLessThan(Date().timeIntervalSince(started), 5, "callTimeout bounds the wait")
            XCTAssertEqual(pile.received.map(\.action), ["RemoteStartTransaction"])
            try await assertNoHalfOpenSession(harness, pile: "NIO-F-1", failed: ["pile_timeout"])
        }
    }

    func testAPileThatDropsTheConnectionWhileAskedIsOfflineAndTheSessionFails() async throws {
        try await withHarness(try configuration()) { harness in
            let pile = try await harness.bootedPile("NIO-F-1")  // silent: the call stays open
            let qr = ScanFixtures.qr("NIO", "NIO-F-1")
            let pending = Task { await harness.api("POST", "/api/scan", json: ["qr": .string(qr), "account": "mi-driver-1"]) }
            let asked = try await harness.eventually(5) { pile.received.contains { $0.action == "RemoteStartTransaction" } }
            XCTAssertTrue(asked)
            try await pile.vanish()
            let reply = await pending.value
            assertRefused(reply, 409, "pile_offline")
            try await assertNoHalfOpenSession(harness, pile: "NIO-F-1", failed: ["pile_offline"])
        }
    }

    func testStoppingASessionThatIsNotRunningIsRefused() async throws {
        try await withHarness(try configuration()) { harness in
            let pile = try await harness.bootedPile("NIO-F-1")
            pile.respond(to: "RemoteStartTransaction", with: ["status": "Accepted"])
            let scan = await scan(harness, ScanFixtures.qr("NIO", "NIO-F-1"), "mi-driver-1")
            let id = try XCTUnwrap(scan.json["id"]?.intValue, scan.text)
            assertRefused(await harness.api("POST", "/api/sessions/\(id)/stop"), 409, "session_not_active")
            assertRefused(await harness.api("POST", "/api/sessions/999/stop"), 404, "session_not_found")
            assertRefused(await harness.api("POST", "/api/sessions/abc/stop"), 400, "invalid_session_id")
            XCTAssertFalse(pile.received.contains { $0.action == "RemoteStopTransaction" }, "the pile is not asked to stop what it never started")

            // Running, but the pile refuses the stop, or does not answer.
            _ = try await pile.call(V16.StartTransaction.self, .init(connectorId: 1, idTag: "MIAPP-0001", meterStart: 0, timestamp: Date()))
            pile.respond(to: "RemoteStopTransaction", with: ["status": "Rejected"])
            assertRefused(await harness.api("POST", "/api/sessions/\(id)/stop"), 409, "pile_rejected")
            let session = await harness.sessionView(id)
            XCTAssertEqual(session["status"], "active", "a refused stop leaves the session running")
        }
    }

    func testAScannedSessionThePileNeverStartsIsClosedAsTimedOut() async throws {
        try await withHarness(try configuration { $0.scanStartTimeout = 1 }) { harness in
            let pile = try await harness.bootedPile("NIO-F-1")
            pile.respond(to: "RemoteStartTransaction", with: ["status": "Accepted"])  // and then nothing
            let reply = await scan(harness, ScanFixtures.qr("NIO", "NIO-F-1"), "mi-driver-1")
            XCTAssertEqual(reply.status, 201, reply.text)
            let id = try XCTUnwrap(reply.json["id"]?.intValue)
            let closed = try await harness.waitForSession(id, timeout: 5) { $0["status"] == "failed" }
            XCTAssertEqual(closed["status"], "failed", "\(closed)")
            XCTAssertEqual(closed["failure"], "timeout")
            try await assertNoHalfOpenSession(harness, pile: "NIO-F-1", failed: ["timeout"])
            // The account is free again.
            let again = await scan(harness, ScanFixtures.qr("NIO", "NIO-F-1"), "mi-driver-1")
            XCTAssertEqual(again.status, 201, again.text)
        }
    }
}
