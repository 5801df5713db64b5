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

    private let socket: RawSocket
    /// Received bytes not decoded yet.
    private var pending: [UInt8] = []
    /// The body so far, chunked transfer coding removed.
    private var body: [UInt8] = []
    private var chunked = false
    private(set) var peerClosed = false
    /// Comment lines (`: keepalive`) seen so far.
    private(set) var comments: [String] = []

    init(port: Int, path: String = "/api/events", token: String? = nil, receiveBuffer: Int? = nil) throws {
        socket = try RawSocket(port: port, receiveBuffer: receiveBuffer)
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        if let token { request += "Authorization: Bearer \(token)\r\n" }
        try socket.send(request + "\r\n")
    }

    func close() { socket.close() }

    /// Discards what arrives until the gateway ends the stream; false if it is still open after `timeout` s.
    func waitForClose(timeout: TimeInterval) async throws -> Bool {
        if peerClosed { return true }
        return try await socket.waitForPeerClose(timeout: timeout)
    }

    /// The status line and headers (names lower-cased); throws if they do not arrive within `timeout` s.
    func readHead(timeout: TimeInterval) async throws -> (status: Int, headers: [String: String]) {
        let head = try await socket.readHTTPHead(timeout: timeout)
        let headers = Dictionary(head.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        chunked = headers["transfer-encoding"]?.lowercased() == "chunked"
        return (head.status, headers)
    }

    /// Reads whatever has arrived; false if nothing came within `timeout` s.
    private func receive(timeout: TimeInterval) async throws -> Bool {
        guard let bytes = try await socket.takeAvailable(timeout: timeout) else { return false }
        pending += bytes
        if socket.peerClosed { peerClosed = true }
        return true
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
