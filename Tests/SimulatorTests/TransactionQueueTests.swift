import Foundation
import OCPP
import XCTest

@testable import Simulator

final class TransactionQueueTests: XCTestCase {
    private func entry(_ action: String, _ payload: String, local: Int?) -> TransactionQueue.Entry {
        TransactionQueue.Entry(action: action, payload: payload, localTransaction: local)
    }

    private func fill(_ queue: inout TransactionQueue) {
        queue.append(entry("StartTransaction", #"{"connectorId":1,"idTag":"XIAOMI-000001","meterStart":0,"timestamp":"2026-01-01T00:00:00.000Z"}"#, local: 1))
        queue.append(entry("MeterValues", #"{"connectorId":1,"meterValue":[]}"#, local: 1))
        queue.append(entry("StopTransaction", #"{"meterStop":15000,"timestamp":"2026-01-01T00:20:00.000Z","transactionId":0}"#, local: 1))
    }

    func testMessagesLeaveInTheOrderTheyWereQueued() {
        var queue = TransactionQueue()
        XCTAssertTrue(queue.isEmpty)
        XCTAssertNil(queue.headPayload())
        fill(&queue)
        XCTAssertEqual(queue.count, 3)
        var order: [String] = []
        queue.assign(local: 1, id: 42)
        while let head = queue.head {
            XCTAssertNotNil(queue.headPayload())
            order.append(head.action)
            queue.popHead()
        }
        XCTAssertEqual(order, ["StartTransaction", "MeterValues", "StopTransaction"])
        queue.popHead()  // popping an empty queue is harmless
        XCTAssertTrue(queue.isEmpty)
    }

    func testStartTransactionGoesOutAsQueued() throws {
        var queue = TransactionQueue()
        fill(&queue)
        let payload = try XCTUnwrap(queue.headPayload())
        XCTAssertEqual(payload.text, #"{"connectorId":1,"idTag":"XIAOMI-000001","meterStart":0,"timestamp":"2026-01-01T00:00:00.000Z"}"#)
        XCTAssertNil(payload["transactionId"])
    }

    func testTransactionMessageWaitsForItsIdThenCarriesIt() throws {
        var queue = TransactionQueue()
        fill(&queue)
        queue.popHead()  // StartTransaction sent; its answer has not come yet
        XCTAssertEqual(queue.head?.action, "MeterValues")
        XCTAssertNil(queue.headPayload(), "MeterValues must wait for the transaction id")
        queue.assign(local: 2, id: 7)  // another transaction's id does not release it
        XCTAssertNil(queue.headPayload())
        queue.assign(local: 1, id: 42)
        XCTAssertEqual(queue.headPayload()?.text, #"{"connectorId":1,"meterValue":[],"transactionId":42}"#)
        queue.popHead()
        // A placeholder id written before the answer is replaced, not duplicated.
        XCTAssertEqual(queue.headPayload()?.text, #"{"meterStop":15000,"timestamp":"2026-01-01T00:20:00.000Z","transactionId":42}"#)
    }

    func testAMessageWithoutATransactionGoesOutUnchanged() {
        var queue = TransactionQueue()
        queue.append(entry("MeterValues", #"{"connectorId":1,"meterValue":[]}"#, local: nil))
        XCTAssertEqual(queue.headPayload()?.text, #"{"connectorId":1,"meterValue":[]}"#)
    }

    func testQueueKeptInAFileSurvivesANewQueueOnTheSameFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("queue-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        do {
            var queue = TransactionQueue(file: file)
            fill(&queue)
            queue.popHead()
            queue.assign(local: 1, id: 42)
            _ = queue.countAttempt()
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: file))
        var reborn = TransactionQueue(file: file)
        XCTAssertEqual(reborn.count, 2)
        XCTAssertEqual(reborn.entries.map(\.action), ["MeterValues", "StopTransaction"])
        XCTAssertEqual(reborn.head?.attempts, 1)
        XCTAssertEqual(reborn.assigned, [1: 42])
        XCTAssertEqual(reborn.headPayload()?["transactionId"], .integer(42))
        reborn.popHead()
        reborn.popHead()
        XCTAssertTrue(TransactionQueue(file: file).isEmpty, "delivered messages stay delivered")
    }

    func testAQueueWithoutAFileStartsEmptyAndAnUnreadableFileIsIgnored() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("queue-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "not json".write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertTrue(TransactionQueue(file: file).isEmpty)
        XCTAssertTrue(TransactionQueue().isEmpty)
    }

    func testCountAttemptCountsDeliveryAttemptsOfTheHeadOnly() {
        var queue = TransactionQueue()
        XCTAssertEqual(queue.countAttempt(), 0, "nothing to attempt")
        fill(&queue)
        XCTAssertEqual(queue.countAttempt(), 1)
        XCTAssertEqual(queue.countAttempt(), 2)
        XCTAssertEqual(queue.countAttempt(), 3)
        XCTAssertEqual(queue.entries.map(\.attempts), [3, 0, 0])
        queue.popHead()
        XCTAssertEqual(queue.countAttempt(), 1, "the next message starts from zero")
    }
}
