/// AC or DC charging.
public enum CurrentKind: String, Codable, Sendable, CaseIterable { case ac, dc }

/// What limits the power a pile's gun can deliver. The simulator's pile profiles and the
/// gateway's registry entries both describe piles this way, so the simulator's physics and
/// the gateway's charge-time estimates are one computation.
public protocol PileElectrics: Sendable {
    var current: CurrentKind { get }
    /// Most power one gun delivers, kW.
    var maxPowerKW: Double { get }
    var maxCurrentA: Double { get }
    var maxVoltageV: Double { get }
    /// Lowest pack voltage it can charge (an 800 V-only pile: 800); 0 for no floor.
    var minVoltageV: Double { get }
}
