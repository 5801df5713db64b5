import Foundation
import Gateway
import OCPP
import OCPPWebSocket
import SessionStore
import XCTest

/// Who may connect, what the handshake answers, one connection per identity, keepalive,
/// and the plain HTTP answers on the same port.
final class ConnectionTests: XCTestCase {
    // MARK: One connection per identity

    func testASecondConnectionWithTheSameIdentityReplacesTheFirst() async throws {
        try await GatewayHarness.with { harness in
            let first = try await harness.connect("TWIN-1")
            _ = try await first.boot()
            let second = try await harness.connect("TWIN-1")

            let firstClosed = try await harness.eventually(5) { first.isClosed }
            XCTAssertTrue(firstClosed, "the replaced connection is closed; events: \(first.events)")
            XCTAssertEqual(first.closeCodes, ["policyViolation"])

            // The gateway's handle now reaches the second connection.
            second.respond(to: "Reset", with: ["status": "Accepted"])
            let status = try await harness.gateway.reset("TWIN-1", type: .Soft, timeout: .seconds(2))
            XCTAssertEqual(status, .Accepted)
            XCTAssertEqual(second.received.map(\.action), ["Reset"])
            XCTAssertEqual(first.received.map(\.action), [])

            // The old socket's close did not unregister or mark offline the new one (docs/ocpp-notes.md, pitfall 10).
            _ = try await second.boot()
            _ = try await second.call(V16.Heartbeat.self, .init())
            XCTAssertEqual(harness.gateway.connectedChargePoints, ["TWIN-1"])
            try await harness.store.flush()
            let stored = try await harness.store.chargePoint(id: "TWIN-1")
            XCTAssertEqual(stored?.chargePoint.connected, true)
            let health = try await harness.get("/health")
            XCTAssertEqual(health.body[path: "connectedChargePoints"], 1)
        }
    }

    // MARK: Handshake answers

    private func handshake(_ harness: GatewayHarness, _ identity: String, subprotocols: String? = "ocpp1.6", authorization: String? = nil)
        async throws -> (status: Int, response: String)
    {
        // A 101 leaves the socket open: read for a moment only.
        try await RawHTTP.request(
            port: harness.port, RawSocket.upgradeRequest(identity: identity, subprotocols: subprotocols, authorization: authorization),
            readFor: 0.3)
    }

    func testUnknownIdentityIsRefusedWith404WhenUnknownPilesAreRefused() async throws {
        var configuration = GatewayConfiguration()
        configuration.unknownChargePoints = .refuse
        configuration.chargePoints = [.init(id: "KNOWN-1")]
        try await GatewayHarness.with(configuration) { harness in
            let (status, response) = try await handshake(harness, "STRANGER-1")
            XCTAssertEqual(status, 404, response)
            XCTAssertTrue(response.contains("STRANGER-1"), response)
            let known = try await handshake(harness, "KNOWN-1")
            XCTAssertEqual(known.status, 101, known.response)
            XCTAssertEqual(harness.gateway.connectedChargePoints.contains("STRANGER-1"), false)
        }
    }

    func testPileWithAPasswordNeedsTheRightBasicCredentials() async throws {
        var configuration = GatewayConfiguration()
        configuration.chargePoints = [
            .init(id: "SECURE-1", password: "s3cret-password-1"),
            // An AuthorizationKey set as hex; the pile sends the bytes it encodes (docs/ocpp-notes.md, pitfall 13).
            .init(id: "SECURE-2", password: "41424344454647484950515253545556"),
        ]
        try await GatewayHarness.with(configuration) { harness in
            let missing = try await handshake(harness, "SECURE-1")
            XCTAssertEqual(missing.status, 401, missing.response)
            XCTAssertTrue(missing.response.contains("WWW-Authenticate: Basic"), missing.response)

            let wrong = try await handshake(
                harness, "SECURE-1", authorization: RawSocket.basicAuthorization(identity: "SECURE-1", passwordBytes: Array("guess".utf8)))
            XCTAssertEqual(wrong.status, 401, wrong.response)

            let otherIdentity = try await handshake(
                harness, "SECURE-1",
                authorization: RawSocket.basicAuthorization(identity: "SECURE-2", passwordBytes: Array("s3cret-password-1".utf8)))
            XCTAssertEqual(otherIdentity.status, 401, "the username must be the identity in the URL")

            let right = try await handshake(
                harness, "SECURE-1",
                authorization: RawSocket.basicAuthorization(identity: "SECURE-1", passwordBytes: Array("s3cret-password-1".utf8)))
            XCTAssertEqual(right.status, 101, right.response)
            XCTAssertTrue(right.response.contains("Sec-WebSocket-Protocol: ocpp1.6"), right.response)

            let hexDecoded = try await handshake(
                harness, "SECURE-2",
                authorization: RawSocket.basicAuthorization(identity: "SECURE-2", passwordBytes: Array("ABCDEFGHIPQRSTUV".utf8)))
            XCTAssertEqual(hexDecoded.status, 101, hexDecoded.response)
            let hexAsGiven = try await handshake(
                harness, "SECURE-2",
                authorization: RawSocket.basicAuthorization(
                    identity: "SECURE-2", passwordBytes: Array("41424344454647484950515253545556".utf8)))
            XCTAssertEqual(hexAsGiven.status, 101, hexAsGiven.response)

            // And through the client library.
            let pile = try await harness.connect("SECURE-1", password: "s3cret-password-1")
            _ = try await pile.boot()
        }
    }

    func testPlainGETOnTheOCPPPathIsAnswered426() async throws {
        try await GatewayHarness.with { harness in
            let (status, response) = try await RawHTTP.request(
                port: harness.port, "GET /ocpp/X HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            XCTAssertEqual(status, 426, response)
            XCTAssertTrue(response.contains("handshake_refused"), response)
        }
    }

    func testHandshakeWithoutSubprotocolIsAcceptedAndRecordedInLenientMode() async throws {
        try await GatewayHarness.with { harness in
            let (status, response) = try await handshake(harness, "NO-PROTOCOL-1", subprotocols: nil)
            XCTAssertEqual(status, 101, response)
            XCTAssertFalse(response.contains("Sec-WebSocket-Protocol"), "nothing to echo: \(response)")
            _ = try await harness.finding("transport.missing-subprotocol", for: "NO-PROTOCOL-1")

            // The client library, too, may leave the header out and is spoken to as 1.6.
            let pile = try await harness.connect("NO-PROTOCOL-2", subprotocols: nil)
            let boot = try await pile.boot()
            XCTAssertEqual(boot.status, .Accepted)
        }
    }

    func testHandshakeWithoutSubprotocolIsRefusedWith400InStrictMode() async throws {
        var configuration = GatewayConfiguration()
        configuration.validation = .strict
        try await GatewayHarness.with(configuration) { harness in
            let (status, response) = try await handshake(harness, "NO-PROTOCOL-3", subprotocols: nil)
            XCTAssertEqual(status, 400, response)
            XCTAssertTrue(response.contains("Sec-WebSocket-Protocol"), response)
            let ok = try await handshake(harness, "NO-PROTOCOL-3")
            XCTAssertEqual(ok.status, 101, ok.response)
        }
    }

    func testOnlyUnsupportedSubprotocolsAreUpgradedWithoutProtocolHeaderAndClosedAtOnce() async throws {
        try await GatewayHarness.with { harness in
            let socket = try RawSocket(port: harness.port)
            defer { socket.close() }
            try socket.send(RawSocket.upgradeRequest(identity: "FUTURE-1", subprotocols: "ocpp2.1"))
            let head = try await socket.readHTTPHead()
            XCTAssertEqual(head.status, 101)
            XCTAssertNil(head.header("Sec-WebSocket-Protocol"))
            let frame = try await socket.readFrame()
            XCTAssertEqual(frame?.opcode, 0x8, "a close frame")
            XCTAssertEqual(frame?.closeCode, 1002)
            let reason = String(decoding: frame?.payload.dropFirst(2) ?? [], as: UTF8.self)
            XCTAssertTrue(reason.contains("ocpp1.6"), "the reason names what is supported: \(reason)")
            XCTAssertFalse(harness.gateway.connectedChargePoints.contains("FUTURE-1"))
        }
    }

    func testBinaryFrameIsAnsweredWithClose1003AndRecorded() async throws {
        try await GatewayHarness.with { harness in
            let socket = try RawSocket(port: harness.port)
            defer { socket.close() }
            try socket.send(RawSocket.upgradeRequest(identity: "BINARY-1"))
            let head = try await socket.readHTTPHead()
            XCTAssertEqual(head.status, 101)
            try socket.send(RawSocket.clientFrame(opcode: 0x2, payload: Array(#"[2,"b1","Heartbeat",{}]"#.utf8)))
            let frame = try await socket.readFrame()
            XCTAssertEqual(frame?.opcode, 0x8)
            XCTAssertEqual(frame?.closeCode, 1003)
            _ = try await harness.finding("transport.binary-frame", for: "BINARY-1")
        }
    }

    // MARK: Keepalive

    func testPileThatStopsAnsweringPingsIsDisconnectedAndMarkedOffline() async throws {
        try await GatewayHarness.with(tweak: { $0.pingInterval = .milliseconds(200) }) { harness in
            let socket = try RawSocket(port: harness.port)
            defer { socket.close() }
            try socket.send(RawSocket.upgradeRequest(identity: "SILENT-1"))
            let head = try await socket.readHTTPHead()
            XCTAssertEqual(head.status, 101)
            let started = Date()
            // From here on the socket is neither read nor answered.
            let offline = try await harness.eventually(3) {
                let cp = try await harness.store.chargePoint(id: "SILENT-1")
                return cp?.chargePoint.connected == false
            }
            XCTAssertTrue(offline, "the silent pile is marked offline")
            XCTAssertLessThan(Date().timeIntervalSince(started), 2.5)
            let finding = try await harness.finding("transport.keepalive-timeout", for: "SILENT-1")
            XCTAssertEqual(finding.severity, "warning")
            XCTAssertFalse(harness.gateway.connectedChargePoints.contains("SILENT-1"))
            let closedByGateway = try await socket.waitForPeerClose(timeout: 2)
            XCTAssertTrue(closedByGateway, "the gateway closed the socket")
        }
    }

    func testPileThatAnswersPingsStaysConnected() async throws {
        try await GatewayHarness.with(tweak: { $0.pingInterval = .milliseconds(100) }) { harness in
            let pile = try await harness.connect("PONG-1")
            _ = try await pile.boot()
            try await Task.sleep(for: .milliseconds(600))
            XCTAssertFalse(pile.isClosed, "events: \(pile.events)")
            _ = try await pile.call(V16.Heartbeat.self, .init())
            let findings = try await harness.findings("PONG-1")
            XCTAssertFalse(findings.contains { $0.rule == "transport.keepalive-timeout" })
        }
    }

    // MARK: HTTP on the same port

    func testHealthAndAPIErrorsAreAnsweredWithTheirStatusAndJSONShape() async throws {
        try await GatewayHarness.with { harness in
            let health = try await harness.get("/health")
            XCTAssertEqual(health.status, 200)
            XCTAssertEqual(health.body[path: "status"], "ok")

            let nope = try await harness.get("/api/nope")
            XCTAssertEqual(nope.status, 404)
            XCTAssertEqual(nope.body[path: "error.code"], "not_found")
            XCTAssertNotNil(nope.body[path: "error.message"]?.stringValue)

            let badId = try await harness.get("/api/sessions/abc")
            XCTAssertEqual(badId.status, 400)
            XCTAssertEqual(badId.body[path: "error.code"], "invalid_session_id")
            XCTAssertNotNil(badId.body[path: "error.message"]?.stringValue)

            let missing = try await harness.get("/api/sessions/424242")
            XCTAssertEqual(missing.status, 404)
            XCTAssertEqual(missing.body[path: "error.code"], "session_not_found")
        }
    }
}
