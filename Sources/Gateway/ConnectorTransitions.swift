import OCPP

/// How the gateway reads the OCPP 1.6 status transition table (§4.9, in the protocol core).
enum ConnectorTransitions {
    typealias Status = V16.ChargePointStatus

    /// Connector 0 (the charge point as a whole) only knows these three, in any order.
    static let chargePoint: Set<Status> = [.Available, .Unavailable, .Faulted]

    /// Statuses that say energy may flow in a transaction.
    static let chargingLike: Set<Status> = [.Charging, .SuspendedEV, .SuspendedEVSE]

    /// Statuses in which the connector has no transaction.
    static let idle: Set<Status> = [.Available, .Preparing, .Reserved, .Unavailable]

    /// Why `from` → `to` is illegal on `connectorId`, or nil when it is allowed. A repeated
    /// status (say, with another error code) is not a transition.
    static func violation(connectorId: Int, from: Status?, to: Status) -> String? {
        if connectorId == 0 {
            return chargePoint.contains(to) ? nil : "connector 0 (the charge point) reported \(to.rawValue); it may only be Available, Unavailable or Faulted"
        }
        guard let from, from != to else { return nil }
        return from.canMove(to: to) ? nil : "connector \(connectorId) went \(from.rawValue) → \(to.rawValue)"
    }
}
