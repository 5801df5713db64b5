import Foundation
import OCPP
import XCTest

@testable import OCPPWebSocket

/// The RPC layer's view of the peer's unanswered CALLs, behind rpc.overlapping-call: a peer
/// that waits is never reported, a resend is not an overlap, and the list stays bounded.
final class UnansweredCallsTests: XCTestCase {
    private func call(_ id: String, _ action: String = "Heartbeat") -> IncomingCall {
        IncomingCall(messageId: id, action: action, payload: .object(JSONObject()), receivedAt: Date())
    }

    func testAPeerThatWaitsForEachAnswerIsNeverReported() {
        var calls = UnansweredCalls()
        for index in 0..<100 {
            XCTAssertNil(calls.received(call("c\(index)")))
            calls.answered("c\(index)")
        }
    }

    func testACallBeforeTheAnswerNamesTheOldestUnansweredOne() {
        var calls = UnansweredCalls()
        XCTAssertNil(calls.received(call("start", "StartTransaction")))
        XCTAssertEqual(calls.received(call("status", "StatusNotification"))?.messageId, "start")
        XCTAssertEqual(calls.received(call("meter", "MeterValues"))?.action, "StartTransaction")
        calls.answered("start")
        XCTAssertEqual(calls.received(call("heartbeat"))?.messageId, "status", "the next oldest")
        calls.answered("status")
        calls.answered("meter")
        calls.answered("heartbeat")
        XCTAssertNil(calls.received(call("later")), "everything was answered")
    }

    func testAResendUnderTheSameIdIsNoOverlap() {
        var calls = UnansweredCalls()
        XCTAssertNil(calls.received(call("start", "StartTransaction")))
        XCTAssertNil(calls.received(call("start", "StartTransaction")))
        XCTAssertNotNil(calls.received(call("other")))
        XCTAssertNil(calls.received(call("other")), "a resend of a later unanswered one")
    }

    func testAPeerThatNeverWaitsStaysBounded() {
        var calls = UnansweredCalls()
        for index in 0..<1_000 { _ = calls.received(call("c\(index)")) }
        // The oldest is kept; of the rest only the latest capacity - 1.
        for index in 1..<(1_000 - UnansweredCalls.capacity + 1) { calls.answered("c\(index)") }
        calls.answered("c0")
        XCTAssertEqual(calls.received(call("probe"))?.messageId, "c\(1_000 - UnansweredCalls.capacity + 1)")
    }
}
