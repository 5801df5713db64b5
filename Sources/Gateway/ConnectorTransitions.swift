import OCPP

/// How the gateway reads the OCPP 1.6 status transition table (§4.9, in the protocol core)
/// on neutral connector states. A state 1.6 has no word for (2.0.1's Occupied) is judged
/// by the 2.0.1 rules, not this table.
enum ConnectorTransitions {
    /// Connector 0 (the charge point as a whole) only knows these three, in any order.
    static let chargePoint: Set<ConnectorState> = [.available, .unavailable, .faulted]

    /// Why `from` → `to` is illegal on `connectorId`, or nil when it is allowed. A repeated
    /// status (say, with another error code) is not a transition.
    static func violation(connectorId: Int, from: ConnectorState?, to: ConnectorState) -> String? {
        if connectorId == 0 {
            return chargePoint.contains(to) ? nil : "connector 0 (the charge point) reported \(to.rawValue); it may only be Available, Unavailable or Faulted"
        }
        guard let from, from != to, let old = from.v16, let new = to.v16 else { return nil }
        return old.canMove(to: new) ? nil : "connector \(connectorId) went \(from.rawValue) → \(to.rawValue)"
    }
}
