import Foundation

/// A reservation the gateway asked a pile for (1.6 ReserveNow, 2.0.1 ReserveNow): what was
/// asked, what the pile said, and what became of it.
public struct ReservationRecord: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Sent, no answer yet.
        case requested
        /// The pile reserved the connector until `expiry`.
        case accepted
        /// The pile said no: `answer` is its word (Occupied, Faulted, Unavailable, Rejected).
        case refused
        /// No answer: offline, timed out, or a CALLERROR (`answer` says which).
        case failed
        /// A transaction started under it (`sessionId`).
        case used
        case cancelled
        /// Accepted, not used before `expiry` (set when read after it).
        case expired
    }

    public var id: Int64
    public var chargePointId: String
    public var connectorId: Int
    public var idTag: String
    /// The app account it was made for, if any.
    public var account: String?
    public var expiry: Date
    public var status: Status
    public var answer: String?
    public var sessionId: Int64?
    public var createdAt: Date
    public var ocppVersion: String

    public init(
        id: Int64 = 0, chargePointId: String, connectorId: Int, idTag: String, account: String?, expiry: Date, status: Status,
        answer: String? = nil, sessionId: Int64? = nil, createdAt: Date, ocppVersion: String
    ) {
        self.id = id
        self.chargePointId = chargePointId
        self.connectorId = connectorId
        self.idTag = idTag
        self.account = account
        self.expiry = expiry
        self.status = status
        self.answer = answer
        self.sessionId = sessionId
        self.createdAt = createdAt
        self.ocppVersion = ocppVersion
    }

    /// As of `now`: an accepted reservation past its expiry has expired.
    public func seen(at now: Date) -> ReservationRecord {
        var record = self
        if status == .accepted && expiry <= now { record.status = .expired }
        return record
    }
}
