extension V16.ChargePointStatus {
    /// Legal targets from each status of a connector (connector id ≥ 1), per the 1.6
    /// status transition table (§4.9). A blank cell in the spec's table is absent here:
    /// Available → Finishing, Charging → Preparing, … The gateway judges piles by it and
    /// the simulator's piles move by it.
    public static let legalTransitions: [Self: Set<Self>] = [
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

    /// Whether a connector may go from `self` to `next`.
    public func canMove(to next: Self) -> Bool { Self.legalTransitions[self]?.contains(next) ?? false }
}
