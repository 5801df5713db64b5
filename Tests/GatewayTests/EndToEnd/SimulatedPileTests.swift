import EVModel
import Foundation
import Gateway
import NIOCore
import OCPP
import OCPPWebSocket
import SessionStore
import Simulator
import XCTest

/// Helpers for tests that run simulated piles against the real gateway over loopback.
class SimulationTestCase: XCTestCase {
    static let library: ProfileLibrary? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Simulators").path
        return try? ProfileLibrary(root: root)
    }()

    func library() throws -> ProfileLibrary { try XCTUnwrap(Self.library, "Simulators/ did not load") }

    /// Starts a pile of `profileId` against `harness` and waits until it has booted.
    func startPile(
        _ harness: GatewayHarness, _ profileId: String = "nio-640", identity: String, speed: Double = 600,
        quirks: [Quirk] = [], edit: (inout PileProfile) -> Void = { _ in }, context tweak: (inout SimulationContext) -> Void = { _ in }
    ) async throws -> PileHandle {
        var profile = try XCTUnwrap(try library().piles[profileId])
        profile.quirks = quirks
        edit(&profile)
        var context = SimulationContext(endpoint: harness.endpoint, clock: VirtualClock(speed: speed))
        context.callTimeout = .seconds(5)
        tweak(&context)
        let handle = PileHandle(identity: identity, profile: profile, context: context, eventLoop: harness.group.next(), seed: 42)
        handle.start()
        let booted = try await harness.eventually(10) { try await handle.run { $0.registration == .Accepted && $0.isConnected } }
        XCTAssertTrue(booted, "\(identity) did not boot")
        return handle
    }

    func vehicle(_ id: String) throws -> VehicleProfile { try XCTUnwrap(try library().vehicles[id]) }

    func sessions(_ harness: GatewayHarness, _ pile: String) async throws -> [SessionRecord] {
        try await harness.store.sessions(chargePointId: pile, status: nil, limit: 100)
    }

    func withHarness(_ configuration: GatewayConfiguration = GatewayConfiguration(), _ body: (GatewayHarness) async throws -> Void) async throws {
        try await GatewayHarness.with(configuration, body)
    }

    func frames(_ harness: GatewayHarness, _ pile: String) async throws -> [FrameRecord] {
        try await harness.store.frames(chargePointId: pile, limit: 10_000)
    }
}

/// Simulated piles against the real gateway over loopback WebSockets.
final class SimulatedPileTests: SimulationTestCase {
    func testAPileChargesAVehicleToItsTargetAndTheGatewayRecordsTheSession() async throws {
        try await withHarness { harness in
            let pile = try await startPile(harness, identity: "NIO-E2E-1")
            let su7 = try vehicle("su7-max")
            pile.execute { $0.plugIn(connector: 1, vehicle: su7, soc: 10, targetSoC: 80, idTag: "XIAOMI-1") }
            let done = try await harness.eventually(20) { try await self.sessions(harness, "NIO-E2E-1").first?.status == .completed }
            XCTAssertTrue(done, "the session did not complete")
            let sessionValue = try await sessions(harness, "NIO-E2E-1").first
            let session = try XCTUnwrap(sessionValue)
            XCTAssertEqual(session.stopReason, "Local")
            XCTAssertEqual(session.idTag, "XIAOMI-1")
            // 70 % of a 99 kWh battery.
            XCTAssertEqual(Double(session.energyWh ?? 0) / 1000, 69.3, accuracy: 0.7)
            let detail = try await harness.store.session(id: session.id)
            let socs = (detail?.samples ?? []).filter { $0.measurand == "SoC" }.map(\.value)
            XCTAssertFalse(socs.isEmpty)
            XCTAssertEqual(socs, socs.sorted(), "state of charge never goes down")
            // The StatusNotification follows the StopTransaction and is stored without a reply waiting on it.
            _ = try await harness.eventually(5) {
                try await harness.store.chargePoint(id: "NIO-E2E-1")?.connectors.first { $0.connectorId == 1 }?.status == "Finishing"
            }
            let statuses = try await harness.store.chargePoint(id: "NIO-E2E-1")?.connectors.first { $0.connectorId == 1 }?.status
            XCTAssertEqual(statuses, "Finishing")
        }
    }

    func testRemoteStartAndStopFromTheGatewayDriveThePile() async throws {
        try await withHarness { harness in
            let pile = try await startPile(harness, identity: "NIO-E2E-2")
            let su7 = try vehicle("su7-standard")
            pile.execute { $0.plugIn(connector: 1, vehicle: su7, soc: 20, targetSoC: 100) }
            let started = try await harness.gateway.remoteStartTransaction("NIO-E2E-2", idTag: "APP-7", connectorId: 1)
            XCTAssertEqual(started, .Accepted)
            let active = try await harness.eventually(10) { try await self.sessions(harness, "NIO-E2E-2").first?.status == .active }
            XCTAssertTrue(active)
            let idValue = try await sessions(harness, "NIO-E2E-2").first?.id
            let id = try XCTUnwrap(idValue)
            let stopped = try await harness.gateway.remoteStopTransaction("NIO-E2E-2", transactionId: Int(id))
            XCTAssertEqual(stopped, .Accepted)
            let done = try await harness.eventually(10) { try await self.sessions(harness, "NIO-E2E-2").first?.status == .completed }
            XCTAssertTrue(done)
            let result1 = try await sessions(harness, "NIO-E2E-2").first?.stopReason
            XCTAssertEqual(result1, "Remote")
            // A transaction the pile does not run cannot be stopped.
            let unknown = try await harness.gateway.remoteStopTransaction("NIO-E2E-2", transactionId: 999_999)
            XCTAssertEqual(unknown, .Rejected)
        }
    }

    func testCommandsHaveRealEffectOnThePile() async throws {
        try await withHarness { harness in
            let pile = try await startPile(harness, identity: "NIO-E2E-3")
            let id = "NIO-E2E-3"
            let result2 = try await harness.gateway.changeConfiguration(id, key: "HeartbeatInterval", value: "42")
            XCTAssertEqual(result2, .Accepted)
            let result3 = try await harness.gateway.changeConfiguration(id, key: "NumberOfConnectors", value: "9")
            XCTAssertEqual(result3, .Rejected)
            let result4 = try await harness.gateway.changeConfiguration(id, key: "NoSuchKey", value: "1")
            XCTAssertEqual(result4, .NotSupported)
            let config = try await harness.gateway.getConfiguration(id, keys: ["HeartbeatInterval", "Bogus"])
            XCTAssertEqual(config.configurationKey?.first?.value, "42")
            XCTAssertEqual(config.unknownKey, ["Bogus"])

            let result5 = try await harness.gateway.changeAvailability(id, connectorId: 1, type: .Inoperative)
            XCTAssertEqual(result5, .Accepted)
            let unavailable = try await harness.eventually(5) {
                try await harness.store.chargePoint(id: id)?.connectors.first { $0.connectorId == 1 }?.status == "Unavailable"
            }
            XCTAssertTrue(unavailable)
            let result6 = try await harness.gateway.changeAvailability(id, connectorId: 1, type: .Operative)
            XCTAssertEqual(result6, .Accepted)

            // UnlockConnector during a transaction ends it with reason UnlockCommand.
            let car = try vehicle("yu7-max")
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 30, targetSoC: 100, idTag: "XIAOMI-3") }
            _ = try await harness.eventually(10) { try await self.sessions(harness, id).first?.status == .active }
            let result7 = try await harness.gateway.unlockConnector(id, connectorId: 1)
            XCTAssertEqual(result7, .Unlocked)
            let unlocked = try await harness.eventually(10) { try await self.sessions(harness, id).first?.stopReason == "UnlockCommand" }
            XCTAssertTrue(unlocked)

            let result8 = try await harness.gateway.triggerMessage(id, .Heartbeat)
            XCTAssertEqual(result8, .Accepted)
            // With Firmware Management (a default profile): the pile reports its idle diagnostics status.
            let result9 = try await harness.gateway.triggerMessage(id, .DiagnosticsStatusNotification)
            XCTAssertEqual(result9, .Accepted)
            let idle = try await harness.eventually(10) {
                try await harness.store.notices(chargePointId: id, kind: .diagnostics, limit: 10).first?.status == "Idle"
            }
            XCTAssertTrue(idle, "no DiagnosticsStatusNotification Idle after the trigger")

            // Reset: the pile reboots and sends a new BootNotification.
            let result10 = try await harness.gateway.reset(id, type: .Soft)
            XCTAssertEqual(result10, .Accepted)
            let rebooted = try await harness.eventually(10) {
                try await harness.store.flush()
                let frames = try await self.frames(harness, id)
                return frames.filter { $0.direction == .incoming && $0.action == "BootNotification" }.count == 2
            }
            XCTAssertTrue(rebooted, "no second BootNotification after Reset")
        }
    }

    func testQueuedTransactionMessagesAreDeliveredInOrderAfterTheGatewayComesBack() async throws {
        try await withHarness { harness in
            let id = "NIO-E2E-4"
            let pile = try await startPile(harness, identity: id, speed: 600) { $0.meterValueSampleInterval = 60 }
            let car = try vehicle("nio-et5")
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 10, targetSoC: 100, idTag: "XIAOMI-4") }
            _ = try await harness.eventually(10) { try await self.sessions(harness, id).first?.status == .active }

            // The gateway goes away: the pile keeps charging and queues its readings.
            await harness.server.stopAccepting()
            await harness.gateway.disconnectAll()
            let queued = try await harness.eventually(10) { try await pile.run { $0.queuedMessages >= 5 } }
            XCTAssertTrue(queued, "readings were not queued while offline")
            pile.execute { $0.unplug(connector: 1) }  // StopTransaction is queued too

            // It comes back on the same port; the queue drains in order.
            let revived = OCPPServer(
                configuration: harness.gateway.serverConfiguration(host: "127.0.0.1", port: harness.port), group: harness.group,
                policy: harness.gateway, acceptor: harness.gateway, http: harness.http)
            try await revived.start()
            let drained = try await harness.eventually(30) { try await pile.run { $0.queuedMessages == 0 && $0.isConnected } }
            XCTAssertTrue(drained, "the queue did not drain after reconnecting")
            let sessionValue = try await sessions(harness, id).first
            let session = try XCTUnwrap(sessionValue)
            XCTAssertEqual(session.status, .completed)
            XCTAssertEqual(session.stopReason, "EVDisconnected")
            let samples = try await harness.store.session(id: session.id)?.samples ?? []
            let energy = samples.filter { $0.measurand == "Energy.Active.Import.Register" && $0.context == "Sample.Periodic" }
            // One reading per simulated minute, none lost, none twice: timestamps 60 s apart, values rising.
            let times = energy.map(\.time.timeIntervalSince1970)
            XCTAssertGreaterThanOrEqual(times.count, 5)
            XCTAssertEqual(Set(times).count, times.count, "a reading arrived twice")
            for (a, b) in zip(times, times.dropFirst()) { XCTAssertEqual(b - a, 60, accuracy: 31, "a reading is missing") }
            XCTAssertEqual(energy.map(\.value), energy.map(\.value).sorted())
            await revived.stopAccepting()
        }
    }

    func testClockAlignedReadingsAndStopTransactionDataFollowTheConfiguration() async throws {
        try await withHarness { harness in
            let id = "NIO-E2E-5"
            let pile = try await startPile(harness, identity: id, speed: 600) {
                $0.clockAlignedDataInterval = 300
                $0.stopTxnMeasurands = ["Energy.Active.Import.Register", "SoC"]
            }
            let car = try vehicle("su7-max")
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 10, targetSoC: 60, idTag: "XIAOMI-5") }
            let done = try await harness.eventually(20) { try await self.sessions(harness, id).first?.status == .completed }
            XCTAssertTrue(done)
            let session = try await sessions(harness, id).first
            let samples = try await harness.store.session(id: session?.id ?? 0)?.samples ?? []
            let aligned = samples.filter { $0.context == "Sample.Clock" }
            XCTAssertFalse(aligned.isEmpty, "no clock-aligned readings")
            for sample in aligned {
                XCTAssertEqual(sample.time.timeIntervalSince1970.truncatingRemainder(dividingBy: 300), 0, accuracy: 0.001, "aligned to 5-minute slots")
                XCTAssertEqual(sample.measurand, "Energy.Active.Import.Register", "MeterValuesAlignedData")
            }
            let ends = Set(samples.filter { $0.context == "Transaction.End" }.map(\.measurand))
            XCTAssertEqual(ends, ["Energy.Active.Import.Register", "SoC"], "StopTransaction carries StopTxnSampledData")
        }
    }
}
