import Foundation
import OCPP

/// Transaction-related messages (StartTransaction, StopTransaction, MeterValues of a
/// transaction) in the order they happened. They wait here while the pile is offline
/// and go out one at a time, in order, once it is back (OCPP 1.6 §4.7–4.8). Optionally
/// kept in a file, so a simulated reboot does not lose them.
public struct TransactionQueue: Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        public var action: String
        /// The payload as JSON text; `transactionId` is filled in at send time when the
        /// message belongs to a transaction whose StartTransaction was not yet answered.
        public var payload: String
        /// The pile's own number for the transaction, until the central system assigns one.
        public var localTransaction: Int?
        public var attempts: Int = 0
    }

    public private(set) var entries: [Entry] = []
    /// Local transaction number → id assigned by the central system.
    public private(set) var assigned: [Int: Int] = [:]
    private let file: String?

    public init(file: String? = nil) {
        self.file = file
        if let file, let data = FileManager.default.contents(atPath: file),
            let saved = try? JSONDecoder().decode(Saved.self, from: data)
        {
            entries = saved.entries
            assigned = saved.assigned
        }
    }

    private struct Saved: Codable {
        var entries: [Entry]
        var assigned: [Int: Int]
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }
    public var head: Entry? { entries.first }

    public mutating func append(_ entry: Entry) {
        entries.append(entry)
        save()
    }

    /// The head's payload, ready to send: nil while it still waits for its transaction id.
    public func headPayload() -> JSON? {
        guard let head = entries.first, var payload = try? JSONParser.parse(head.payload) else { return nil }
        if let local = head.localTransaction, head.action != "StartTransaction" {
            guard let id = assigned[local] else { return nil }
            if case .object(var object) = payload {
                object["transactionId"] = .integer(Int64(id))
                payload = .object(object)
            }
        }
        return payload
    }

    public mutating func assign(local: Int, id: Int) {
        assigned[local] = id
        save()
    }

    /// The head was delivered (or given up on): remove it.
    public mutating func popHead() {
        guard !entries.isEmpty else { return }
        entries.removeFirst()
        save()
    }

    public mutating func countAttempt() -> Int {
        guard !entries.isEmpty else { return 0 }
        entries[0].attempts += 1
        save()
        return entries[0].attempts
    }

    private func save() {
        guard let file else { return }
        if let data = try? JSONEncoder().encode(Saved(entries: entries, assigned: assigned)) {
            try? data.write(to: URL(fileURLWithPath: file), options: .atomic)
        }
    }
}
