/// The margins of the rules that judge physics and timing rather than the letter of the
/// spec: how far a reading may stray before it is a finding. `tolerances:` in the
/// configuration, or per network or model in `policies` (docs/rules.md names which rule
/// reads which key). Every key is optional in YAML; an omitted one keeps its default.
public struct RuleTolerances: Codable, Sendable, Equatable {
    /// meter.energy-below-power: energy may fall short of what the reported power implies
    /// over the same time by this factor before it is a finding (a kWh register labelled Wh
    /// falls short by 1000).
    public var energyShortfallFactor: Double = 20
    /// meter.energy-above-power: energy may exceed what the highest reported power allows over
    /// the same time by this factor (plus `energySlackWh`).
    public var energyExcessFactor: Double = 1.5
    /// Wh either energy rule lets pass regardless (register resolution, rounding).
    public var energySlackWh: Double = 100
    /// meter.register-jump: no pile delivers more than this, whatever it reports.
    public var maxPowerKW: Double = 1_000
    /// meter.negative-import-power: import power below minus this is a finding (meters idle near zero).
    public var negativePowerW: Double = 50
    /// meter.current-without-voltage: current above this with a voltage of 0 is a finding.
    public var currentWithoutVoltageA: Double = 1
    /// status.storm: the same status on one connector more often than this within one second.
    public var statusRepeatsPerSecond: Int = 3
    /// boot.reconnect-loop: this many boots, each on a new connection, within `bootLoopSeconds`.
    public var bootLoopCount: Int = 3
    public var bootLoopSeconds: Double = 60

    // Transactions against connector state (FindingRule+State.swift).
    /// session.charging-without-transaction: import power at or below this is a meter idling, not charging.
    public var idlePowerW: Double = 100
    /// session.charging-after-refusal: energy a refused transaction may still deliver (1.6 MaxEnergyOnInvalidId).
    public var refusedEnergyWh: Double = 250
    /// session.charging-after-refusal: a Charging status this long (pile clock) after a refused start is charging on.
    public var refusedGraceSeconds: Double = 60
    // RPC discipline (FindingRule+RPC.swift).
    /// rpc.overlapping-call: an earlier CALL of the pile unanswered for longer than this, in
    /// seconds, may have been given up by the pile's own timeout; a new CALL then is right.
    public var callOverlapSeconds: Double = 10

    public init() {}

    enum CodingKeys: String, CodingKey {
        case energyShortfallFactor, energyExcessFactor, energySlackWh, maxPowerKW, negativePowerW, currentWithoutVoltageA
        case statusRepeatsPerSecond, bootLoopCount, bootLoopSeconds
        case idlePowerW, refusedEnergyWh, refusedGraceSeconds
        case callOverlapSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = RuleTolerances()
        energyShortfallFactor = try c.decodeIfPresent(Double.self, forKey: .energyShortfallFactor) ?? d.energyShortfallFactor
        energyExcessFactor = try c.decodeIfPresent(Double.self, forKey: .energyExcessFactor) ?? d.energyExcessFactor
        energySlackWh = try c.decodeIfPresent(Double.self, forKey: .energySlackWh) ?? d.energySlackWh
        maxPowerKW = try c.decodeIfPresent(Double.self, forKey: .maxPowerKW) ?? d.maxPowerKW
        negativePowerW = try c.decodeIfPresent(Double.self, forKey: .negativePowerW) ?? d.negativePowerW
        currentWithoutVoltageA = try c.decodeIfPresent(Double.self, forKey: .currentWithoutVoltageA) ?? d.currentWithoutVoltageA
        statusRepeatsPerSecond = try c.decodeIfPresent(Int.self, forKey: .statusRepeatsPerSecond) ?? d.statusRepeatsPerSecond
        bootLoopCount = try c.decodeIfPresent(Int.self, forKey: .bootLoopCount) ?? d.bootLoopCount
        bootLoopSeconds = try c.decodeIfPresent(Double.self, forKey: .bootLoopSeconds) ?? d.bootLoopSeconds
        idlePowerW = try c.decodeIfPresent(Double.self, forKey: .idlePowerW) ?? d.idlePowerW
        refusedEnergyWh = try c.decodeIfPresent(Double.self, forKey: .refusedEnergyWh) ?? d.refusedEnergyWh
        refusedGraceSeconds = try c.decodeIfPresent(Double.self, forKey: .refusedGraceSeconds) ?? d.refusedGraceSeconds
        callOverlapSeconds = try c.decodeIfPresent(Double.self, forKey: .callOverlapSeconds) ?? d.callOverlapSeconds
    }

    /// Values outside what makes sense, as `key must be …` lines.
    var problems: [String] {
        var problems: [String] = []
        func check(_ ok: Bool, _ text: String) { if !ok { problems.append(text) } }
        check(energyShortfallFactor.isFinite && energyShortfallFactor >= 1 && energyShortfallFactor <= 1e6, "energyShortfallFactor must be between 1 and 1000000")
        check(energyExcessFactor.isFinite && energyExcessFactor >= 1 && energyExcessFactor <= 1e6, "energyExcessFactor must be between 1 and 1000000")
        check(energySlackWh.isFinite && energySlackWh >= 0 && energySlackWh <= 1e9, "energySlackWh must be between 0 and 1000000000")
        check(maxPowerKW.isFinite && maxPowerKW > 0 && maxPowerKW <= 1e6, "maxPowerKW must be between 0 and 1000000")
        check(negativePowerW.isFinite && negativePowerW >= 0 && negativePowerW <= 1e9, "negativePowerW must be between 0 and 1000000000")
        check(currentWithoutVoltageA.isFinite && currentWithoutVoltageA >= 0 && currentWithoutVoltageA <= 1e6, "currentWithoutVoltageA must be between 0 and 1000000")
        check((1...10_000).contains(statusRepeatsPerSecond), "statusRepeatsPerSecond must be between 1 and 10000")
        check((2...10_000).contains(bootLoopCount), "bootLoopCount must be between 2 and 10000")
        check(bootLoopSeconds.isFinite && bootLoopSeconds > 0 && bootLoopSeconds <= 86_400, "bootLoopSeconds must be between 0 and 86400")
        check(idlePowerW.isFinite && idlePowerW >= 0 && idlePowerW <= 1e9, "idlePowerW must be between 0 and 1000000000")
        check(refusedEnergyWh.isFinite && refusedEnergyWh >= 0 && refusedEnergyWh <= 1e9, "refusedEnergyWh must be between 0 and 1000000000")
        check(refusedGraceSeconds.isFinite && refusedGraceSeconds >= 0 && refusedGraceSeconds <= 86_400, "refusedGraceSeconds must be between 0 and 86400")
        check(callOverlapSeconds.isFinite && callOverlapSeconds > 0 && callOverlapSeconds <= 3_600, "callOverlapSeconds must be between 0 and 3600")
        return problems
    }
}
