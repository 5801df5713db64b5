import Foundation

/// A pile's transactional CALL the relay took responsibility for: stored before it is
/// answered or sent on, deleted once the operator's backend answered it. Kept in order
/// per pile, so delivery after an outage keeps the pile's order.
public struct RelayQueueRecord: Sendable, Equatable {
    /// The store's id (0 before it is stored); the queue's order.
    public var id: Int64
    public var chargePointId: String
    /// The subprotocol the pile spoke, to reconnect to the backend with after a restart.
    public var ocppVersion: String
    public var messageId: String
    public var action: String
    /// The frame as it goes to the backend (repaired when the pile's policy repairs).
    public var frame: String
    public var queuedAt: Date

    public init(id: Int64 = 0, chargePointId: String, ocppVersion: String, messageId: String, action: String, frame: String, queuedAt: Date) {
        self.id = id
        self.chargePointId = chargePointId
        self.ocppVersion = ocppVersion
        self.messageId = messageId
        self.action = action
        self.frame = frame
        self.queuedAt = queuedAt
    }
}

/// An OCPP 1.6 transaction the relay started for a pile while the backend was away: the
/// pile knows it by `localId`, the backend (once it answered the delayed
/// StartTransaction) by `backendId`.
public struct RelayTransactionRecord: Sendable, Equatable {
    public var chargePointId: String
    public var localId: Int64
    public var backendId: Int64

    public init(chargePointId: String, localId: Int64, backendId: Int64) {
        self.chargePointId = chargePointId
        self.localId = localId
        self.backendId = backendId
    }
}
