import Foundation

/// The peer's CALLs we have not answered yet, oldest first: a peer that sends its next CALL
/// before our answer breaks OCPP-J 1.6 / 2.0.1 §4.1.1 (one CALL in flight per direction).
/// The oldest is kept inline, so a peer that waits as it should costs no allocation; the
/// rest (a peer that does not wait) are bounded by `capacity`.
struct UnansweredCalls {
    static let capacity = 8
    struct Entry {
        let messageId: String
        let action: String
        let receivedAt: Date
    }
    private var oldest: Entry?
    private var others: [Entry] = []

    /// Notes `call` and returns the oldest earlier CALL still unanswered; nil when there is
    /// none, or when `call` resends one of them under its id (the peer's own timeout passed).
    mutating func received(_ call: IncomingCall) -> Entry? {
        let entry = Entry(messageId: call.messageId, action: call.action, receivedAt: call.receivedAt)
        guard let earlier = oldest else {
            oldest = entry
            return nil
        }
        guard earlier.messageId != call.messageId, !others.contains(where: { $0.messageId == call.messageId }) else { return nil }
        if others.count >= Self.capacity - 1 { others.removeFirst() }
        others.append(entry)
        return earlier
    }

    mutating func answered(_ messageId: String) {
        if oldest?.messageId == messageId {
            oldest = others.isEmpty ? nil : others.removeFirst()
        } else if let index = others.firstIndex(where: { $0.messageId == messageId }) {
            others.remove(at: index)
        }
    }
}
