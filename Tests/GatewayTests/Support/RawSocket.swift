import Foundation
import XCTest

/// A plain TCP socket to the gateway that stays open as long as the test wants: for
/// handshakes checked byte by byte, WebSocket frames no client library would send, and
/// peers that go silent. Every read is bounded and yields between polls.
final class RawSocket {
    private let fd: Int32
    private var isOpen = true
    /// Bytes received but not consumed yet.
    private var pending: [UInt8] = []
    /// True once the gateway closed its side (recv returned 0) or the socket failed.
    private(set) var peerClosed = false

    /// `receiveBuffer` shrinks the kernel's receive buffer (SO_RCVBUF), so a reader that
    /// never reads fills up after a few KiB rather than megabytes.
    init(port: Int, receiveBuffer: Int? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        if var size = receiveBuffer.map(Int32.init) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Foundation.close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close() }

    func close() {
        guard isOpen else { return }
        isOpen = false
        Foundation.close(fd)
    }

    /// Sends everything; while the kernel's buffer is full it waits for room, 5 s at most.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        var waits = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && waits < 50 {
                var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, 100)
                waits += 1
                continue
            }
            guard n > 0 else { throw POSIXError(.EPIPE) }
            offset += n
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads whatever has arrived; waits (up to `timeout` s) only while nothing has. False on timeout.
    private func receiveSome(timeout: TimeInterval) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                pending += buffer[0..<n]
                return true
            }
            if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                peerClosed = true
                return true
            }
            if Date() >= deadline { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Takes every byte received so far (waiting up to `timeout` s while there is none);
    /// nil on timeout, empty once the peer has closed.
    func takeAvailable(timeout: TimeInterval) async throws -> [UInt8]? {
        if pending.isEmpty && !peerClosed {
            guard try await receiveSome(timeout: timeout) else { return nil }
        }
        defer { pending.removeAll() }
        return pending
    }

    // MARK: HTTP

    /// The status line and headers of the gateway's answer to a handshake.
    struct HTTPHead {
        let status: Int
        let headers: [(name: String, value: String)]
        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    }

    /// Reads up to the blank line that ends the HTTP head; the bytes after it stay pending.
    func readHTTPHead(timeout: TimeInterval = 5) async throws -> HTTPHead {
        let deadline = Date().addingTimeInterval(timeout)
        let marker = Array("\r\n\r\n".utf8)
        while true {
            if let end = pending.firstRange(of: marker) {
                let text = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                pending.removeSubrange(..<end.upperBound)
                let lines = text.components(separatedBy: "\r\n")
                let status = lines.first?.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
                let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                return HTTPHead(status: status, headers: headers)
            }
            guard !peerClosed else { throw RawSocketError.closedBeforeHTTPHead(String(decoding: pending, as: UTF8.self)) }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0, try await receiveSome(timeout: remaining) else { throw RawSocketError.timedOut("HTTP head") }
        }
    }

    /// A WebSocket upgrade request as a pile would send it; nil `subprotocols` leaves the header out.
    static func upgradeRequest(identity: String, subprotocols: String? = "ocpp1.6", authorization: String? = nil) -> String {
        var text = "GET /ocpp/\(identity) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        if let subprotocols { text += "Sec-WebSocket-Protocol: \(subprotocols)\r\n" }
        if let authorization { text += "Authorization: \(authorization)\r\n" }
        return text + "\r\n"
    }

    /// `Basic base64(identity:password-bytes)`.
    static func basicAuthorization(identity: String, passwordBytes: [UInt8]) -> String {
        "Basic " + Data(Array("\(identity):".utf8) + passwordBytes).base64EncodedString()
    }

    // MARK: WebSocket frames

    struct Frame {
        let opcode: UInt8
        let payload: [UInt8]
        /// For close frames: the status code, if the frame carries one.
        var closeCode: UInt16? {
            guard opcode == 0x8, payload.count >= 2 else { return nil }
            return UInt16(payload[0]) << 8 | UInt16(payload[1])
        }
    }

    /// Reads one (unmasked, server-to-client) WebSocket frame; nil if the gateway closed the socket first.
    func readFrame(timeout: TimeInterval = 5) async throws -> Frame? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let frame = takeFrame() { return frame }
            if peerClosed { return nil }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0, try await receiveSome(timeout: remaining) else { throw RawSocketError.timedOut("WebSocket frame") }
        }
    }

    private func takeFrame() -> Frame? {
        guard pending.count >= 2 else { return nil }
        let opcode = pending[0] & 0x0F
        let masked = pending[1] & 0x80 != 0
        var length = Int(pending[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard pending.count >= 4 else { return nil }
            length = Int(pending[2]) << 8 | Int(pending[3])
            offset = 4
        } else if length == 127 {
            guard pending.count >= 10 else { return nil }
            length = pending[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        let maskKey: [UInt8] = masked ? Array(pending[offset..<min(offset + 4, pending.count)]) : []
        if masked { offset += 4 }
        guard pending.count >= offset + length else { return nil }
        var payload = Array(pending[offset..<offset + length])
        if masked { for i in payload.indices { payload[i] ^= maskKey[i % 4] } }
        pending.removeSubrange(..<(offset + length))
        return Frame(opcode: opcode, payload: payload)
    }

    /// A client-to-server frame: by default final, masked and without RSV bits, as RFC 6455
    /// wants; the parameters make the frames a broken client would send. `rsv` is the three
    /// RSV bits as a number (1 = RSV3 … 4 = RSV1).
    static func clientFrame(opcode: UInt8, payload: [UInt8], fin: Bool = true, rsv: UInt8 = 0, masked: Bool = true) -> [UInt8] {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | (rsv & 0x7) << 4 | opcode & 0x0F]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            frame.append(maskBit | UInt8(payload.count))
        } else {
            precondition(payload.count <= 0xFFFF, "test frames stay below 64 KiB")
            frame += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        guard masked else { return frame + payload }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return frame
    }

    /// Reads and discards until the gateway closes the socket; false if it is still open after `timeout` s.
    func waitForPeerClose(timeout: TimeInterval) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !peerClosed {
            pending.removeAll()
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0, try await receiveSome(timeout: remaining) else { return false }
        }
        return true
    }
}

enum RawSocketError: Error, CustomStringConvertible {
    case timedOut(String)
    case closedBeforeHTTPHead(String)

    var description: String {
        switch self {
        case .timedOut(let what): "no \(what) arrived in time"
        case .closedBeforeHTTPHead(let received): "the gateway closed the socket before a full HTTP head; received \(received.debugDescription)"
        }
    }
}
