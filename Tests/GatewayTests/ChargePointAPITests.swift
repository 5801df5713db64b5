import Foundation
import OCPP
import XCTest

final class ChargePointAPITests: XCTestCase {
    func testAPilesFindingsAndMessagesAreReadableOverHTTP() async throws {
        try await GatewayHarness.with() { harness in
            let pile = try await harness.connect("API-1", subprotocols: nil)
            _ = try await pile.boot()
            _ = try await pile.call(V16.Heartbeat.self, .init())
            try await harness.store.flush()

            let findings = try await harness.get("/api/chargepoints/API-1/findings")
            XCTAssertEqual(findings.status, 200)
            let rules = findings.body.arrayValue?.compactMap { $0["rule"]?.stringValue } ?? []
            XCTAssertTrue(rules.contains("transport.missing-subprotocol"), "\(findings.body)")

            let messages = try await harness.get("/api/chargepoints/API-1/messages?limit=3")
            XCTAssertEqual(messages.status, 200)
            let frames = messages.body.arrayValue ?? []
            XCTAssertEqual(frames.count, 3, "the newest three")
            XCTAssertEqual(frames.last?["action"], "Heartbeat")
            XCTAssertEqual(frames.last?["direction"], "out")
            XCTAssertEqual(frames.last?[path: "frame.0"], 3, "the recorded frame is embedded as JSON")

            let bad = try await harness.get("/api/chargepoints/API-1/messages?limit=0")
            XCTAssertEqual(bad.status, 400)
            XCTAssertEqual(bad.body[path: "error.code"], "invalid_limit")
        }
    }
}

final class IdleSocketTests: XCTestCase {
    func testASocketThatNeverCompletesItsHandshakeIsClosedButAnUpgradedOneStays() async throws {
        try await GatewayHarness.with(tweak: { $0.handshakeTimeout = .milliseconds(300) }) { harness in
            let silent = try RawSocket(port: harness.port)
            let pile = try await harness.connect("IDLE-OK")
            _ = try await pile.boot()
            let closed = try await silent.waitForPeerClose(timeout: 5)
            XCTAssertTrue(closed, "a socket silent past the idle timeout is closed")
            try await Task.sleep(for: .milliseconds(600))
            // The WebSocket left the HTTP idle timer behind at its upgrade.
            let answer = try await pile.call(V16.Heartbeat.self, .init())
            XCTAssertLessThan(abs(answer.currentTime.timeIntervalSinceNow), 5)
        }
    }
}
