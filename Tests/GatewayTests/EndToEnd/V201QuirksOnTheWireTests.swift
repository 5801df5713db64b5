import Foundation
import Gateway
import OCPP
import OCPPWebSocket
import SessionStore
import Simulator
import XCTest

/// Each 2.0.1 quirk of the catalogue, seen in the TransactionEvents the gateway recorded,
/// and the finding the gateway made of it where a `txevent.*` rule exists.
final class V201QuirksOnTheWireTests: SimulationTestCase {
    struct Run {
        var events: [JSON]
        var frames: [String]
        var findings: [String]
        /// The gateway's sessions of the station, oldest first.
        var sessions: [SessionRecord] = []
    }

    /// Runs sessions (`sessions` of them, one after the other) on a 2.0.1 station with `quirk`.
    func run(
        _ quirks: [V201Quirk], sessions count: Int = 1, edit: (inout PileProfile) -> Void = { _ in },
        during: ((GatewayHarness, PileHandle, String) async throws -> Void)? = nil
    ) async throws -> Run {
        var result = Run(events: [], frames: [], findings: [])
        try await withHarness { harness in
            let id = "Q2-\(quirks.first?.rawValue ?? "none")".prefix(40).description
            let pile = try await startPile(harness, "nio-640-v201", identity: id) { profile in
                profile.v201Quirks = quirks
                edit(&profile)
            }
            let car = try vehicle("su7-max")
            for n in 1...count {
                pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 40, targetSoC: 70, idTag: "XIAOMI-Q\(n)") }
                _ = try await harness.eventually(10) { try await pile.run { $0.transactionId201(evse: 1) != nil } }
                if n == 1, let during { try await during(harness, pile, id) }
                _ = try await harness.eventually(15) { try await pile.run { $0.transactionId201(evse: 1) == nil && $0.queuedMessages == 0 } }
                pile.execute { $0.unplug(connector: 1) }
                _ = try await harness.eventually(5) { try await pile.run { $0.queuedMessages == 0 } }
            }
            try await harness.store.flush()
            let frames = try await frames(harness, id).filter { $0.direction == .incoming }
            result.frames = frames.map(\.text)
            result.events = frames.filter { $0.action == "TransactionEvent" }.compactMap { try? JSONParser.parse($0.text).arrayValue?.last }
            result.findings = try await harness.store.findings(chargePointId: id, limit: 1000).map(\.rule)
            result.sessions = try await harness.store.sessions(chargePointId: id, status: nil, limit: 10).sorted { $0.id < $1.id }
        }
        return result
    }

    func testSeqNoGap() async throws {
        let run = try await run([.seqNoGap])
        XCTAssertEqual(run.events.prefix(2).map { $0["seqNo"] }, [0, 2])
        XCTAssertTrue(run.findings.contains("txevent.seqno-gap"), "\(run.findings)")
    }

    func testEvseMissing() async throws {
        let run = try await run([.evseMissing])
        XCTAssertTrue(run.events.allSatisfy { $0["evse"] == nil })
        XCTAssertTrue(run.findings.contains("txevent.evse-missing"), "\(run.findings)")
    }

    func testEvseInEveryEvent() async throws {
        let run = try await run([.evseInEveryEvent])
        XCTAssertGreaterThan(run.events.count, 1)
        XCTAssertTrue(run.events.allSatisfy { $0["evse"]?["id"] == 1 })
        XCTAssertTrue(run.findings.contains("txevent.evse-repeated"), "\(run.findings)")
    }

    func testTransactionIdReused() async throws {
        let run = try await run([.transactionIdReused], sessions: 2)
        let starts = run.events.filter { $0["eventType"] == "Started" }
        XCTAssertEqual(starts.count, 2)
        guard starts.count == 2 else { return }
        XCTAssertEqual(starts[0]["transactionInfo"]?["transactionId"], starts[1]["transactionInfo"]?["transactionId"])
        XCTAssertTrue(run.findings.contains("txevent.transaction-id-reused"), "the second transaction under an ended one's id: \(run.findings)")
        // Two sessions, each with its own tag and energy; the ended one's reference moved aside.
        XCTAssertEqual(run.sessions.map(\.idTag), ["XIAOMI-Q1", "XIAOMI-Q2"])
        XCTAssertEqual(run.sessions.map(\.status), [.completed, .completed])
        XCTAssertTrue(run.sessions.allSatisfy { ($0.energyWh ?? 0) > 0 }, "\(run.sessions.map(\.energyWh))")
        let ref = starts[1]["transactionInfo"]?["transactionId"]?.stringValue
        XCTAssertEqual(run.sessions.last?.transactionRef, ref)
        XCTAssertEqual(run.sessions.first?.transactionRef, ref.map { "\($0)@\(run.sessions[0].id)" })
    }

    func testMeterValuesOnlyInEnded() async throws {
        let run = try await run([.meterValuesOnlyInEnded])
        XCTAssertTrue(run.events.filter { $0["eventType"] != "Ended" }.allSatisfy { $0["meterValue"] == nil })
        XCTAssertNotNil(run.events.last?["meterValue"])
    }

    func testStaleTriggerReason() async throws {
        // Started by the cable: the Ended event says CablePluggedIn too.
        let run = try await run([.staleTriggerReason]) { $0.txStartPoint = ["EVConnected"] }
        XCTAssertEqual(run.events.first?["triggerReason"], "CablePluggedIn")
        XCTAssertEqual(run.events.last?["eventType"], "Ended")
        XCTAssertEqual(run.events.last?["triggerReason"], "CablePluggedIn")
        XCTAssertTrue(run.findings.contains("txevent.trigger-inconsistent"), "\(run.findings)")
    }

    func testUpdatedAfterEnded() async throws {
        let run = try await run([.updatedAfterEnded])
        let ended = try XCTUnwrap(run.events.firstIndex { $0["eventType"] == "Ended" })
        XCTAssertEqual(run.events.dropFirst(ended + 1).first?["eventType"], "Updated")
        XCTAssertTrue(run.findings.contains("txevent.event-after-ended"), "\(run.findings)")
    }

    func testSeqNoRestartAtReconnect() async throws {
        let run = try await run([.seqNoRestartAtReconnect], during: { harness, pile, id in
            pile.execute { $0.dropConnection() }
            _ = try await harness.eventually(10) {
                try await harness.store.flush()
                return try await self.frames(harness, id).filter { $0.direction == .incoming && $0.action == "StatusNotification" }.count >= 3
            }
        })
        let zeros = run.events.filter { $0["seqNo"] == 0 }
        XCTAssertGreaterThanOrEqual(zeros.count, 2, "seqNo 0 again after the reconnect")
        XCTAssertEqual(Set(zeros.map { $0["transactionInfo"]?["transactionId"] }).count, 1, "in the same transaction")
        XCTAssertTrue(run.findings.contains("txevent.seqno-repeated"), "\(run.findings)")
    }

    func testOfflineFlagMissing() async throws {
        let run = try await run([.offlineFlagMissing], during: { harness, pile, id in
            pile.execute { $0.dropConnection(offlineFor: 180) }
            _ = try await harness.eventually(10) { try await pile.run { !$0.isConnected && $0.queuedMessages >= 1 } }
            _ = try await harness.eventually(10) { try await pile.run { $0.isConnected && $0.queuedMessages == 0 } }
        })
        XCTAssertGreaterThan(run.events.count, 3)
        XCTAssertTrue(run.events.allSatisfy { $0["offline"] == nil }, "replayed events say nothing of being offline")
    }

    func testNoIdTokenAfterRemoteStart() async throws {
        try await withHarness { harness in
            let id = "Q2-no-id-token"
            let pile = try await startPile(harness, "nio-640-v201", identity: id) { $0.v201Quirks = [.noIdTokenAfterRemoteStart] }
            let car = try vehicle("su7-max")
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 40, targetSoC: 70) }
            let answer = try await harness.gateway.call(
                id, V201.RequestStartTransaction.self, .init(idToken: .init(idToken: "APP-1", type: .central), remoteStartId: 5, evseId: 1))
            XCTAssertEqual(answer.status, .accepted)
            _ = try await harness.eventually(15) { try await self.sessions(harness, id).first?.status == .completed }
            try await harness.store.flush()
            let events = try await frames(harness, id).filter { $0.direction == .incoming && $0.action == "TransactionEvent" }.map(\.text)
            XCTAssertFalse(events.isEmpty)
            XCTAssertTrue(events.allSatisfy { !$0.contains("idToken") }, "no event names the token")
            XCTAssertTrue(events.first?.contains(#""remoteStartId":5"#) ?? false)
        }
    }

    func testPayloadQuirksOf16ApplyTo201StationsToo() async throws {
        let run = try await run([]) { $0.quirks = [.timestampWithoutZone] }
        XCTAssertTrue(run.frames.contains { $0.range(of: #""timestamp":"[0-9-]+T[0-9:]+\.[0-9]{3}""#, options: .regularExpression) != nil })
        XCTAssertTrue(run.findings.contains("payload.timestamp-off-spec"), "\(run.findings)")
    }

    func testEveryV201QuirkHasATestHere() {
        let tested: Set<V201Quirk> = [
            .seqNoGap, .evseMissing, .evseInEveryEvent, .transactionIdReused, .meterValuesOnlyInEnded, .staleTriggerReason,
            .updatedAfterEnded, .seqNoRestartAtReconnect, .offlineFlagMissing, .noIdTokenAfterRemoteStart,
        ]
        XCTAssertEqual(tested, Set(V201Quirk.allCases))
    }
}
