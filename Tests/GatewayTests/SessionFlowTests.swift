import Foundation
import Gateway
import OCPP
import OCPPWebSocket
import SessionStore
import XCTest

final class SessionFlowTests: XCTestCase {
    func testFullSessionFromBootToStopIsRecordedInTheStore() async throws {
        var configuration = GatewayConfiguration()
        configuration.heartbeatInterval = 77
        try await GatewayHarness.with(configuration) { harness in
            let pile = try await harness.connect("NIO-TEST-1")
            let boot = try await pile.boot()
            XCTAssertEqual(boot.status, .Accepted)
            XCTAssertEqual(boot.interval, 77)
            _ = try await pile.call(V16.Heartbeat.self, .init())
            _ = try await pile.call(V16.StatusNotification.self, .init(connectorId: 0, status: .Available))
            _ = try await pile.call(V16.StatusNotification.self, .init(connectorId: 1, status: .Preparing))
            let auth = try await pile.call(V16.Authorize.self, .init(idTag: "XIAOMI-1"))
            XCTAssertEqual(auth.idTagInfo.status, .Accepted)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            let started = try await pile.call(
                V16.StartTransaction.self, .init(connectorId: 1, idTag: "XIAOMI-1", meterStart: 10_000, timestamp: start))
            XCTAssertEqual(started.idTagInfo.status, .Accepted)
            XCTAssertGreaterThan(started.transactionId, 0)
            _ = try await pile.call(V16.StatusNotification.self, .init(connectorId: 1, status: .Charging))
            for minute in 1...3 {
                let sample = V16.MeterValue(
                    timestamp: start.addingTimeInterval(Double(minute) * 60),
                    sampledValue: [
                        .init(value: "\(10_000 + minute * 2_500)", measurand: .energyActiveImportRegister, unit: .Wh),
                        .init(value: "150", measurand: .powerActiveImport, unit: .kW),
                        .init(value: "\(20 + minute * 3)", measurand: .soc, unit: .Percent),
                    ])
                _ = try await pile.call(V16.MeterValues.self, .init(connectorId: 1, transactionId: started.transactionId, meterValue: [sample]))
            }
            let stopTime = start.addingTimeInterval(240)
            _ = try await pile.call(
                V16.StopTransaction.self,
                .init(
                    meterStop: 20_000, timestamp: stopTime, transactionId: started.transactionId, reason: .EVDisconnected,
                    transactionData: [.init(timestamp: stopTime, sampledValue: [.init(value: "20.0", context: .transactionEnd, unit: .kWh)])]))
            _ = try await pile.call(V16.StatusNotification.self, .init(connectorId: 1, status: .Finishing))

            // The confirmed writes are in the store now, without waiting.
            let stored = try await harness.store.session(id: Int64(started.transactionId))
            let detail = try XCTUnwrap(stored)
            XCTAssertEqual(detail.session.status, .completed)
            XCTAssertEqual(detail.session.chargePointId, "NIO-TEST-1")
            XCTAssertEqual(detail.session.meterStartWh, 10_000)
            XCTAssertEqual(detail.session.meterStopWh, 20_000)
            XCTAssertEqual(detail.session.energyWh, 10_000)
            XCTAssertEqual(detail.session.stopReason, "EVDisconnected")
            XCTAssertEqual(detail.session.startTime, start)
            XCTAssertEqual(detail.samples.count, 10)
            XCTAssertEqual(detail.samples.filter { $0.measurand == "Power.Active.Import" }.map(\.value), [150_000, 150_000, 150_000])
            XCTAssertEqual(detail.samples.last?.value, 20_000, "kWh is stored as Wh")
            XCTAssertEqual(detail.samples.last?.context, "Transaction.End")

            // Every frame both ways, StartTransaction to StopTransaction, in the timeline.
            _ = try await harness.store.flush()
            let reread = try await harness.store.session(id: Int64(started.transactionId))
            let timeline = try XCTUnwrap(reread).timeline
            let actions = timeline.map { "\($0.direction.rawValue):\($0.messageType):\($0.action ?? "-")" }
            XCTAssertEqual(actions.first, "in:2:StartTransaction")
            XCTAssertTrue(actions.contains("out:3:StartTransaction"))
            XCTAssertTrue(actions.contains("in:2:StopTransaction"))
            XCTAssertTrue(actions.contains("out:3:StopTransaction"))
            XCTAssertEqual(actions.filter { $0 == "in:2:MeterValues" }.count, 3)

            // And through the HTTP API.
            let api = try await harness.get("/api/sessions/\(started.transactionId)")
            XCTAssertEqual(api.status, 200)
            XCTAssertEqual(api.body[path: "energyWh"], 10_000)
            XCTAssertEqual(api.body[path: "samples"]?.arrayValue?.count, 10)
            let cp = try await harness.get("/api/chargepoints/NIO-TEST-1")
            XCTAssertEqual(cp.body[path: "vendor"], "TestVendor")
            XCTAssertEqual(cp.body[path: "connected"], true)
            let connectors = cp.body[path: "connectors"]?.arrayValue ?? []
            XCTAssertEqual(connectors.first(where: { $0["connectorId"] == 1 })?["status"], "Finishing")
            XCTAssertEqual(connectors.first(where: { $0["connectorId"] == 0 })?["status"], "Available")
        }
    }

    func testTransactionIdsStayUniqueAndSessionsSurviveARestart() async throws {
        let first = try await GatewayHarness.start()
        let pile = try await first.connect("XP-1")
        _ = try await pile.boot()
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        let a = try await pile.call(V16.StartTransaction.self, .init(connectorId: 1, idTag: "A", meterStart: 0, timestamp: t))
        _ = try await pile.call(
            V16.MeterValues.self,
            .init(connectorId: 1, transactionId: a.transactionId, meterValue: [.init(timestamp: t, sampledValue: [.init(value: "500")])]))
        try await first.shutdown(keepFiles: true)

        let second = try await GatewayHarness.start(directory: first.directory)
        do {
            let read = try await second.store.session(id: Int64(a.transactionId))
            let restored = try XCTUnwrap(read)
            XCTAssertEqual(restored.session.status, .active)
            XCTAssertEqual(restored.samples.map(\.value), [500])
            let cp = try await second.store.chargePoint(id: "XP-1")
            XCTAssertEqual(cp?.chargePoint.connected, false, "a restart marks the node's piles offline")
            let again = try await second.connect("XP-1")
            _ = try await again.boot()
            let b = try await again.call(
                V16.StartTransaction.self, .init(connectorId: 2, idTag: "B", meterStart: 0, timestamp: t.addingTimeInterval(5)))
            XCTAssertGreaterThan(b.transactionId, a.transactionId)
            // The tag of the restored running transaction is still busy elsewhere.
            let concurrent = try await again.call(
                V16.StartTransaction.self, .init(connectorId: 3, idTag: "A", meterStart: 0, timestamp: t.addingTimeInterval(9)))
            XCTAssertEqual(concurrent.idTagInfo.status, .ConcurrentTx)
        } catch {
            try await second.shutdown()
            throw error
        }
        try await second.shutdown()
    }
}
