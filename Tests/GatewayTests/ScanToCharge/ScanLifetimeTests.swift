import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

/// A scan that never becomes a transaction ends as `failed` with the reason, and frees
/// the account and the connector: a driver who scans and walks away can charge again.
final class ScanLifetimeTests: XCTestCase {
    func configuration() throws -> GatewayConfiguration {
        try ScanFixtures.configuration([
            ScanFixtures.pile("NIO-L-1", network: "NIO", station: "nio-l", city: "Beijing", latitude: 39.9, longitude: 116.4, kW: 640)
        ])
    }

    func scan(_ harness: GatewayHarness) async throws -> Int64 {
        let reply = await harness.api("POST", "/api/scan", json: ["qr": .string(ScanFixtures.qr("NIO", "NIO-L-1")), "account": "mi-driver-1"])
        XCTAssertEqual(reply.status, 201, reply.text)
        return try XCTUnwrap(reply.json["id"]?.intValue)
    }

    func testAScanWithNoCablePluggedInFailsWhenTheConnectorGoesBackToAvailable() async throws {
        try await GatewayHarness.with(try configuration()) { harness in
            let pile = try await harness.bootedPile("NIO-L-1")
            pile.respond(to: "RemoteStartTransaction", with: ["status": "Accepted"])
            let events = try EventStreamClient(port: harness.port)
            defer { events.close() }
            _ = try await events.readHead(timeout: 3)
            _ = try await harness.eventually(3) { harness.gateway.events.hasSubscribers }
            let id = try await scan(harness)
            _ = try await pile.call(V16.StatusNotification.self, .init(connectorId: 1, errorCode: .NoError, status: .Preparing))
            // The pile's ConnectionTimeOut ran out: no cable.
            _ = try await pile.call(V16.StatusNotification.self, .init(connectorId: 1, errorCode: .NoError, status: .Available))
            let closed = try await harness.waitForSession(id, timeout: 5) { $0["status"] == "failed" }
            XCTAssertEqual(closed["failure"], "no_cable", "\(closed)")
            var failedEvent: EventStreamClient.Event?
            for _ in 0..<50 where failedEvent == nil {
                guard let event = try await events.nextEvent(timeout: 3) else { break }
                if event.name == "session", event.data["id"]?.intValue == id, event.data["status"] == "failed" { failedEvent = event }
            }
            XCTAssertEqual(failedEvent?.data["failure"], "no_cable", "the app learns it live")
            // Account and connector are free: the same driver scans again.
            _ = try await scan(harness)
        }
    }

    func testAScanWhosePileDisconnectsBeforeStartingFailsAsPileOffline() async throws {
        try await GatewayHarness.with(try configuration()) { harness in
            let pile = try await harness.bootedPile("NIO-L-1")
            pile.respond(to: "RemoteStartTransaction", with: ["status": "Accepted"])
            let id = try await scan(harness)
            try await pile.vanish()
            let closed = try await harness.waitForSession(id, timeout: 5) { $0["status"] == "failed" }
            XCTAssertEqual(closed["failure"], "pile_offline", "\(closed)")
        }
    }
}
