import EVModel
import Foundation
import NIOPosix
import OCPP
import XCTest

@testable import Simulator

/// A 2.0.1 station's TransactionEvent sequences as they enter its queue, with no central
/// system at all: nothing is sent, so every event stays queued in order (and says offline).
final class V201TransactionSequenceTests: XCTestCase {
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    func station(_ edit: (inout PileProfile) -> Void = { _ in }) throws -> PileHandle {
        var profile = try pile("nio-640-v201")
        edit(&profile)
        // A slow clock: no physics tick or timeout fires while a test runs.
        let context = SimulationContext(endpoint: "ws://127.0.0.1:1/ocpp", clock: VirtualClock(speed: 1))
        return PileHandle(identity: "SEQ-1", profile: profile, context: context, eventLoop: Self.group.next(), seed: 3)
    }

    /// The queued TransactionEvents, parsed.
    func events(_ station: PileHandle) async throws -> [JSON] {
        let texts = try await station.run { $0.queue.entries.filter { $0.action == "TransactionEvent" }.map(\.payload) }
        return try texts.map { try JSONParser.parse($0) }
    }

    func summary(_ events: [JSON]) -> [String] {
        events.map { e in
            [e["eventType"]?.stringValue, e["triggerReason"]?.stringValue, e["transactionInfo"]?["chargingState"]?.stringValue]
                .map { $0 ?? "-" }.joined(separator: " ")
        }
    }

    func testPowerPathClosedStartsOnTheTokenAfterThePlugAndEVConnectedEndsOnTheUnplug() async throws {
        let station = try station()
        let car = try vehicle("su7-max")
        station.execute { $0.plugIn(connector: 1, vehicle: car, soc: 20, targetSoC: 80, idTag: "CARD-1") }
        station.execute { $0.unplug(connector: 1) }
        let events = try await events(station)
        XCTAssertEqual(summary(events), ["Started Authorized Charging", "Ended EVDeparted Idle"])
        XCTAssertEqual(events.map { $0["seqNo"] }, [0, 1])
        XCTAssertEqual(events[0]["evse"], ["id": 1, "connectorId": 1])
        XCTAssertNil(events[1]["evse"], "evse in the first event only")
        XCTAssertEqual(events[0]["idToken"], ["idToken": "CARD-1", "type": "ISO14443"])
        XCTAssertNil(events[1]["idToken"], "the cable ended it, not a token")
        XCTAssertEqual(events[1]["transactionInfo"]?["stoppedReason"], "EVDisconnected")
        XCTAssertEqual(events[0]["transactionInfo"]?["transactionId"], events[1]["transactionInfo"]?["transactionId"])
        XCTAssertTrue(events.allSatisfy { $0["offline"] == true }, "made while disconnected")
        let contexts = events[1]["meterValue"]?.arrayValue?.compactMap { $0["sampledValue"]?.arrayValue?.first?["context"]?.stringValue }
        XCTAssertEqual(contexts, ["Transaction.Begin", "Transaction.End"])
    }

    func testEVConnectedStartPointOpensTheTransactionAtThePlug() async throws {
        let station = try station { $0.txStartPoint = ["EVConnected", "Authorized"] }
        let car = try vehicle("su7-max")
        station.execute { $0.plugIn(connector: 1, vehicle: car, soc: 20, targetSoC: 80) }
        station.execute { $0.swipe(connector: 1, idTag: "CARD-2") }
        station.execute { $0.stopTransaction(connector: 1, cause: .local) }
        let events = try await events(station)
        XCTAssertEqual(summary(events), ["Started CablePluggedIn EVConnected", "Updated Authorized Charging", "Ended StopAuthorized EVConnected"])
        XCTAssertNil(events[0]["idToken"], "no token yet")
        XCTAssertEqual(events[1]["idToken"]?["idToken"], "CARD-2", "the token in the event that learnt it")
        XCTAssertEqual(events[2]["idToken"]?["idToken"], "CARD-2", "the Ended event names the token that stopped it")
        XCTAssertEqual(events.map { $0["seqNo"] }, [0, 1, 2])
    }

    func testAuthorizedStartPointOpensTheTransactionBeforeTheCable() async throws {
        let station = try station { $0.txStartPoint = ["Authorized"] }
        let car = try vehicle("su7-max")
        station.execute { $0.swipe(connector: 1, idTag: "CARD-3") }
        station.execute { $0.plugIn(connector: 1, vehicle: car, soc: 20, targetSoC: 80) }
        let events = try await events(station)
        XCTAssertEqual(summary(events), ["Started Authorized Idle", "Updated CablePluggedIn Charging"])
        let charging = try await station.run { $0.session(on: 1)?.transaction != nil }
        XCTAssertTrue(charging, "the power path closed on the plug")
    }

    func testEVConnectedStopPointAloneKeepsTheTransactionUntilTheCableLeaves() async throws {
        let station = try station { $0.txStopPoint = ["EVConnected"] }
        let car = try vehicle("su7-max")
        station.execute { $0.plugIn(connector: 1, vehicle: car, soc: 20, targetSoC: 80, idTag: "CARD-4") }
        station.execute { $0.stopTransaction(connector: 1, cause: .remote) }
        let mid = try await events(station)
        XCTAssertEqual(summary(mid), ["Started Authorized Charging", "Updated RemoteStop EVConnected"])
        station.execute { $0.unplug(connector: 1) }
        let events = try await events(station)
        XCTAssertEqual(summary(events).last, "Ended EVDeparted Idle")
        XCTAssertEqual(events.last?["transactionInfo"]?["stoppedReason"], "Remote", "why the energy stopped")
    }

    func testEachTransactionHasItsOwnIdAndCountsFromZero() async throws {
        let station = try station()
        let car = try vehicle("su7-max")
        for tag in ["A", "B"] {
            station.execute { $0.plugIn(connector: 1, vehicle: car, soc: 20, targetSoC: 80, idTag: tag) }
            station.execute { $0.unplug(connector: 1) }
        }
        let events = try await events(station)
        XCTAssertEqual(events.map { $0["seqNo"] }, [0, 1, 0, 1])
        let ids = events.compactMap { $0["transactionInfo"]?["transactionId"]?.stringValue }
        XCTAssertEqual(Set(ids).count, 2)
        XCTAssertTrue(ids.allSatisfy { $0.count <= 36 }, "identifierString of at most 36")
    }

    func testARemoteStartIsEchoedOnceAndAnsweredRejectedWhenTheEVSEIsBusy() async throws {
        let station = try station()
        let car = try vehicle("su7-max")
        station.execute { $0.plugIn(connector: 1, vehicle: car, soc: 20, targetSoC: 80) }
        let first = try await station.run { pile in
            pile.registration = .Accepted
            return pile.requestStart201(.init(idToken: .init(idToken: "APP", type: .central), remoteStartId: 77, evseId: 1)).status
        }
        XCTAssertEqual(first, .accepted)
        try await Task.sleep(nanoseconds: 50_000_000)
        let busy = try await station.run { $0.requestStart201(.init(idToken: .init(idToken: "APP2", type: .central), remoteStartId: 78, evseId: 1)).status }
        XCTAssertEqual(busy, .rejected)
        station.execute { $0.stopTransaction(connector: 1, cause: .remote) }
        let events = try await events(station)
        XCTAssertEqual(summary(events), ["Started RemoteStart Charging", "Ended RemoteStop EVConnected"])
        XCTAssertEqual(events[0]["transactionInfo"]?["remoteStartId"], 77)
        XCTAssertNil(events[1]["transactionInfo"]?["remoteStartId"], "echoed in the event that follows the request only")
        XCTAssertEqual(events[0]["idToken"], ["idToken": "APP", "type": "Central"])
        XCTAssertEqual(events[1]["transactionInfo"]?["stoppedReason"], "Remote")
    }
}
