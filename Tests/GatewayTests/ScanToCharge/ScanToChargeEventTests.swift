import EVModel
import Foundation
import Gateway
import OCPP
import Simulator
import XCTest

/// GET /api/events over a real loopback socket: the headers come at once, then status and
/// session events while a simulated pile charges; a client that leaves is forgotten.
final class ScanToChargeEventTests: SimulationTestCase {
    func testTheEventStreamCarriesStatusAndLiveSessionEventsAndForgetsAClientThatLeaves() async throws {
        let configuration = try ScanFixtures.configuration([
            ScanFixtures.pile("NIO-SSE-1", network: "NIO", station: "nio-sse", city: "Beijing", latitude: 39.9, longitude: 116.4, kW: 640, amps: 765)
        ])
        try await withHarness(configuration) { harness in
            let pile = try await startPile(harness, identity: "NIO-SSE-1", speed: 120) { $0.meterValueSampleInterval = 10 }
            XCTAssertFalse(harness.gateway.events.hasSubscribers, "nobody listens yet")

            let client = try EventStreamClient(port: harness.port)
            // The head comes at once, before any event: the browser's EventSource opens.
            let head = try await client.readHead(timeout: 3)
            XCTAssertEqual(head.status, 200)
            XCTAssertEqual(head.headers["content-type"], "text/event-stream")
            XCTAssertEqual(head.headers["cache-control"], "no-cache")
            XCTAssertNil(head.headers["content-length"], "a stream has no length")
            let subscribed = try await harness.eventually(3) { harness.gateway.events.hasSubscribers }
            XCTAssertTrue(subscribed)

            let car = try vehicle("su7-max")
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 10, targetSoC: 100, idTag: "MIAPP-0001") }

            var statuses: [String] = []
            var sessions: [JSON] = []
            let deadline = Date().addingTimeInterval(8)
            while Date() < deadline {
                guard let event = try await client.nextEvent(timeout: deadline.timeIntervalSinceNow) else { break }
                switch event.name {
                case "status":
                    XCTAssertEqual(event.data["chargePointId"], "NIO-SSE-1")
                    XCTAssertNotNil(event.data["time"]?.stringValue)
                    if let status = event.data["status"]?.stringValue { statuses.append(status) }
                case "session":
                    sessions.append(event.data)
                default: break
                }
                if statuses.contains("Charging"), sessions.filter({ ($0[path: "live.energyKWh"]?.doubleValue ?? 0) > 0 }).count >= 2 { break }
            }
            XCTAssertTrue(statuses.contains("Preparing"), "status events: \(statuses)")
            XCTAssertTrue(statuses.contains("Charging"), "status events: \(statuses)")
            let live = sessions.filter { ($0[path: "live.energyKWh"]?.doubleValue ?? 0) > 0 }
            XCTAssertGreaterThanOrEqual(live.count, 2, "session events with live energy: \(sessions.count) sessions")
            let energies = live.compactMap { $0[path: "live.energyKWh"]?.doubleValue }
            XCTAssertEqual(energies, energies.sorted(), "energy only grows")
            XCTAssertEqual(sessions.first?["status"], "active")
            XCTAssertEqual(sessions.first?["chargePointId"], "NIO-SSE-1")
            XCTAssertEqual(sessions.first?["account"], "mi-driver-1", "the session is named by the account of its id tag")
            XCTAssertNotNil(live.last?[path: "live.costFen"]?.intValue, "cost so far under the NIO tariff")
            XCTAssertNotNil(live.last?[path: "live.powerKW"]?.doubleValue)

            // The client leaves: its subscription goes with it.
            client.close()
            let forgotten = try await harness.eventually(5) { !harness.gateway.events.hasSubscribers }
            XCTAssertTrue(forgotten, "a closed client is no longer a subscriber")
            pile.stop()
        }
    }

    func testAStreamOpenedWhileNothingHappensStillEndsWhenTheClientLeaves() async throws {
        try await GatewayHarness.with(try ScanFixtures.configuration([])) { harness in
            let client = try EventStreamClient(port: harness.port)
            let head = try await client.readHead(timeout: 3)
            XCTAssertEqual(head.status, 200)
            let quiet = try await client.nextEvent(timeout: 0.3)
            XCTAssertNil(quiet, "no event without a change")
            XCTAssertTrue(client.comments.contains("connected"), "the opening comment arrives at once: \(client.comments)")
            let subscribed = try await harness.eventually(3) { harness.gateway.events.hasSubscribers }
            XCTAssertTrue(subscribed)
            client.close()
            let forgotten = try await harness.eventually(5) { !harness.gateway.events.hasSubscribers }
            XCTAssertTrue(forgotten, "an idle stream is dropped when its client closes")
        }
    }
}
