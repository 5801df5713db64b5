import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

/// Issue 9: no client can take the gateway down. Handshakes and HTTP requests have a total
/// deadline and a cap on how many may be unfinished at once; a 400 closes at once.
final class HandshakeLimitTests: XCTestCase {
    /// Sends `bytes` one at a time, `interval` apart, until the gateway closes the socket;
    /// returns how many were sent by then, nil if it never closed.
    private func dribble(_ bytes: [UInt8], on socket: RawSocket, interval: TimeInterval) async throws -> Int? {
        for (sent, byte) in bytes.enumerated() {
            do {
                try socket.send([byte])
            } catch {
                return sent  // the gateway has closed its side
            }
            if try await socket.waitForPeerClose(timeout: interval) { return sent + 1 }
        }
        return nil
    }

    func testSlowLorisHandshakeIsClosedAtTotalDeadline() async throws {
        try await GatewayHarness.with(tweak: { $0.handshakeTimeout = .milliseconds(500) }) { harness in
            let socket = try RawSocket(port: harness.port)
            defer { socket.close() }
            let request = Array(RawSocket.upgradeRequest(identity: "SLOW-LORIS-1").utf8)
            // A byte every 100 ms: each byte would reset an idle timer; a total deadline still ends it.
            let sent = try await dribble(request, on: socket, interval: 0.1)
            XCTAssertNotNil(sent, "the gateway closed the dribbling socket before its request was complete")
            XCTAssertFalse(harness.gateway.connectedChargePoints.contains("SLOW-LORIS-1"))
        }
    }

    func testKeepAliveRequestDribbledByteByByteIsClosedAtTotalDeadline() async throws {
        try await GatewayHarness.with(tweak: { $0.handshakeTimeout = .milliseconds(500) }) { harness in
            let socket = try RawSocket(port: harness.port)
            defer { socket.close() }
            try socket.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let first = try await socket.readHTTPHead()
            XCTAssertEqual(first.status, 200, "a prompt request is answered and the connection kept alive")
            let next = Array("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: \(String(repeating: "z", count: 200))\r\n\r\n".utf8)
            let sent = try await dribble(next, on: socket, interval: 0.1)
            XCTAssertNotNil(sent, "the next request on the kept-alive socket also has a total deadline")
        }
    }

    func testConnectionsBeyondThePendingHandshakeCapAreClosedAtOnce() async throws {
        try await GatewayHarness.with(tweak: { $0.maxPendingHandshakes = 3 }) { harness in
            let waiting = try (0..<3).map { _ in try RawSocket(port: harness.port) }
            defer { for socket in waiting { socket.close() } }
            let counted = try await harness.eventually(5) { harness.server.pendingHandshakes == 3 }
            XCTAssertTrue(counted, "three sockets are waiting for their handshake: \(harness.server.pendingHandshakes)")

            let excess = try RawSocket(port: harness.port)
            defer { excess.close() }
            let refused = try await excess.waitForPeerClose(timeout: 5)
            XCTAssertTrue(refused, "a fourth unfinished handshake is closed at once")
            for socket in waiting {
                let closed = try await socket.waitForPeerClose(timeout: 0.05)
                XCTAssertFalse(closed, "the first three stay until their deadline")
            }

            // A slot frees when one of them goes; a pile then connects as usual.
            waiting[0].close()
            let freed = try await harness.eventually(5) { harness.server.pendingHandshakes == 2 }
            XCTAssertTrue(freed)
            let pile = try await harness.connect("AFTER-CAP-1")
            _ = try await pile.boot()
            let upgradedLeft = try await harness.eventually(5) { harness.server.pendingHandshakes == 2 }
            XCTAssertTrue(upgradedLeft, "an upgraded connection no longer counts as pending")
        }
    }

    func testPendingHandshakeCapIsConfigurableAndHasALaptopDefault() async throws {
        XCTAssertEqual(GatewayConfiguration().maxPendingHandshakes, 2000)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-cap-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "maxPendingHandshakes: 50\nhandshakeTimeout: 2.5\n".write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try GatewayConfiguration.load(path: path)
        try await GatewayHarness.with(configuration) { harness in
            XCTAssertEqual(harness.server.configuration.maxPendingHandshakes, 50)
            XCTAssertEqual(harness.server.configuration.handshakeTimeout, .milliseconds(2500))
        }
        try "maxPendingHandshakes: 0\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GatewayConfiguration.load(path: path)) { error in
            XCTAssertTrue("\(error)".contains("maxPendingHandshakes must be between 1 and 19000"), "\(error)")
        }
    }

    // MARK: 400 closes at once

    private func assertAnswered400AndClosed(_ request: [UInt8], file: StaticString = #filePath, line: UInt = #line) async throws {
        try await GatewayHarness.with { harness in
            let socket = try RawSocket(port: harness.port)
            defer { socket.close() }
            try? socket.send(request)  // the gateway may stop reading part-way
            let head = try await socket.readHTTPHead()
            XCTAssertEqual(head.status, 400, file: file, line: line)
            XCTAssertEqual(head.header("Connection")?.lowercased(), "close", file: file, line: line)
            let closed = try await socket.waitForPeerClose(timeout: 5)
            XCTAssertTrue(closed, "the socket is closed right after the 400, not at the handshake deadline", file: file, line: line)
        }
    }

    func testOversizedHeaderIsAnswered400AndClosedAtOnce() async throws {
        let filler = String(repeating: "a", count: 100 * 1024)
        try await assertAnswered400AndClosed(Array("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: \(filler)\r\n\r\n".utf8))
    }

    func testMalformedRequestLineIsAnswered400AndClosedAtOnce() async throws {
        try await assertAnswered400AndClosed(Array("THIS IS NOT HTTP\r\n\r\n".utf8))
    }
}

/// `GET /api/events` cannot make the gateway hold unbounded memory for a client that never reads.
final class EventStreamBackpressureTests: XCTestCase {
    func testEventStreamReaderThatNeverReadsIsClosedAndPilesStillAnswer() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("SSE-BEHIND-1")
            _ = try await pile.boot()
            let stuck = try EventStreamClient(port: harness.port, receiveBuffer: 4096)
            defer { stuck.close() }
            _ = try await stuck.readHead(timeout: 5)
            let subscribed = try await harness.eventually(5) { harness.gateway.events.hasSubscribers }
            XCTAssertTrue(subscribed)

            // From here on the client reads nothing. Publish up to 128 MiB of events.
            let detail = String(repeating: "x", count: 32 * 1024)
            var published = 0
            while published < 4000 && harness.gateway.events.hasSubscribers {
                harness.gateway.events.publish(
                    .finding(FindingRecord(rule: "test.filler", severity: "info", chargePointId: "SSE-BEHIND-1", detail: detail, time: Date())))
                published += 1
                if published % 20 == 0 { try await Task.sleep(for: .milliseconds(10)) }
            }
            let dropped = try await harness.eventually(5) { !harness.gateway.events.hasSubscribers }
            XCTAssertTrue(dropped, "the reader that fell behind is dropped and unsubscribed (\(published) events published)")
            let closed = try await stuck.waitForClose(timeout: 10)
            XCTAssertTrue(closed, "the gateway closed the stuck stream")

            // The gateway still answers piles, and a reader that keeps up still gets events.
            let heartbeat = try await pile.call(V16.Heartbeat.self, .init())
            XCTAssertLessThan(abs(heartbeat.currentTime.timeIntervalSinceNow), 60)
            let reader = try EventStreamClient(port: harness.port)
            defer { reader.close() }
            _ = try await reader.readHead(timeout: 5)
            _ = try await harness.eventually(5) { harness.gateway.events.hasSubscribers }
            harness.gateway.events.publish(
                .finding(FindingRecord(rule: "test.after", severity: "info", chargePointId: "SSE-BEHIND-1", detail: "ok", time: Date())))
            let event = try await reader.nextEvent(timeout: 5)
            XCTAssertEqual(event?.data["rule"], "test.after")
        }
    }

    func testASubscriberThatFallsItsBufferBehindIsEndedNotSilentlyShortOfEvents() async throws {
        let events = GatewayEvents()
        let stream = events.subscribe(buffer: 3)
        for i in 0..<5 {
            events.publish(.connection(chargePointId: "P-\(i)", connected: true, at: Date()))
        }
        let ended = try await eventually(5) { !events.hasSubscribers }
        XCTAssertTrue(ended, "the subscriber that overflowed is ended")
        let consumer = Task {
            var received: [String] = []
            for await event in stream {
                if case .connection(let id, _, _) = event { received.append(id) }
            }
            return received
        }
        if !ended { consumer.cancel() }  // a stream that never ends must not hang the test
        let received = await consumer.value
        XCTAssertEqual(received.count, 3, "what was buffered is delivered, then the stream ends: \(received)")
    }
}
