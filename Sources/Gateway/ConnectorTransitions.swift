import OCPP

/// The OCPP 1.6 status transition table (§4.9), the one place the gateway reads it from.
/// (The simulator keeps its own copy; Gateway and Simulator never import each other.)
enum ConnectorTransitions {
    typealias Status = V16.ChargePointStatus

    /// Legal targets from each status of a connector (connector id ≥ 1). A blank cell in
    /// the spec's table is absent here: Available → Finishing, Charging → Preparing, …
    static let connector: [Status: Set<Status>] = [
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
        return connector[from]?.contains(to) == true ? nil : "connector \(connectorId) went \(from.rawValue) → \(to.rawValue)"
    }
}
