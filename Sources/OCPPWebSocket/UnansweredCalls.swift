import Foundation

/// The peer's CALLs we have not answered yet, oldest first: a peer that sends its next CALL
/// before our answer breaks OCPP-J 1.6 / 2.0.1 §4.1.1 (one CALL in flight per direction).
/// Bounded, and empty (no allocation) while the peer waits as it should.
struct UnansweredCalls {
    static let capacity = 8
    struct Entry {
        let messageId: String
        let action: String
        let receivedAt: Date
    }
    private var entries: [Entry] = []

    /// Notes `call` and returns the oldest earlier CALL still unanswered; nil when there is
    /// none, or when `call` resends one of them under its id (the peer's own timeout passed).
    mutating func received(_ call: IncomingCall) -> Entry? {
        guard !entries.contains(where: { $0.messageId == call.messageId }) else { return nil }
        let earlier = entries.first
        if entries.count >= Self.capacity { entries.removeFirst() }
        entries.append(Entry(messageId: call.messageId, action: call.action, receivedAt: call.receivedAt))
        return earlier
    }

    mutating func answered(_ messageId: String) {
        if let index = entries.firstIndex(where: { $0.messageId == messageId }) { entries.remove(at: index) }
    }
}
