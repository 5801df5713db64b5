import EVModel
import Foundation
import OCPP
import Simulator

/// One cell of a scenario's matrix: a pile model, a vehicle, a starting state of charge.
public struct ScenarioCase: Sendable {
    public let scenario: LoadedScenario
    /// nil for a replay, which plays recorded frames instead of a simulated pile.
    public let profile: PileProfile?
    public let vehicle: VehicleProfile?
    public let soc: Double?
    /// 0-based repetition (`--repeat`).
    public let repetition: Int

    /// The matrix's coordinates: network, pile model, firmware.
    public var network: String { profile?.network ?? "replay" }
    public var model: String { profile.map { "\($0.vendor) \($0.model)" } ?? (scenario.scenario.replay?.chargePoint ?? "recorded pile") }
    public var firmware: String { profile?.firmware ?? "-" }
    public var profileId: String { profile?.id ?? "replay" }
    /// The version the pile speaks in this case.
    public var version: OCPPVersion { profile?.ocppVersion ?? scenario.scenario.replay?.ocppVersion ?? .v16 }

    public var name: String {
        var parts = [profileId]
        // A scenario run at several versions says which one, also where the profile has one only.
        if scenario.scenario.matrix?.versions != nil { parts.append(version.subprotocol) }
        if let vehicle { parts.append(vehicle.id) }
        if let soc { parts.append("soc=\(Int(soc))") }
        if repetition > 0 { parts.append("#\(repetition + 1)") }
        return "\(scenario.scenario.name) [\(parts.joined(separator: " "))]"
    }

    /// Every case of `scenarios`, `repeat` times over.
    public static func expand(_ scenarios: [LoadedScenario], library: ProfileLibrary, repeat times: Int = 1) -> [ScenarioCase] {
        var cases: [ScenarioCase] = []
        for repetition in 0..<max(times, 1) {
            for loaded in scenarios {
                let scenario = loaded.scenario
                guard let matrix = scenario.matrix else {
                    // A replay: one case on a stand-in profile named after the recorded pile.
                    cases.append(ScenarioCase(scenario: loaded, profile: nil, vehicle: nil, soc: nil, repetition: repetition))
                    continue
                }
                let pileIds = matrix.piles.contains("all") ? library.piles.keys.sorted() : matrix.piles
                let vehicles: [VehicleProfile?] = (matrix.vehicles ?? []).isEmpty ? [nil] : (matrix.vehicles ?? []).compactMap { library.vehicles[$0] }
                let socs: [Double?] = (matrix.soc ?? []).isEmpty ? [nil] : (matrix.soc ?? []).map { $0 }
                var seen = Set<String>()
                for pileId in pileIds {
                    guard let own = library.piles[pileId] else { continue }
                    for version in matrix.versions ?? [own.ocppVersion] {
                        var profile = library.variant(of: own, speaking: version)
                        // `all` at both versions meets each model's variant twice: run it once.
                        guard seen.insert("\(profile.id) \(profile.ocppVersion.rawValue)").inserted else { continue }
                        scenario.pile?.apply(to: &profile)
                        for vehicle in vehicles {
                            for soc in socs {
                                cases.append(ScenarioCase(scenario: loaded, profile: profile, vehicle: vehicle, soc: soc, repetition: repetition))
                            }
                        }
                    }
                }
            }
        }
        return cases
    }
}

extension Scenario.PileOverrides {
    func apply(to profile: inout PileProfile) {
        if let quirks { profile.quirks = quirks }
        if let v201Quirks { profile.v201Quirks = v201Quirks }
        if let meterValueSampleInterval { profile.meterValueSampleInterval = meterValueSampleInterval }
        if let heartbeatInterval { profile.heartbeatInterval = heartbeatInterval }
        if let replyDelay { profile.replyDelay = replyDelay }
        if let minVoltageV { profile.minVoltageV = minVoltageV }
    }
}

extension ProfileLibrary {
    /// The model of `profile` speaking `version`: the profile itself, the library's variant
    /// of the same network, vendor and model at that version, or the profile switched to it
    /// as `{id}@{version}`, e.g. `teld-120@2.0.1` (same hardware and figures; the 2.0.1
    /// transaction points at their defaults): a firmware the network may not ship.
    public func variant(of profile: PileProfile, speaking version: OCPPVersion) -> PileProfile {
        guard profile.ocppVersion != version else { return profile }
        let sameModel = piles.values.filter {
            $0.ocppVersion == version && $0.network == profile.network && $0.vendor == profile.vendor && $0.model == profile.model
        }
        if let variant = sameModel.min(by: { $0.id < $1.id }) { return variant }
        var switched = profile
        switched.id = "\(profile.id)@\(version.label)"
        switched.ocppVersion = version
        return switched
    }
}
