import Foundation
import OCPP
import XCTest

/// A Server-Sent Events client on a plain loopback socket, as a browser's EventSource
/// would connect: it sends the GET, reads the head, then events as they arrive. Every read
/// is bounded and yields between polls.
final class EventStreamClient {
    struct Event {
        let name: String
        let data: JSON
    }

    private let fd: Int32
    private var isOpen = true
    private var pending: [UInt8] = []
    /// The body so far, chunked transfer coding removed.
    private var body: [UInt8] = []
    private var chunked = false
    private(set) var peerClosed = false
    /// Comment lines (`: keepalive`) seen so far.
    private(set) var comments: [String] = []

    init(port: Int, path: String = "/api/events", token: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
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
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        if let token { request += "Authorization: Bearer \(token)\r\n" }
        let bytes = Array((request + "\r\n").utf8)
        let sent = bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else {
            Foundation.close(fd)
            throw POSIXError(.EPIPE)
        }
    }

    deinit { close() }

    func close() {
        guard isOpen else { return }
        isOpen = false
        Foundation.close(fd)
    }

    /// Reads whatever has arrived; false if nothing came within `timeout` s.
    private func receive(timeout: TimeInterval) async throws -> Bool {
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

    /// The status line and headers; throws if they do not arrive within `timeout` s.
    func readHead(timeout: TimeInterval) async throws -> (status: Int, headers: [String: String]) {
        let deadline = Date().addingTimeInterval(timeout)
        let marker = Array("\r\n\r\n".utf8)
        while true {
            if let end = pending.firstRange(of: marker) {
                let text = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                pending.removeSubrange(..<end.upperBound)
                let lines = text.components(separatedBy: "\r\n")
                let status = lines.first?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                chunked = headers["transfer-encoding"]?.lowercased() == "chunked"
                return (status, headers)
            }
            guard !peerClosed else { throw RawSocketError.closedBeforeHTTPHead(String(decoding: pending, as: UTF8.self)) }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0, try await receive(timeout: remaining) else { throw RawSocketError.timedOut("event stream head") }
        }
    }

    /// The next event (blocks separated by a blank line; comments are kept aside), or nil
    /// if none came within `timeout` s or the stream ended.
    func nextEvent(timeout: TimeInterval) async throws -> Event? {
        let deadline = Date().addingTimeInterval(timeout)
        let marker = Array("\n\n".utf8)
        while true {
            decode()
            while let end = body.firstRange(of: marker) {
                let block = String(decoding: body[..<end.lowerBound], as: UTF8.self)
                body.removeSubrange(..<end.upperBound)
                var name = "message"
                var data: [String] = []
                for line in block.split(separator: "\n", omittingEmptySubsequences: true) {
                    if line.hasPrefix(":") {
                        comments.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
                    } else if line.hasPrefix("event:") {
                        name = line.dropFirst(6).trimmingCharacters(in: .whitespaces)
                    } else if line.hasPrefix("data:") {
                        data.append(line.dropFirst(5).trimmingCharacters(in: .whitespaces))
                    }
                }
                guard !data.isEmpty else { continue }
                let text = data.joined(separator: "\n")
                return Event(name: name, data: (try? JSONParser.parse(text)) ?? .string(text))
            }
            if peerClosed { return nil }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0, try await receive(timeout: remaining) else { return nil }
        }
    }

    /// Moves received bytes to `body`, undoing the chunked coding (complete chunks only).
    private func decode() {
        guard chunked else {
            body += pending
            pending.removeAll()
            return
        }
        let crlf = Array("\r\n".utf8)
        while let lineEnd = pending.firstRange(of: crlf) {
            let sizeText = String(decoding: pending[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                peerClosed = true  // not chunked after all: give up on the stream
                return
            }
            let start = lineEnd.upperBound
            guard pending.count >= start + size + 2 else { return }
            body += pending[start..<start + size]
            pending.removeSubrange(..<(start + size + 2))
            if size == 0 {
                peerClosed = true
                return
            }
        }
    }
}
