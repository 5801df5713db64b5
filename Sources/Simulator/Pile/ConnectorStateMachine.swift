import OCPP

/// A connector's OCPP 1.6 status, moved only along the transitions the spec's status
/// table allows (OCPP 1.6 §4.9). An illegal move is refused with an error, so a
/// simulated pile never reports a sequence a real one may not.
public struct ConnectorStateMachine: Sendable, Equatable {
    public typealias Status = V16.ChargePointStatus

    public private(set) var status: Status

    public init(_ status: Status = .Available) { self.status = status }

    public struct IllegalTransition: Error, Equatable, CustomStringConvertible {
        public let from: Status
        public let to: Status
        public var description: String { "\(from.rawValue) → \(to.rawValue) is not a legal connector transition" }
    }

    public static func isLegal(from: Status, to: Status) -> Bool { from.canMove(to: to) }

    /// Moves to `next`; staying put is allowed and reports false (nothing to notify).
    @discardableResult
    public mutating func move(to next: Status) throws(IllegalTransition) -> Bool {
        if next == status { return false }
        guard Self.isLegal(from: status, to: next) else { throw IllegalTransition(from: status, to: next) }
        status = next
        return true
    }
}
