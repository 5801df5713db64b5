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

    /// Legal targets from each status, per the 1.6 status transition table.
    static let legal: [Status: Set<Status>] = [
        .Available: [.Preparing, .Charging, .SuspendedEV, .SuspendedEVSE, .Reserved, .Unavailable, .Faulted],
        .Preparing: [.Available, .Charging, .SuspendedEV, .SuspendedEVSE, .Finishing, .Faulted],
        .Charging: [.Available, .SuspendedEV, .SuspendedEVSE, .Finishing, .Unavailable, .Faulted],
        .SuspendedEV: [.Available, .Charging, .SuspendedEVSE, .Finishing, .Unavailable, .Faulted],
        .SuspendedEVSE: [.Available, .Charging, .SuspendedEV, .Finishing, .Unavailable, .Faulted],
        .Finishing: [.Available, .Preparing, .Unavailable, .Faulted],
        .Reserved: [.Available, .Preparing, .Unavailable, .Faulted],
        .Unavailable: [.Available, .Preparing, .Charging, .SuspendedEV, .SuspendedEVSE, .Faulted],
        .Faulted: [.Available, .Preparing, .Charging, .SuspendedEV, .SuspendedEVSE, .Finishing, .Reserved, .Unavailable],
    ]

    public static func isLegal(from: Status, to: Status) -> Bool { legal[from]?.contains(to) ?? false }

    /// Moves to `next`; staying put is allowed and reports false (nothing to notify).
    @discardableResult
    public mutating func move(to next: Status) throws(IllegalTransition) -> Bool {
        if next == status { return false }
        guard Self.isLegal(from: status, to: next) else { throw IllegalTransition(from: status, to: next) }
        status = next
        return true
    }
}
