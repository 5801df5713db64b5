import Foundation
import OCPP
import XCTest

/// RFC 6455 §5–7 on the gateway's WebSocket server, over raw loopback sockets: what a
/// broken client sends is answered with the close code the RFC names, never with OCPP.
/// (The gateway's own client, which every other test connects with, masks its frames:
/// those tests would fail otherwise.)
final class WebSocketComplianceTests: XCTestCase {
    private static let heartbeat = Array(#"[2,"ws-1","Heartbeat",{}]"#.utf8)

    /// Upgrades a raw socket, sends `frames`, and returns the gateway's first close frame
    /// (nil if none came) with the frames it sent before it; stops early once it has
    /// `enough` other frames.
    private func answer(
        to frames: [[UInt8]], harness: GatewayHarness, identity: String, enough: Int = 8
    ) async throws -> (close: RawSocket.Frame?, before: [RawSocket.Frame]) {
        let socket = try RawSocket(port: harness.port)
        defer { socket.close() }
        try socket.send(RawSocket.upgradeRequest(identity: identity))
        let head = try await socket.readHTTPHead()
        XCTAssertEqual(head.status, 101)
        for frame in frames { try socket.send(frame) }
        var before: [RawSocket.Frame] = []
        for _ in 0..<8 {
            let frame: RawSocket.Frame?
            do {
                frame = try await socket.readFrame(timeout: 3)
            } catch RawSocketError.timedOut {
                return (nil, before)
            }
            guard let frame else { return (nil, before) }
            if frame.opcode == 0x8 { return (frame, before) }
            before.append(frame)
            if before.count >= enough { break }
        }
        return (nil, before)
    }

    private func closeCode(
        after frames: [[UInt8]], harness: GatewayHarness, identity: String, file: StaticString = #filePath, line: UInt = #line
    ) async throws -> UInt16? {
        let (close, before) = try await answer(to: frames, harness: harness, identity: identity)
        XCTAssertEqual(before.map(\.opcode), [], "nothing but the close frame is sent", file: file, line: line)
        return close?.closeCode
    }

    private static func closeFrame(code: UInt16?, reason: [UInt8] = []) -> [UInt8] {
        let payload = code.map { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } ?? []
        return RawSocket.clientFrame(opcode: 0x8, payload: payload + reason)
    }

    func testUnmaskedClientFrameIsClosedWith1002() async throws {
        try await GatewayHarness.with { harness in
            let frame = RawSocket.clientFrame(opcode: 0x1, payload: Self.heartbeat, masked: false)
            let code = try await closeCode(after: [frame], harness: harness, identity: "WS-UNMASKED-1")
            XCTAssertEqual(code, 1002)
        }
    }

    func testFrameWithRSVBitsIsClosedWith1002() async throws {
        try await GatewayHarness.with { harness in
            for rsv: UInt8 in [4, 2, 1] {
                let frame = RawSocket.clientFrame(opcode: 0x1, payload: Self.heartbeat, rsv: rsv)
                let code = try await closeCode(after: [frame], harness: harness, identity: "WS-RSV-\(rsv)")
                XCTAssertEqual(code, 1002, "RSV \(rsv) without a negotiated extension")
            }
        }
    }

    func testReservedOpcodesAreClosedWith1002() async throws {
        try await GatewayHarness.with { harness in
            for opcode: UInt8 in [0x3, 0x7, 0xB, 0xF] {
                let frame = RawSocket.clientFrame(opcode: opcode, payload: Array("x".utf8))
                let code = try await closeCode(after: [frame], harness: harness, identity: "WS-OPCODE-\(opcode)")
                XCTAssertEqual(code, 1002, "reserved opcode \(opcode)")
            }
        }
    }

    func testCloseWithACodeNotAllowedOnTheWireIsAnswered1002() async throws {
        try await GatewayHarness.with { harness in
            for sent: UInt16 in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
                let code = try await closeCode(after: [Self.closeFrame(code: sent)], harness: harness, identity: "WS-BADCODE-\(sent)")
                XCTAssertEqual(code, 1002, "close code \(sent) may not be sent")
            }
        }
    }

    func testCloseWithAValidCodeIsEchoed() async throws {
        try await GatewayHarness.with { harness in
            for sent: UInt16 in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999] {
                let code = try await closeCode(
                    after: [Self.closeFrame(code: sent, reason: Array("bye".utf8))], harness: harness, identity: "WS-CODE-\(sent)")
                XCTAssertEqual(code, sent)
            }
            let empty = try await answer(to: [Self.closeFrame(code: nil)], harness: harness, identity: "WS-CODE-NONE")
            XCTAssertEqual(empty.close?.opcode, 0x8, "a close without a code is answered with a close")
        }
    }

    func testCloseWithAOneBytePayloadIsAnswered1002() async throws {
        try await GatewayHarness.with { harness in
            let frame = RawSocket.clientFrame(opcode: 0x8, payload: [0x03])
            let code = try await closeCode(after: [frame], harness: harness, identity: "WS-CLOSE-1B")
            XCTAssertEqual(code, 1002)
        }
    }

    func testInvalidUTF8InATextFrameIsClosedWith1007NotACallError() async throws {
        try await GatewayHarness.with { harness in
            // A bad continuation byte, a stray 0xFF, a UTF-16 surrogate, an overlong "/", past U+10FFFF.
            let invalid: [[UInt8]] = [[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80]]
            for (i, bad) in invalid.enumerated() {
                let bytes = Array(#"[2,"u1","Heartbeat",{"x":""#.utf8) + bad + Array(#""}]"#.utf8)
                let code = try await closeCode(
                    after: [RawSocket.clientFrame(opcode: 0x1, payload: bytes)], harness: harness, identity: "WS-UTF8-1-\(i)")
                XCTAssertEqual(code, 1007, "\(bad)")
            }
        }
    }

    func testInvalidUTF8InACloseReasonIsClosedWith1007() async throws {
        try await GatewayHarness.with { harness in
            let code = try await closeCode(
                after: [Self.closeFrame(code: 1000, reason: [0xCE, 0xBA, 0xE1, 0xBD])], harness: harness, identity: "WS-UTF8-2")
            XCTAssertEqual(code, 1007)
        }
    }

    func testTextMessageFragmentedInsideAMultiByteCharacterIsAccepted() async throws {
        try await GatewayHarness.with { harness in
            // "é" (C3 A9) split across two fragments is valid once the message is whole.
            let text = Array(#"[2,"u2","DataTransfer",{"vendorId":"caf"#.utf8) + [0xC3]
            let rest = [0xA9] + Array(#""}]"#.utf8)
            let frames = [
                RawSocket.clientFrame(opcode: 0x1, payload: text, fin: false),
                RawSocket.clientFrame(opcode: 0x0, payload: rest),
            ]
            let (close, before) = try await answer(to: frames, harness: harness, identity: "WS-UTF8-3", enough: 1)
            XCTAssertNil(close, "no close for valid UTF-8")
            let reply = try XCTUnwrap(before.first.map { String(decoding: $0.payload, as: UTF8.self) })
            XCTAssertTrue(reply.hasPrefix(#"[3,"u2""#), reply)
        }
    }

    func testFragmentedControlFrameIsClosedWith1002() async throws {
        try await GatewayHarness.with { harness in
            let frame = RawSocket.clientFrame(opcode: 0x9, payload: Array("ping".utf8), fin: false)
            let code = try await closeCode(after: [frame], harness: harness, identity: "WS-CTRL-FRAG")
            XCTAssertEqual(code, 1002)
        }
    }

    func testControlFrameLongerThan125BytesIsClosedWith1002() async throws {
        try await GatewayHarness.with { harness in
            let frame = RawSocket.clientFrame(opcode: 0x9, payload: Array(repeating: 0x61, count: 126))
            let code = try await closeCode(after: [frame], harness: harness, identity: "WS-CTRL-LONG")
            XCTAssertEqual(code, 1002)
        }
    }

    func testContinuationWithoutAStartIsClosedWith1002() async throws {
        try await GatewayHarness.with { harness in
            let frame = RawSocket.clientFrame(opcode: 0x0, payload: Self.heartbeat)
            let code = try await closeCode(after: [frame], harness: harness, identity: "WS-CONT-1")
            XCTAssertEqual(code, 1002)
        }
    }
}
