import EVModel
import Foundation
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

    public var name: String {
        var parts = [profileId]
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
                for pileId in pileIds {
                    guard var profile = library.piles[pileId] else { continue }
                    if let overrides = scenario.pile {
                        if let quirks = overrides.quirks { profile.quirks = quirks }
                        if let interval = overrides.meterValueSampleInterval { profile.meterValueSampleInterval = interval }
                        if let interval = overrides.heartbeatInterval { profile.heartbeatInterval = interval }
                        if let delay = overrides.replyDelay { profile.replyDelay = delay }
                        if let voltage = overrides.minVoltageV { profile.minVoltageV = voltage }
                    }
                    for vehicle in vehicles {
                        for soc in socs {
                            cases.append(ScenarioCase(scenario: loaded, profile: profile, vehicle: vehicle, soc: soc, repetition: repetition))
                        }
                    }
                }
            }
        }
        return cases
    }
}
