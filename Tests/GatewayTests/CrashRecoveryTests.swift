import Foundation
import Gateway
import NIOCore
import NIOPosix
import OCPP
import OCPPWebSocket
import XCTest

/// The real `pilegate serve` process: what it acknowledged survives SIGKILL, and SIGTERM
/// ends it gracefully.
final class CrashRecoveryTests: XCTestCase {
    /// Runs `body` with the binary, a temporary folder and a client event loop group; stops
    /// every process it started, the group, and deletes the folder, also when `body` throws.
    private func withGatewayProcesses(
        _ body: (_ start: (String) async throws -> (GatewayProcess, Int), _ directory: URL, _ group: any EventLoopGroup) async throws -> Void
    ) async throws {
        guard let binary = GatewayProcess.locateBinary() else {
            throw XCTSkip(
                "pilegate executable not found next to the test bundle (\(CommandLine.arguments.first ?? "?")); build it with `swift build --build-tests`")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var processes: [GatewayProcess] = []
        func cleanUp() async throws {
            for process in processes { await process.stop() }
            try await group.shutdownGracefully()
            try? FileManager.default.removeItem(at: directory)
        }
        do {
            try await body({ name in
                let process = try GatewayProcess(
                    binary: binary,
                    arguments: [
                        "serve", "--port", "0", "--db", "sqlite:\(directory.appendingPathComponent("g.sqlite").path)", "--log-level", "notice",
                    ],
                    directory: directory, name: name)
                processes.append(process)
                return (process, try await process.port())
            }, directory, group)
        } catch {
            try await cleanUp()
            throw error
        }
        try await cleanUp()
    }

    func testAcknowledgedMessagesSurviveSIGKILLAndTheSessionFinishesOnTheRestartedProcess() async throws {
        try await withGatewayProcesses { start, _, group in
            let (first, firstPort) = try await start("first")
            let pile = try await TestChargePoint.connect(endpoint: "ws://127.0.0.1:\(firstPort)/ocpp", identity: "CRASH-1", group: group)
            _ = try await pile.boot()
            let begin = Date(timeIntervalSince1970: 1_800_000_000)
            let started = try await pile.call(
                V16.StartTransaction.self, .init(connectorId: 1, idTag: "TAG-C", meterStart: 10_000, timestamp: begin))
            for minute in 1...2 {
                let sample = V16.MeterValue(
                    timestamp: begin.addingTimeInterval(Double(minute) * 60),
                    sampledValue: [.init(value: "\(10_000 + minute * 1_000)", measurand: .energyActiveImportRegister, unit: .Wh)])
                _ = try await pile.call(V16.MeterValues.self, .init(connectorId: 1, transactionId: started.transactionId, meterValue: [sample]))
            }

            // No shutdown, no flush: the process is killed right after the last acknowledgement.
            first.send(signal: SIGKILL)
            let died = await first.waitForExit(timeout: 5)
            XCTAssertTrue(died)
            XCTAssertEqual(first.termination?.exited, false, "ended by a signal")
            let noticed = try await eventually(5) { pile.isClosed }
            XCTAssertTrue(noticed, "the pile sees its connection drop")

            let (_, secondPort) = try await start("second")
            let api = try await RawHTTP.get(port: secondPort, "/api/sessions/\(started.transactionId)")
            XCTAssertEqual(api.status, 200, "\(api.body)")
            XCTAssertEqual(api.body[path: "status"], "active")
            XCTAssertEqual(api.body[path: "chargePointId"], "CRASH-1")
            XCTAssertEqual(api.body[path: "meterStartWh"], 10_000)
            let samples = api.body[path: "samples"]?.arrayValue ?? []
            XCTAssertEqual(samples.compactMap { $0["value"]?.doubleValue }, [11_000, 12_000], "both acknowledged samples are there")
            let cp = try await RawHTTP.get(port: secondPort, "/api/chargepoints/CRASH-1")
            XCTAssertEqual(cp.body[path: "connected"], false, "the restarted node marks its former piles offline")
            // Every acknowledged CALL's frame was logged before its answer: recovered from the
            // record log's unsealed tail.
            let frames = try await RawHTTP.get(port: secondPort, "/api/chargepoints/CRASH-1/messages?limit=100")
            let calls = (frames.body.arrayValue ?? []).filter { $0["direction"] == "in" }.compactMap { $0["action"]?.stringValue }
            XCTAssertEqual(calls, ["BootNotification", "StartTransaction", "MeterValues", "MeterValues"], "\(frames.body)")

            // The pile reconnects to the new process and finishes the session there.
            let again = try await TestChargePoint.connect(endpoint: "ws://127.0.0.1:\(secondPort)/ocpp", identity: "CRASH-1", group: group)
            _ = try await again.boot()
            let stop = try await again.call(
                V16.StopTransaction.self,
                .init(
                    meterStop: 13_000, timestamp: begin.addingTimeInterval(240), transactionId: started.transactionId,
                    reason: .EVDisconnected))
            XCTAssertNil(stop.idTagInfo)
            let finished = try await RawHTTP.get(port: secondPort, "/api/sessions/\(started.transactionId)")
            XCTAssertEqual(finished.body[path: "status"], "completed")
            XCTAssertEqual(finished.body[path: "energyWh"], 3_000)
            XCTAssertEqual(finished.body[path: "stopReason"], "EVDisconnected")
            let findings = finished.body[path: "findings"]?.arrayValue ?? []
            XCTAssertFalse(
                findings.contains { $0["rule"] == "session.stop-unknown-transaction" }, "the restarted gateway knows the transaction")
        }
    }

    /// The same for a 2.0.1 station: every acknowledged TransactionEvent (an offline one
    /// among them) is in the store after SIGKILL, and the station ends the transaction on
    /// the restarted process under its own transactionId, with its retried last event
    /// acknowledged but stored once.
    func testAcknowledged201EventsSurviveSIGKILLAndTheTransactionEndsOnTheRestartedProcess() async throws {
        try await withGatewayProcesses { start, _, group in
            let (first, firstPort) = try await start("first")
            let station = try await TestChargePoint.connect(
                endpoint: "ws://127.0.0.1:\(firstPort)/ocpp", identity: "CRASH-201", group: group, subprotocols: ["ocpp2.0.1"])
            _ = try await station.call(
                V201.BootNotification.self, .init(chargingStation: .init(model: "S201", vendorName: "TestVendor"), reason: .powerUp))
            let ref = "tx-crash-1"
            _ = try await station.call(
                V201.TransactionEvent.self, V201SessionTests.event(.started, ref, seqNo: 0, trigger: .authorized, wh: 10_000, evse: 1, token: "TAG-C201"))
            _ = try await station.call(V201.TransactionEvent.self, V201SessionTests.event(.updated, ref, seqNo: 1, wh: 11_000))
            let last = V201SessionTests.event(.updated, ref, seqNo: 2, wh: 12_000, offline: true)
            _ = try await station.call(V201.TransactionEvent.self, last)

            first.send(signal: SIGKILL)
            let died = await first.waitForExit(timeout: 5)
            XCTAssertTrue(died)
            let noticed = try await eventually(5) { station.isClosed }
            XCTAssertTrue(noticed, "the station sees its connection drop")

            let (_, secondPort) = try await start("second")
            let list = try await RawHTTP.get(port: secondPort, "/api/sessions?chargePoint=CRASH-201")
            let session = try XCTUnwrap(list.body.arrayValue?.first ?? list.body[path: "sessions"]?.arrayValue?.first, "\(list.body)")
            let id = try XCTUnwrap(session["id"]?.intValue)
            let api = try await RawHTTP.get(port: secondPort, "/api/sessions/\(id)")
            XCTAssertEqual(api.body[path: "status"], "active")
            XCTAssertEqual(api.body[path: "ocppVersion"], "2.0.1")
            XCTAssertEqual(api.body[path: "transactionRef"], .string(ref))
            XCTAssertEqual(api.body[path: "idTag"], "TAG-C201")
            XCTAssertEqual(api.body[path: "meterStartWh"], 10_000)
            let samples = api.body[path: "samples"]?.arrayValue ?? []
            XCTAssertEqual(samples.compactMap { $0["value"]?.doubleValue }, [10_000, 11_000, 12_000], "every acknowledged reading is there")

            // The station reconnects, retries its last event (its answer may have been lost), and ends the transaction.
            let again = try await TestChargePoint.connect(
                endpoint: "ws://127.0.0.1:\(secondPort)/ocpp", identity: "CRASH-201", group: group, subprotocols: ["ocpp2.0.1"])
            _ = try await again.call(
                V201.BootNotification.self, .init(chargingStation: .init(model: "S201", vendorName: "TestVendor"), reason: .powerUp))
            _ = try await again.call(V201.TransactionEvent.self, last)
            _ = try await again.call(
                V201.TransactionEvent.self, V201SessionTests.event(.ended, ref, seqNo: 3, trigger: .evDeparted, wh: 13_000, reason: .evDisconnected))
            let finished = try await RawHTTP.get(port: secondPort, "/api/sessions/\(id)")
            XCTAssertEqual(finished.body[path: "status"], "completed")
            XCTAssertEqual(finished.body[path: "energyWh"], 3_000)
            XCTAssertEqual(finished.body[path: "stopReason"], "EVDisconnected")
            let stored = finished.body[path: "samples"]?.arrayValue?.compactMap { $0["value"]?.doubleValue } ?? []
            XCTAssertEqual(stored.filter { $0 == 12_000 }.count, 1, "the retried event is stored once: \(stored)")
            let all = try await RawHTTP.get(port: secondPort, "/api/sessions?chargePoint=CRASH-201")
            XCTAssertEqual((all.body.arrayValue ?? all.body[path: "sessions"]?.arrayValue)?.count, 1, "one session, not one per node")
        }
    }

    func testSIGTERMClosesEveryPileWithGoingAwayAndExitsZero() async throws {
        try await withGatewayProcesses { start, _, group in
            let (process, port) = try await start("graceful")
            let pile = try await TestChargePoint.connect(endpoint: "ws://127.0.0.1:\(port)/ocpp", identity: "TERM-1", group: group)
            _ = try await pile.boot()
            let started = try await pile.call(
                V16.StartTransaction.self,
                .init(connectorId: 1, idTag: "TAG-T", meterStart: 0, timestamp: Date(timeIntervalSince1970: 1_800_000_000)))

            process.send(signal: SIGTERM)
            let closed = try await eventually(5) { pile.isClosed }
            XCTAssertTrue(closed, "events: \(pile.events)")
            XCTAssertEqual(pile.closeCodes, ["goingAway"], "close 1001")
            let exited = await process.waitForExit(timeout: 5)
            XCTAssertTrue(exited, "the process exits within a few seconds")
            XCTAssertEqual(process.termination?.exited, true)
            XCTAssertEqual(process.termination?.status, 0, process.stderr)
            XCTAssertTrue(process.stdout.contains("shutting down"), process.stdout)

            // The store was flushed on the way out, including what is written without an
            // acknowledgement: the frame log, down to our reply to StartTransaction.
            let (_, newPort) = try await start("after")
            let api = try await RawHTTP.get(port: newPort, "/api/sessions/\(started.transactionId)")
            XCTAssertEqual(api.body[path: "status"], "active")
            let timeline = (api.body[path: "timeline"]?.arrayValue ?? []).map {
                "\($0["direction"]?.stringValue ?? "?"):\($0["messageType"]?.intValue ?? 0):\($0["action"]?.stringValue ?? "-")"
            }
            XCTAssertTrue(timeline.contains("out:3:StartTransaction"), "\(timeline)")
        }
    }

    func testSIGTERMWithEventStreamsOpenEndsThemBeforeTheEventLoopsStop() async throws {
        try await withGatewayProcesses { start, _, _ in
            let (process, port) = try await start("streams")
            let readers = try (0..<3).map { _ in try EventStreamClient(port: port) }
            defer { for reader in readers { reader.close() } }
            for reader in readers {
                let head = try await reader.readHead(timeout: 5)
                XCTAssertEqual(head.status, 200)
            }

            process.send(signal: SIGTERM)
            for reader in readers {
                let ended = try await reader.waitForClose(timeout: 5)
                XCTAssertTrue(ended, "the gateway ends each stream on the way out")
            }
            let exited = await process.waitForExit(timeout: 10)
            XCTAssertTrue(exited, "the process exits")
            XCTAssertEqual(process.termination?.status, 0, process.stderr)
            XCTAssertFalse(process.stderr.contains("Cannot schedule tasks"), "nothing runs on a stopped event loop: \(process.stderr)")
        }
    }
}
