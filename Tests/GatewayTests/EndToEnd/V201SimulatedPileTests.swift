import Foundation
import Gateway
import OCPP
import OCPPWebSocket
import SessionStore
import Simulator
import XCTest

/// Simulated 2.0.1 stations against the real gateway over loopback.
final class V201SimulatedPileTests: SimulationTestCase {
    /// The TransactionEvents the gateway received from `pile`, parsed, in arrival order.
    func events(_ harness: GatewayHarness, _ pile: String) async throws -> [JSON] {
        try await harness.store.flush()
        return try await frames(harness, pile).filter { $0.direction == .incoming && $0.action == "TransactionEvent" }
            .compactMap { try? JSONParser.parse($0.text).arrayValue?.last }
    }

    func testA201StationChargesAVehicleAndTheGatewayRecordsTheCompletedSession() async throws {
        try await withHarness { harness in
            let id = "NIO2-E2E-1"
            let pile = try await startPile(harness, "nio-640-v201", identity: id)
            let su7 = try vehicle("su7-max")
            pile.execute { $0.plugIn(connector: 1, vehicle: su7, soc: 10, targetSoC: 80, idTag: "XIAOMI-1") }
            let done = try await harness.eventually(20) { try await self.sessions(harness, id).first?.status == .completed }
            XCTAssertTrue(done, "the session did not complete")
            let sessionValue = try await sessions(harness, id).first
            let session = try XCTUnwrap(sessionValue)
            XCTAssertEqual(session.stopReason, "Local")
            XCTAssertEqual(session.idTag, "XIAOMI-1")
            XCTAssertEqual(Double(session.energyWh ?? 0) / 1000, 69.3, accuracy: 0.7, "70 % of a 99 kWh battery, as on a 1.6 pile")

            let events = try await events(harness, id)
            XCTAssertEqual(events.map { $0["seqNo"]?.intValue }, (0..<events.count).map { Int64($0) }, "seqNo 0, 1, 2 … without gaps")
            XCTAssertEqual(events.first?["eventType"], "Started")
            XCTAssertEqual(events.first?["triggerReason"], "Authorized", "plugged in, then authorized: the power path closes on the token")
            XCTAssertEqual(events.first?["evse"]?["id"], 1)
            XCTAssertEqual(events.first?["idToken"]?["idToken"], "XIAOMI-1")
            XCTAssertEqual(events.first?["transactionInfo"]?["chargingState"], "Charging")
            XCTAssertEqual(events.first?["meterValue"]?.arrayValue?.first?["sampledValue"]?.arrayValue?.first?["context"], "Transaction.Begin")
            XCTAssertTrue(events.dropFirst().allSatisfy { $0["evse"] == nil }, "evse in the first event only")
            XCTAssertEqual(Set(events.map { $0["transactionInfo"]?["transactionId"] }).count, 1, "one transaction id throughout")
            XCTAssertTrue(events.dropFirst().dropLast().allSatisfy { $0["triggerReason"] == "MeterValuePeriodic" && $0["eventType"] == "Updated" })
            let ended = try XCTUnwrap(events.last)
            XCTAssertEqual(ended["eventType"], "Ended")
            XCTAssertEqual(ended["triggerReason"], "StopAuthorized")
            XCTAssertEqual(ended["transactionInfo"]?["stoppedReason"], "Local")
            XCTAssertTrue(events.allSatisfy { $0["offline"] == nil }, "nothing was queued offline")

            let findings = try await harness.store.findings(chargePointId: id, limit: 100).map(\.rule)
            XCTAssertEqual(findings.filter { $0.hasPrefix("txevent.") }, [], "a clean station makes no 2.0.1 transaction finding")
            let statuses = try await frames(harness, id).filter { $0.direction == .incoming && $0.action == "StatusNotification" }.map(\.text)
            XCTAssertTrue(statuses.contains { $0.contains(#""connectorStatus":"Occupied""#) })
            XCTAssertTrue(statuses.allSatisfy { $0.contains(#""evseId":1"#) && $0.contains(#""connectorId":1"#) })
        }
    }

    func testAScanStartsThe201StationAndTheAppsStopEndsIt() async throws {
        let configuration = try ScanFixtures.configuration([
            ScanFixtures.pile("NIO2-SCAN", network: "NIO", station: "nio-201", city: "Beijing", latitude: 39.9, longitude: 116.4, kW: 640)
        ])
        try await withHarness(configuration) { harness in
            let id = "NIO2-SCAN"
            let pile = try await startPile(harness, "nio-640-v201", identity: id)
            // The driver has an hour (simulated) to plug in after the scan.
            let set = try await harness.gateway.call(
                id, V201.SetVariables.self,
                .init(setVariableData: [.init(attributeValue: "3600", component: .init(name: "TxCtrlr"), variable: .init(name: "EVConnectionTimeOut"))]))
            XCTAssertEqual(set.setVariableResult.first?.attributeStatus, .accepted)
            _ = try await harness.eventually(5) {
                try await harness.store.chargePoint(id: id)?.connectors.first { $0.connectorId == 1 }?.status == "Available"
            }
            let scan = await harness.api("POST", "/api/scan", json: ["qr": .string(ScanFixtures.qr("NIO", id)), "account": "mi-driver-1"])
            XCTAssertEqual(scan.status, 201, scan.text)
            let sessionId = try XCTUnwrap(scan.json["id"]?.intValue)
            let car = try vehicle("su7-standard")
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 20, targetSoC: 100) }
            let active = try await harness.waitForSession(sessionId) { $0["status"] == "active" }
            XCTAssertEqual(active["account"], "mi-driver-1")

            // Busy: a second remote start on the same EVSE is refused.
            let again = try await harness.gateway.call(
                id, V201.RequestStartTransaction.self, .init(idToken: .init(idToken: "OTHER", type: .central), remoteStartId: 999, evseId: 1))
            XCTAssertEqual(again.status, .rejected)

            let all = try await events(harness, id)
            let started = try XCTUnwrap(all.first)
            XCTAssertEqual(started["transactionInfo"]?["remoteStartId"]?.intValue, sessionId, "the station echoes remoteStartId")
            // The power path closes on whichever came last: the cable (usually) or the remote start.
            let trigger = started["triggerReason"]?.stringValue ?? "-"
            XCTAssertTrue(["CablePluggedIn", "RemoteStart"].contains(trigger), "\(started)")

            let stop = await harness.api("POST", "/api/sessions/\(sessionId)/stop")
            XCTAssertEqual(stop.status, 202, stop.text)
            let done = try await harness.waitForSession(sessionId, timeout: 15) { $0["status"] == "completed" }
            XCTAssertEqual(done["stopReason"], "Remote")
            XCTAssertGreaterThan(done["energyWh"]?.intValue ?? 0, 0)
            let after = try await events(harness, id)
            let ended = try XCTUnwrap(after.last)
            XCTAssertEqual(ended["triggerReason"], "RemoteStop")
            XCTAssertEqual(ended["transactionInfo"]?["stoppedReason"], "Remote")
        }
    }

    func testEventsQueuedWhileOfflineAreReplayedInOrderWithTheOfflineFlag() async throws {
        try await withHarness { harness in
            let id = "NIO2-E2E-OFF"
            let pile = try await startPile(harness, "nio-640-v201", identity: id, speed: 600)
            let car = try vehicle("nio-et5")
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 10, targetSoC: 100, idTag: "XIAOMI-4") }
            _ = try await harness.eventually(10) { try await self.sessions(harness, id).first?.status == .active }

            await harness.server.stopAccepting()
            await harness.gateway.disconnectAll()
            let queued = try await harness.eventually(10) { try await pile.run { $0.queuedMessages >= 5 } }
            XCTAssertTrue(queued, "events were not queued while offline")
            pile.execute { $0.unplug(connector: 1) }

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

            let events = try await events(harness, id)
            XCTAssertEqual(events.map { $0["seqNo"]?.intValue }, (0..<events.count).map { Int64($0) }, "replayed in order, none lost, none twice")
            let offline = events.filter { $0["offline"] == true }
            XCTAssertGreaterThanOrEqual(offline.count, 5)
            XCTAssertEqual(events.last?["eventType"], "Ended")
            XCTAssertEqual(events.last?["offline"], true)
            XCTAssertEqual(events.last?["triggerReason"], "EVDeparted")
            let times = events.compactMap { $0["timestamp"]?.stringValue.flatMap(OCPPTimestamp.parse)?.date }
            XCTAssertEqual(times, times.sorted(), "timestamps of the events, not of the replay")
            await revived.stopAccepting()
        }
    }

    func testTheDeviceModelAnswersGetAndSetVariablesAndReportsInPages() async throws {
        try await withHarness { harness in
            let id = "NIO2-E2E-DM"
            _ = try await startPile(harness, "nio-640-v201", identity: id)
            func get(_ component: String, _ variable: String, evse: V201.EVSE? = nil) -> V201.GetVariableData {
                .init(component: .init(name: component, evse: evse), variable: .init(name: variable))
            }
            let set = try await harness.gateway.call(
                id, V201.SetVariables.self,
                .init(setVariableData: [
                    .init(attributeValue: "42", component: .init(name: "OCPPCommCtrlr"), variable: .init(name: "HeartbeatInterval")),
                    .init(attributeValue: "X", component: .init(name: "ChargingStation"), variable: .init(name: "Model")),
                    .init(attributeValue: "Bogus", component: .init(name: "TxCtrlr"), variable: .init(name: "TxStartPoint")),
                    .init(attributeValue: "EVConnected", component: .init(name: "TxCtrlr"), variable: .init(name: "TxStartPoint")),
                    .init(attributeValue: "1", component: .init(name: "NoSuchCtrlr"), variable: .init(name: "X")),
                    .init(attributeValue: "1", component: .init(name: "TxCtrlr"), variable: .init(name: "NoSuchVariable")),
                ]))
            XCTAssertEqual(set.setVariableResult.map(\.attributeStatus), [.accepted, .rejected, .rejected, .accepted, .unknownComponent, .unknownVariable])

            let got = try await harness.gateway.call(
                id, V201.GetVariables.self,
                .init(getVariableData: [
                    get("OCPPCommCtrlr", "HeartbeatInterval"), get("TxCtrlr", "TxStartPoint"), get("ChargingStation", "Model"),
                    get("EVSE", "Power", evse: .init(id: 1)), get("EVSE", "Power", evse: .init(id: 7)), get("TxCtrlr", "Nope"),
                ]))
            XCTAssertEqual(got.getVariableResult.map(\.attributeStatus), [.accepted, .accepted, .accepted, .accepted, .unknownComponent, .unknownVariable])
            XCTAssertEqual(got.getVariableResult.map(\.attributeValue), ["42", "EVConnected", "Power Charger 640", "640000", nil, nil])

            let report = try await harness.gateway.call(id, V201.GetBaseReport.self, .init(requestId: 5, reportBase: .fullInventory))
            XCTAssertEqual(report.status, .accepted)
            let paged = try await harness.eventually(5) {
                try await harness.store.flush()
                return try await self.frames(harness, id).filter { $0.direction == .incoming && $0.action == "NotifyReport" }.count >= 3
            }
            XCTAssertTrue(paged, "a full inventory takes several NotifyReport pages")
            let pages = try await frames(harness, id).filter { $0.direction == .incoming && $0.action == "NotifyReport" }
                .compactMap { try? JSONParser.parse($0.text).arrayValue?.last }
            XCTAssertEqual(pages.map { $0["seqNo"]?.intValue }, (0..<pages.count).map { Int64($0) })
            XCTAssertEqual(pages.map { $0["tbc"] == true }, Array(repeating: true, count: pages.count - 1) + [false])
            XCTAssertTrue(pages.allSatisfy { $0["requestId"] == 5 })
        }
    }

    func testCommandsHaveRealEffectOnThe201Station() async throws {
        try await withHarness { harness in
            let id = "NIO2-E2E-CMD"
            let pile = try await startPile(harness, "nio-640-v201", identity: id)
            let unknown = try await harness.gateway.call(id, V201.RequestStopTransaction.self, .init(transactionId: "no-such"))
            XCTAssertEqual(unknown.status, .rejected)
            let car = try vehicle("yu7-max")
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 30, targetSoC: 100, idTag: "XIAOMI-3") }
            _ = try await harness.eventually(10) { try await self.sessions(harness, id).first?.status == .active }
            let ref = try await pile.run { $0.transactionId201(evse: 1) }
            let transactionId = try XCTUnwrap(ref)
            let status = try await harness.gateway.call(id, V201.GetTransactionStatus.self, .init(transactionId: transactionId))
            XCTAssertEqual(status.ongoingIndicator, true)
            let unlock = try await harness.gateway.call(id, V201.UnlockConnector.self, .init(evseId: 1, connectorId: 1))
            XCTAssertEqual(unlock.status, .ongoingAuthorizedTransaction)
            let noConnector = try await harness.gateway.call(id, V201.UnlockConnector.self, .init(evseId: 3, connectorId: 1))
            XCTAssertEqual(noConnector.status, .unknownConnector)
            let trigger = try await harness.gateway.call(id, V201.TriggerMessage.self, .init(requestedMessage: .transactionEvent, evse: .init(id: 1)))
            XCTAssertEqual(trigger.status, .accepted)
            let triggered = try await harness.eventually(5) { try await self.events(harness, id).contains { $0["triggerReason"] == "Trigger" } }
            XCTAssertTrue(triggered)
            let firmware = try await harness.gateway.call(id, V201.TriggerMessage.self, .init(requestedMessage: .firmwareStatusNotification))
            XCTAssertEqual(firmware.status, .notImplemented)
            let availability = try await harness.gateway.call(id, V201.ChangeAvailability.self, .init(operationalStatus: .inoperative, evse: .init(id: 1)))
            XCTAssertEqual(availability.status, .scheduled, "inoperative after the running transaction")

            let reset = try await harness.gateway.call(id, V201.Reset.self, .init(type: .immediate))
            XCTAssertEqual(reset.status, .accepted)
            let rebooted = try await harness.eventually(10) {
                try await harness.store.flush()
                return try await self.frames(harness, id).contains { $0.direction == .incoming && $0.action == "BootNotification" && $0.text.contains("RemoteReset") }
            }
            XCTAssertTrue(rebooted, "no BootNotification with reason RemoteReset after Reset")
            let completed = try await harness.eventually(10) { try await self.sessions(harness, id).first?.status == .completed }
            XCTAssertTrue(completed, "the Ended event arrives (before or after the reboot)")
            let ended = try await events(harness, id).last
            XCTAssertEqual(ended?["triggerReason"], "ResetCommand")
            XCTAssertEqual(ended?["transactionInfo"]?["stoppedReason"], "ImmediateReset")
        }
    }

    func testATokenTheGatewayRefusesInItsAnswerStopsTheTransaction() async throws {
        var configuration = GatewayConfiguration()
        configuration.acceptUnknownIdTags = false
        try await withHarness(configuration) { harness in
            let id = "XPENG2-E2E-VIN"
            let pile = try await startPile(harness, "xpeng-s5-v201", identity: id)
            let car = try vehicle("xpeng-g6")
            // Plug and charge: the VIN is the token, no Authorize first; the gateway knows no such tag.
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 20, targetSoC: 80, vin: "LXPVIN00000000001") }
            let stopped = try await harness.eventually(10) { try await self.events(harness, id).contains { $0["eventType"] == "Ended" } }
            XCTAssertTrue(stopped, "StopTxOnInvalidId: the refused token ends the transaction")
            let events = try await events(harness, id)
            XCTAssertEqual(events.first?["triggerReason"], "CablePluggedIn", "xpeng-s5-v201 opens the transaction at the plug")
            XCTAssertEqual(events.first { $0["idToken"] != nil }?["idToken"]?["idToken"], "LXPVIN00000000001")
            XCTAssertEqual(events.last?["triggerReason"], "Deauthorized")
            XCTAssertEqual(events.last?["transactionInfo"]?["stoppedReason"], "DeAuthorized")
        }
    }

    func testAMixedFleetBootsEveryPileAndCompletesSessionsOfBothVersions() async throws {
        try await withHarness { harness in
            var options = FleetRunner.Options(endpoint: harness.endpoint)
            options.speed = 1200
            options.threads = 1
            let fleet = try XCTUnwrap(try library().fleets["mixed"])
            let runner = try FleetRunner(fleet: fleet, library: try library(), options: options)
            try await runner.start()
            let both = try await harness.eventually(40) {
                let done = try await harness.store.sessions(chargePointId: nil, status: .completed, limit: 1000)
                return Set(done.compactMap(\.ocppVersion)).isSuperset(of: ["1.6", "2.0.1"])
            }
            let stats = runner.stats.snapshot()
            let undelivered = await runner.endSessions()
            await runner.stop()
            XCTAssertTrue(both, "sessions of both versions complete: \(stats)")
            XCTAssertEqual(stats.booted, fleet.pileCount)
            XCTAssertEqual(stats.errors, [:])
            XCTAssertEqual(undelivered, 0)
            try await harness.store.flush()
            let piles = try await harness.store.chargePoints()
            XCTAssertEqual(piles.count, fleet.pileCount)
            XCTAssertEqual(Set(piles.compactMap(\.chargePoint.ocppVersion)), ["1.6", "2.0.1"])
            let open = try await harness.store.sessions(chargePointId: nil, status: .active, limit: 1000)
            XCTAssertEqual(open.map(\.id), [], "every session the fleet started is stopped")
        }
    }
}
