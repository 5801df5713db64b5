import Foundation
import Gateway
import NIOPosix
import OCPP
import OCPPWebSocket
import SessionStore
import XCTest

/// Schema-valid frames with values no real pile sends: the gateway answers each as the
/// spec says, records a finding, keeps every number bounded, and keeps serving the other
/// piles (a canary heartbeats throughout and must see every reply).
final class HostileValueTests: XCTestCase {
    /// The demo's tariffs, so billing walks every stop.
    func pricedConfiguration() throws -> GatewayConfiguration {
        var configuration = try ScanFixtures.configuration([])
        configuration.chargePoints = []
        return configuration
    }

    func testMeterStartAtInt64MinimumIsBoundedAndTheGatewayKeepsServing() async throws {
        try await GatewayHarness.with(try pricedConfiguration()) { harness in
            let canary = try await Canary.start(harness)
            let pile = try await harness.connect("HOSTILE-1")
            _ = try await pile.boot()
            let now = OCPPTimestamp.format(Date())
            pile.peer.sendRaw(#"[2,"st-1","StartTransaction",{"connectorId":1,"idTag":"T1","meterStart":-9223372036854775808,"timestamp":"\#(now)"}]"#)
            let start = try await harness.reply(from: pile, to: "st-1")
            XCTAssertEqual(start.first?.intValue, 3, "acknowledged: \(start)")
            let transactionId = try XCTUnwrap(start.last?["transactionId"]?.intValue)
            pile.peer.sendRaw(#"[2,"sp-1","StopTransaction",{"transactionId":\#(transactionId),"meterStop":1,"timestamp":"\#(now)"}]"#)
            let stop = try await harness.reply(from: pile, to: "sp-1")
            XCTAssertEqual(stop.first?.intValue, 3, "acknowledged: \(stop)")
            // Below 0 is the meter family's rule, not value.out-of-range (kept for values above the bound).
            let finding = try await harness.finding("meter.negative-register", for: "HOSTILE-1", messageId: "st-1")
            XCTAssertTrue(finding.detail.contains("-9223372036854775808"), finding.detail)
            let session = await harness.sessionView(transactionId)
            XCTAssertEqual(session["meterStartWh"], 0, "bounded to the range: \(session)")
            XCTAssertEqual(session["energyWh"], 1)
            try await canary.finish()
        }
    }

    func testAHugeSampledValueIsNotStoredAndActiveSessionsStillRead() async throws {
        try await GatewayHarness.with(try pricedConfiguration()) { harness in
            let canary = try await Canary.start(harness)
            let pile = try await harness.connect("HOSTILE-2")
            _ = try await pile.boot()
            let started = try await pile.call(V16.StartTransaction.self, .init(connectorId: 1, idTag: "T2", meterStart: 1000, timestamp: Date()))
            let now = OCPPTimestamp.format(Date())
            for (i, value) in ["1e308", "-1e308", "1e13", "-0", "1e-320"].enumerated() {
                pile.peer.sendRaw(
                    #"[2,"mv-\#(i)","MeterValues",{"connectorId":1,"transactionId":\#(started.transactionId),"meterValue":[{"timestamp":"\#(now)","sampledValue":[{"value":"\#(value)","measurand":"Energy.Active.Import.Register","unit":"kWh"}]}]}]"#)
                let reply = try await harness.reply(from: pile, to: "mv-\(i)")
                XCTAssertEqual(reply.first?.intValue, 3, "acknowledged in lenient mode: \(reply)")
            }
            _ = try await harness.finding("value.out-of-range", for: "HOSTILE-2", messageId: "mv-0")
            _ = try await harness.finding("meter.negative-register", for: "HOSTILE-2", messageId: "mv-1")
            let samples = try await harness.store.samples(sessionId: Int64(started.transactionId))
            XCTAssertTrue(samples.allSatisfy { WireBounds.isEnergyRegister($0.value) }, "\(samples.map(\.value))")
            let active = await harness.api("GET", "/api/sessions?status=active")
            XCTAssertEqual(active.status, 200, active.text)
            XCTAssertEqual(active.json.arrayValue?.count, 1)
            try await canary.finish()
        }
    }

    func testStrictPolicyAnswersAnOutOfRangeReadingWithPropertyConstraintViolation() async throws {
        var configuration = GatewayConfiguration()
        configuration.validation = .strict
        try await GatewayHarness.with(configuration) { harness in
            let pile = try await harness.connect("HOSTILE-STRICT")
            _ = try await pile.boot()
            let now = OCPPTimestamp.format(Date())
            pile.peer.sendRaw(
                #"[2,"mv-s","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":"\#(now)","sampledValue":[{"value":"1e308"}]}]}]"#)
            let refused = try await harness.reply(from: pile, to: "mv-s")
            assertCallError(refused, id: "mv-s", code: "PropertyConstraintViolation")
            // StopTransaction must be acknowledged whatever it holds: bounded, never refused.
            pile.peer.sendRaw(#"[2,"sp-s","StopTransaction",{"transactionId":77,"meterStop":-5,"timestamp":"\#(now)"}]"#)
            let stop = try await harness.reply(from: pile, to: "sp-s")
            XCTAssertEqual(stop.first?.intValue, 3)
        }
    }

    func testAFarFutureStopIsAnsweredAndReadAsTheReceiveTime() async throws {
        try await GatewayHarness.with(try pricedConfiguration()) { harness in
            let canary = try await Canary.start(harness)
            let pile = try await harness.connect("HOSTILE-3")
            _ = try await pile.boot()
            let started = try await pile.call(V16.StartTransaction.self, .init(connectorId: 1, idTag: "T3", meterStart: 0, timestamp: Date()))
            pile.peer.sendRaw(
                #"[2,"sp-3","StopTransaction",{"transactionId":\#(started.transactionId),"meterStop":5000,"timestamp":"9999-12-31T23:59:59Z"}]"#)
            let stop = try await harness.reply(from: pile, to: "sp-3", timeout: 10)
            XCTAssertEqual(stop.first?.intValue, 3, "answered: \(stop)")
            _ = try await harness.finding("value.timestamp-out-of-window", for: "HOSTILE-3", messageId: "sp-3")
            let stored = try await harness.store.session(id: Int64(started.transactionId))
            let session = try XCTUnwrap(stored?.session)
            XCTAssertLessThan(abs(try XCTUnwrap(session.stopTime).timeIntervalSinceNow), 60, "read as the receive time")
            let receipt = await harness.api("GET", "/api/sessions/\(started.transactionId)/receipt")
            XCTAssertEqual(receipt.status, 200, receipt.text)
            try await canary.finish()
        }
    }

    func testAConnectorIdNoPileCanHaveIsRefused() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("HOSTILE-4")
            _ = try await pile.boot()
            pile.peer.sendRaw(#"[2,"sn-4","StatusNotification",{"connectorId":9223372036854775807,"errorCode":"NoError","status":"Available"}]"#)
            let refused = try await harness.reply(from: pile, to: "sn-4")
            assertCallError(refused, id: "sn-4", code: "PropertyConstraintViolation")
            _ = try await harness.finding("value.out-of-range", for: "HOSTILE-4", messageId: "sn-4")
            _ = try await pile.call(V16.Heartbeat.self, .init())
        }
    }

    /// Rows written before the gateway bounded its input (or by hand) hold anything: every
    /// view of them answers, with the impossible values shown as they are.
    func testEveryAPIViewReadsRowsWithImpossibleValues() async throws {
        try await GatewayHarness.with(try pricedConfiguration()) { harness in
            let pile = try await harness.connect("POISONED")
            _ = try await pile.boot()
            let started = try await pile.call(V16.StartTransaction.self, .init(connectorId: 1, idTag: "T5", meterStart: 0, timestamp: Date()))
            let done = try await pile.call(V16.StartTransaction.self, .init(connectorId: 2, idTag: "T6", meterStart: 0, timestamp: Date()))
            _ = try await pile.call(V16.StopTransaction.self, .init(meterStop: 10, timestamp: Date(), transactionId: done.transactionId))
            try await harness.store.flush()
            let db = try SQLiteDatabase(path: harness.databasePath)
            let active = Int64(started.transactionId)
            let completed = Int64(done.transactionId)
            try db.run("UPDATE sessions SET meter_start = ?, start_time = ? WHERE id = ?", [.integer(.min), .real(-1e15), .integer(active)])
            try db.run(
                "UPDATE sessions SET meter_start = ?, meter_stop = ?, energy_wh = ?, stop_time = ?, cost_fen = ? WHERE id = ?",
                [.integer(.min), .integer(.max), .integer(.max), .real(2.5e11), .integer(.max), .integer(completed)])
            for (time, value) in [(1e300, 1e308), (-1e300, -1e308), (2.5e11, 1e15), (0, 3e12)] {
                for session in [active, completed] {
                    try db.run(
                        """
                        INSERT INTO meter_samples(session_id, charge_point_id, connector_id, time, measurand, value, unit, context)
                        VALUES(?, 'POISONED', 1, ?, 'Energy.Active.Import.Register', ?, 'Wh', 'Sample.Periodic')
                        """, [.integer(session), .real(time), .real(value)])
                    try db.run(
                        """
                        INSERT INTO meter_samples(session_id, charge_point_id, connector_id, time, measurand, value, unit, context)
                        VALUES(?, 'POISONED', 1, ?, 'SoC', ?, 'Percent', 'Sample.Periodic')
                        """, [.integer(session), .real(time), .real(value)])
                }
            }
            try db.run("UPDATE connectors SET since = ? WHERE charge_point_id = 'POISONED'", [.real(1e300)])
            // The operator's tables: impossible times, latencies, ids and words.
            try db.run(
                """
                INSERT INTO operator_commands(charge_point_id, time, issued_by, ocpp_version, action, payload, outcome, latency_ms)
                VALUES('POISONED', 1e300, 'x', '9.9', 'Reset', 'not json', 'no-such-outcome', -1e308)
                """)
            try db.run(
                "INSERT INTO pile_notices(charge_point_id, time, kind, status, request_id, ocpp_version) VALUES('POISONED', -1e300, 'weather', '', ?, '')",
                [.integer(.min)])
            try db.run(
                """
                INSERT INTO reservations(charge_point_id, connector_id, id_tag, expiry, status, created_at, ocpp_version, session_id)
                VALUES('POISONED', ?, '', 1e300, 'unheard-of', -1e300, '', ?)
                """, [.integer(.max), .integer(.min)])
            let views = [
                "/api/sessions", "/api/sessions?status=active", "/api/sessions?status=completed", "/api/sessions/\(active)",
                "/api/sessions/\(completed)", "/api/sessions/\(active)/receipt", "/api/sessions/\(completed)/receipt",
                "/api/chargepoints", "/api/chargepoints/POISONED", "/api/chargepoints/POISONED/findings",
                "/api/chargepoints/POISONED/messages", "/api/compatibility", "/api/findings", "/metrics",
                "/api/chargepoints/POISONED/commands", "/api/chargepoints/POISONED/notices", "/api/reservations", "/api/reservations?chargePoint=POISONED",
                "/piles/POISONED",
            ]
            for path in views {
                let reply = await harness.api("GET", path)
                XCTAssertEqual(reply.status, 200, "\(path): \(reply.text.prefix(300))")
            }
            // A restart on the same rows reads them too (restoreState, the live figures).
            try await harness.gateway.restoreState()
            let again = await harness.api("GET", "/api/sessions?status=active")
            XCTAssertEqual(again.status, 200, again.text)
        }
    }
}

/// A well-behaved pile that heartbeats beside a test: every Heartbeat must be answered,
/// whatever the other piles send.
final class Canary: Sendable {
    let task: Task<Int, any Error>

    private init(task: Task<Int, any Error>) { self.task = task }

    static func start(_ harness: GatewayHarness) async throws -> Canary {
        let pile = try await harness.connect("CANARY-\(UUID().uuidString.prefix(8))")
        _ = try await pile.boot()
        let task = Task {
            var answered = 0
            while !Task.isCancelled && answered < 10_000 {
                _ = try await pile.call(V16.Heartbeat.self, .init())
                answered += 1
                try? await Task.sleep(for: .milliseconds(50))
            }
            return answered
        }
        return Canary(task: task)
    }

    /// Stops the heartbeats; throws if any went unanswered.
    func finish(file: StaticString = #filePath, line: UInt = #line) async throws {
        task.cancel()
        let answered = try await task.value
        XCTAssertGreaterThan(answered, 0, "the canary was answered", file: file, line: line)
    }
}
