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

/// Ids in API paths are percent-decoded once, as the OCPP path decodes a pile's identity.
final class APIPathDecodingTests: XCTestCase {
    func testPathIdsArePercentDecodedOnceLikeTheOCPPIdentity() async throws {
        try await GatewayHarness.with { harness in
            // The client sends these as /ocpp/PILE%20WITH%20SPACE and /ocpp/100%25-PILE.
            for identity in ["PILE WITH SPACE", "100%-PILE"] {
                let pile = try await harness.connect(identity)
                _ = try await pile.boot()
            }
            try await harness.store.flush()
            XCTAssertEqual(Set(harness.gateway.connectedChargePoints), ["PILE WITH SPACE", "100%-PILE"], "the OCPP path is decoded")

            let detail = try await harness.get("/api/chargepoints/PILE%20WITH%20SPACE")
            XCTAssertEqual(detail.status, 200, "\(detail.body)")
            XCTAssertEqual(detail.body["id"], "PILE WITH SPACE")
            let percent = try await harness.get("/api/chargepoints/100%25-PILE")
            XCTAssertEqual(percent.body["id"], "100%-PILE")
            let messages = try await harness.get("/api/chargepoints/PILE%20WITH%20SPACE/messages")
            XCTAssertEqual(messages.status, 200)
            XCTAssertFalse(messages.body.arrayValue?.isEmpty ?? true, "the pile's frames: \(messages.body)")
            let findings = try await harness.get("/api/chargepoints/100%25-PILE/findings")
            XCTAssertEqual(findings.status, 200)

            // Once, not twice: %2520 is the three characters "%20", not a space.
            let twice = try await harness.get("/api/chargepoints/PILE%2520WITH%2520SPACE")
            XCTAssertEqual(twice.status, 404)
            XCTAssertEqual(twice.body[path: "error.code"], "charge_point_not_found")
            // Session ids are decoded by the same step.
            let session = try await harness.get("/api/sessions/%34%32")
            XCTAssertEqual(session.body[path: "error.code"], "session_not_found", "%34%32 is session 42")
        }
    }

    func testInvalidPercentEncodingInAPathIs400WithTheErrorShape() async throws {
        try await GatewayHarness.with { harness in
            for path in ["/api/chargepoints/BAD%ZZ", "/api/chargepoints/BAD%", "/api/chargepoints/BAD%FF/messages", "/api/sessions/%E2%82"] {
                let answer = try await harness.get(path)
                XCTAssertEqual(answer.status, 400, path)
                XCTAssertEqual(answer.body[path: "error.code"], "invalid_path", path)
                XCTAssertNotNil(answer.body[path: "error.message"]?.stringValue, path)
            }
        }
    }
}
