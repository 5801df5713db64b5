import Foundation
import Gateway
import HTTPAPI
import Lab
import OCPP
import SessionStore
import Simulator
import XCTest

/// A session recorded by one gateway, turned into a scenario and replayed against a
/// fresh gateway, reproduces the original: same answers (transaction ids mapped), same
/// session, same findings.
final class ReplayTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lab-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs one session of a quirky two-gun pile (both guns busy, so the recording must
    /// pick its connector's frames) and returns the recorded scenario and the original
    /// session. At 2.0.1 the pile is teld-120 speaking 2.0.1 (the library has no variant).
    func recordASession(version: OCPPVersion = .v16) async throws -> (yaml: String, original: SessionDetail) {
        let library = try ProfileLibrary(root: Repository.simulators)
        let running = try await RunningGateway.start(
            host: "127.0.0.1", port: 0, db: "sqlite:\(directory.appendingPathComponent("original.sqlite").path)",
            configuration: GatewayConfiguration(), node: "test", reusePort: false, threads: 1)
        do {
            var profile = library.variant(of: try XCTUnwrap(library.piles["teld-120"]), speaking: version)
            profile.quirks = [.timestampWithoutZone, .sampledValueAsNumber]
            profile.v201Quirks = [.evseInEveryEvent]
            let context = SimulationContext(endpoint: "ws://127.0.0.1:\(running.port)/ocpp", clock: VirtualClock(speed: 1200))
            let pile = PileHandle(identity: "TELD-REC-1", profile: profile, context: context, eventLoop: running.group.next(), seed: 7)
            pile.start()
            let car = try XCTUnwrap(library.vehicles["byd-han"])
            try await until(10) { try await pile.run { $0.registration == .Accepted && $0.isConnected } }
            pile.execute { $0.plugIn(connector: 2, vehicle: car, soc: 20, targetSoC: 60, idTag: "OTHER-GUN") }
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 30, targetSoC: 45, idTag: "RECORDED") }
            try await until(20) { try await pile.run { $0.status(of: 1) == .Finishing } }
            pile.execute { $0.unplug(connector: 1) }
            try await until(10) { try await pile.run { $0.queuedMessages == 0 && $0.status(of: 1) == .Available } }
            try await Task.sleep(for: .milliseconds(100))
            try await running.store.flush()
            let sessions = try await running.store.sessions(chargePointId: "TELD-REC-1", status: .completed, limit: 10)
            let recorded = try XCTUnwrap(sessions.first { $0.idTag == "RECORDED" })
            let original = try await running.store.session(id: recorded.id)
            let yaml = try await SessionRecorder.scenario(store: running.store, sessionId: recorded.id)
            pile.stop()
            try await running.shutdown()
            return (yaml, try XCTUnwrap(original))
        } catch {
            try? await running.shutdown()
            throw error
        }
    }

    func replay(_ yaml: String) async throws -> CaseResult {
        let file = directory.appendingPathComponent("replay-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let library = try ProfileLibrary(root: Repository.simulators)
        let scenarios = try ScenarioLoader(library: library).load(paths: [file.path])
        let report = try await LabRun.run(ScenarioCase.expand(scenarios, library: library), library: library, options: LabRunOptions())
        return try XCTUnwrap(report.results.first)
    }

    func testAReplayedRecordedSessionReproducesTheOriginal() async throws {
        let (yaml, original) = try await recordASession()
        XCTAssertFalse(yaml.contains("OTHER-GUN"), "the other gun's session is not part of the recording")
        let result = try await replay(yaml)
        XCTAssertEqual(result.outcome, .passed, result.failures.joined(separator: "\n"))
        let replayed = try XCTUnwrap(result.sessions.first)
        XCTAssertEqual(result.sessions.count, 1)
        XCTAssertEqual(replayed.session.energyWh, original.session.energyWh)
        XCTAssertEqual(replayed.session.stopReason, original.session.stopReason)
        XCTAssertEqual(replayed.session.idTag, "RECORDED")
        XCTAssertEqual(replayed.findings, Array(Set(original.findings.map(\.rule))).sorted())
        XCTAssertTrue(replayed.findings.contains("payload.timestamp-off-spec"))
        // The same frames from the pile, in the same order (ids the gateway assigned mapped).
        let actions = { (frames: [String]) in frames.compactMap { $0.split(separator: "\"").dropFirst(3).first.map(String.init) } }
        let originalCalls = original.timeline.filter { $0.direction == .incoming && $0.messageType == 2 && $0.action != "Heartbeat" }
            .filter { !$0.text.contains("\"connectorId\":2") }.map(\.text)
        let replayedCalls = (replayed.trace ?? []).filter { $0.direction == "in" && $0.messageType == 2 }.map(\.text)
        XCTAssertEqual(actions(replayedCalls).filter { $0 != "BootNotification" }, actions(originalCalls))
    }

    func testAReplayedRecorded201SessionReproducesTheOriginal() async throws {
        let (yaml, original) = try await recordASession(version: .v201)
        XCTAssertTrue(yaml.contains("ocppVersion: ocpp2.0.1"), yaml)
        XCTAssertFalse(yaml.contains("OTHER-GUN"), "the other gun's session is not part of the recording")
        let ref = try XCTUnwrap(original.session.transactionRef)
        let result = try await replay(yaml)
        XCTAssertEqual(result.outcome, .passed, result.failures.joined(separator: "\n"))
        XCTAssertEqual(result.ocppVersion, "2.0.1")
        let replayed = try XCTUnwrap(result.sessions.first)
        XCTAssertEqual(result.sessions.count, 1)
        XCTAssertEqual(replayed.session.ocppVersion, "2.0.1")
        XCTAssertEqual(replayed.session.energyWh, original.session.energyWh)
        XCTAssertEqual(replayed.session.stopReason, original.session.stopReason)
        XCTAssertEqual(replayed.session.idTag, "RECORDED")
        // A rule recorded once per connection (txevent.evse-repeated) may have gone to the
        // other gun's session in the original; alone on its connection, the replay has it.
        XCTAssertTrue(Set(replayed.findings).isSuperset(of: original.findings.map(\.rule)), "\(replayed.findings) \(original.findings.map(\.rule))")
        XCTAssertTrue(replayed.findings.contains("txevent.evse-repeated"), "\(replayed.findings)")
        // Every TransactionEvent of the transaction, Started to Ended, went out again.
        let events = { (frames: [(Bool, String)]) in frames.filter { $0.0 && $0.1.contains("\"TransactionEvent\"") && $0.1.contains(ref) }.count }
        let originalEvents = events(original.timeline.filter { $0.messageType == 2 }.map { ($0.direction == .incoming, $0.text) })
        XCTAssertGreaterThan(originalEvents, 2)
        XCTAssertEqual(events((replayed.trace ?? []).filter { $0.messageType == 2 }.map { ($0.direction == "in", $0.text) }), originalEvents)
    }

    func testAReplayThatNoLongerMatchesFails() async throws {
        let (yaml, _) = try await recordASession()
        // Pretend the field pile had reported a higher meterStop: the energy expectation no longer holds.
        let tampered = yaml.replacingOccurrences(of: #"\"meterStop\":"#, with: #"\"meterStop\":1"#)
        XCTAssertNotEqual(tampered, yaml)
        let result = try await replay(tampered)
        XCTAssertEqual(result.outcome, .failed)
        XCTAssertTrue(result.failures.contains { $0.contains("energy") }, result.failures.joined(separator: "\n"))
    }

    func until(_ seconds: Double, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        let met = try await condition()
        XCTAssertTrue(met, "condition not met within \(seconds) s")
    }
}
