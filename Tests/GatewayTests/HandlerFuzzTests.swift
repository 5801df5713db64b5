import Foundation
import Gateway
import OCPP
import OCPPWebSocket
import SessionStore
import WireFuzz
import XCTest

/// Hostile CALLs of every action a pile sends, over real loopback WebSockets to a gateway
/// with tariffs: every well-formed CALL gets a CALLRESULT or a CALLERROR, the process
/// keeps serving (a canary heartbeats throughout), and every API view reads what was
/// stored. `PILEGATE_FUZZ_CASES` sets the number of CALLs (default 800);
/// `PILEGATE_FUZZ_SEED` replays a run.
final class HandlerFuzzTests: XCTestCase {
    static var cases: Int { ProcessInfo.processInfo.environment["PILEGATE_FUZZ_CASES"].flatMap(Int.init).map { $0 * 8 } ?? 800 }
    static var seed: UInt64 { ProcessInfo.processInfo.environment["PILEGATE_FUZZ_SEED"].flatMap(UInt64.init) ?? 0xF022 }

    /// What piles of `catalog`'s version send, plus actions of profiles we do not serve,
    /// the other version's, and names no version has.
    static func actions(_ catalog: ActionCatalog) -> [(name: String, schema: Schema)] {
        var actions: [(String, Schema)] = catalog.names.compactMap { name in
            guard let action = catalog[name], action.initiator != .centralSystem else { return nil }
            return (name, requestSchema(action))
        }
        actions += [
            ("FirmwareStatusNotification", .emptyObject), ("StartTransaction", .emptyObject), ("TransactionEvent", .emptyObject),
            ("NoSuchAction", .emptyObject), ("", .emptyObject),
        ]
        return actions
    }

    static func requestSchema<A: OCPPAction>(_ action: A.Type) -> Schema { A.Request.schema }

    /// The CALLRESULT or CALLERROR for `id`, polled closely (the gateway answers in about a millisecond).
    static func answer(from pile: TestChargePoint, to id: String, within seconds: Double) async -> [JSON]? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let reply = pile.reply(to: id) { return reply }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return nil
    }

    func testHostileCallsOfEvery16ActionAreAllAnsweredAndEveryViewStillReads() async throws {
        try await fuzz(catalog: V16.catalog, subprotocol: "ocpp1.6", seed: Self.seed)
    }

    func testHostileCallsOfEvery201ActionAreAllAnsweredAndEveryViewStillReads() async throws {
        try await fuzz(catalog: V201.catalog, subprotocol: "ocpp2.0.1", seed: Self.seed ^ 0x201)
    }

    func fuzz(catalog: ActionCatalog, subprotocol: String, seed: UInt64) async throws {
        let actions = Self.actions(catalog)
        var configuration = try ScanFixtures.configuration([])
        configuration.sessionReconcileGrace = 0.2
        try await GatewayHarness.with(configuration) { harness in
            let canary = try await Canary.start(harness)
            var generator = HostileFrames(seed: seed)
            var piles: [TestChargePoint] = []
            for i in 0..<4 {
                piles.append(try await harness.connect("FUZZ-\(i)", subprotocols: [subprotocol]))
            }
            var transactions: [Int64] = []
            var answered = 0
            let started = Date()
            for i in 0..<Self.cases {
                let slot = generator.below(piles.count)
                if piles[slot].isClosed || piles[slot].closeCodes.contains(where: { !$0.isEmpty }) {
                    piles[slot] = try await harness.connect("FUZZ-\(slot)", subprotocols: [subprotocol])
                }
                let pile = piles[slot]
                let (name, schema) = generator.pick(actions) ?? ("Heartbeat", .emptyObject)
                let id = "fz-\(i)"
                var (text, answerId) = generator.call(id: id, action: name, schema: schema)
                // Half the meter values and stops name a transaction that exists.
                if answerId != nil, name == "MeterValues" || name == "StopTransaction", let known = generator.pick(transactions),
                    generator.chance(50), var frame = try? JSONParser.parse(text).arrayValue, case .object(var payload)? = frame.last
                {
                    payload["transactionId"] = .integer(known)
                    frame[3] = .object(payload)
                    text = JSON.array(frame).text
                }
                pile.peer.sendRaw(text)
                // Beyond the size limit the message is refused unread (close 1009): no answer is
                // owed, and the next CALL goes on a new connection.
                if text.utf8.count > configuration.maxMessageSize {
                    let closed = try await harness.eventually(5) { pile.isClosed }
                    XCTAssertTrue(closed, "an oversized message closes the connection")
                    continue
                }
                guard let answerId else { continue }
                guard let reply = await Self.answer(from: pile, to: answerId, within: 10) else {
                    XCTFail("no answer within 10 s to \(text.count) bytes: \(text.prefix(300)) … \(text.suffix(600))")
                    break
                }
                answered += 1
                XCTAssertTrue([3, 4].contains(reply.first?.intValue ?? 0), "\(name): \(reply)")
                if name == "StartTransaction", let tx = reply.last?["transactionId"]?.intValue { transactions.append(tx) }
            }
            let rate = Double(Self.cases) / max(Date().timeIntervalSince(started), 1e-6)
            print("handler fuzz \(subprotocol): \(Self.cases) CALLs (seed \(seed)), \(answered) owed an answer and got one, \(Int(rate)) CALLs/s")
            try await canary.finish()
            try await harness.store.flush()
            for path in [
                "/api/sessions", "/api/sessions?status=active", "/api/chargepoints", "/api/chargepoints/FUZZ-0", "/api/compatibility",
                "/api/findings", "/metrics",
            ] + transactions.prefix(20).flatMap({ ["/api/sessions/\($0)", "/api/sessions/\($0)/receipt"] }) {
                let reply = await harness.api("GET", path)
                XCTAssertTrue([200, 404].contains(reply.status), "\(path): \(reply.status) \(reply.text.prefix(300))")
            }
        }
    }
}
