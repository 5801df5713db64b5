import Foundation
import Gateway
import NIOCore
import OCPP
import OCPPWebSocket
import SessionStore
import Simulator
import XCTest

/// Simulated piles charging through the relay while the backend (a second gateway) is
/// killed and brought back: nothing the piles were told is stored gets lost.
final class RelayFleetTests: XCTestCase {
    func testSimulatedPilesChargeThroughABackendOutageAndEveryAcknowledgedMessageArrives() async throws {
        let backend = try await GatewayHarness.start()
        let port = backend.port
        let backendDirectory = backend.directory
        let relay = try await GatewayHarness.start(RelayRig.configuration(backendPort: port))
        let profile = try XCTUnwrap(try SimulatedPileFixtures.profile("nio-640"))
        let car = try XCTUnwrap(SimulatedPileFixtures.library?.vehicles["su7-max"])
        let identities = (1...3).map { "FLEET-\($0)" }
        let piles = identities.enumerated().map { index, identity in
            PileHandle(
                identity: identity, profile: profile, context: SimulationContext(endpoint: relay.endpoint, clock: VirtualClock(speed: 600)),
                eventLoop: relay.group.next(), seed: UInt64(index + 1))
        }
        var back: GatewayHarness?
        do {
            for pile in piles { pile.start() }
            for pile in piles {
                let booted = try await eventually(10) { try await pile.run { $0.registration == .Accepted } }
                XCTAssertTrue(booted)
                pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 10, targetSoC: 95, idTag: "TAG-\($0.identity)") }
            }
            let charging = try await backend.eventually(10) {
                try await backend.store.sessions(chargePointId: nil, status: .active, limit: 10).count == 3
            }
            XCTAssertTrue(charging, "three sessions started through the relay")

            try await backend.shutdown(keepFiles: true)
            try await Task.sleep(for: .seconds(2))  // meter values go on: answered by the relay, queued
            let queued = try await relay.store.relayQueue(chargePointId: nil).count
            XCTAssertGreaterThan(queued, 0, "the outage was seen")
            let restarted = try await GatewayHarness.start(directory: backendDirectory, tweak: { $0.port = port })
            back = restarted
            try await Task.sleep(for: .seconds(1))
            for pile in piles { pile.execute { $0.unplug(connector: 1) } }
            let done = try await restarted.eventually(20) {
                let completed = try await restarted.store.sessions(chargePointId: nil, status: .completed, limit: 10).count
                let left = try await relay.store.relayQueue(chargePointId: nil).count
                return completed == 3 && left == 0
            }
            XCTAssertTrue(done, "every session completed at the backend, the relay's queue empty")

            try await relay.store.flush()
            try await restarted.store.flush()
            let transactional: Set<String> = ["StartTransaction", "StopTransaction", "MeterValues"]
            for identity in identities {
                let relayed = try await relay.store.frames(chargePointId: identity, limit: 100_000)
                let acknowledged = Set(
                    relayed.filter { $0.direction == .outgoing && $0.messageType == 3 && transactional.contains($0.action ?? "") }.compactMap(\.messageId))
                let arrived = try await restarted.store.frames(chargePointId: identity, limit: 100_000)
                    .filter { $0.direction == .incoming && $0.messageType == 2 && transactional.contains($0.action ?? "") }.compactMap(\.messageId)
                XCTAssertTrue(acknowledged.isSubset(of: Set(arrived)), "\(identity): lost \(acknowledged.subtracting(arrived).sorted())")
                // Only a message the backend took but died before answering may come twice (docs/relay.md).
                let twice = Dictionary(grouping: arrived, by: { $0 }).filter { $0.value.count > 1 }
                XCTAssertLessThanOrEqual(twice.count, 1, "\(identity): delivered more than once: \(twice.keys.sorted())")
            }
        } catch {
            for pile in piles { pile.stop() }
            try? await back?.shutdown()
            try? await relay.shutdown()
            throw error
        }
        for pile in piles { pile.stop() }
        try await back?.shutdown()
        try await relay.shutdown()
    }
}
