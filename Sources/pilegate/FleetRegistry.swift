import EVModel
import Foundation
import Gateway
import Simulator
import Yams

/// The gateway's registry entries for a fleet's piles: where each stands and what it can
/// deliver, so the gateway's map, prices and recommendations know them.
enum FleetRegistry {
    static func chargePoints(_ fleet: FleetProfile, library: ProfileLibrary, seed: UInt64?) -> [GatewayConfiguration.KnownChargePoint] {
        FleetRunner.plan(fleet, library: library, seed: seed ?? fleet.seed).compactMap { planned in
            guard let profile = library.piles[planned.profileId] else { return nil }
            var entry = GatewayConfiguration.KnownChargePoint(id: planned.identity, network: profile.network, model: profile.model)
            entry.station = planned.station
            entry.city = planned.city
            entry.latitude = (planned.latitude * 1e6).rounded() / 1e6
            entry.longitude = (planned.longitude * 1e6).rounded() / 1e6
            entry.current = profile.current
            entry.maxPowerKW = profile.maxPowerKW
            entry.maxCurrentA = profile.maxCurrentA
            entry.maxVoltageV = profile.maxVoltageV
            entry.minVoltageV = profile.minVoltageV > 0 ? profile.minVoltageV : nil
            entry.connectors = profile.connectors
            return entry
        }
    }

    /// A gateway configuration file holding only the registry.
    static func write(_ entries: [GatewayConfiguration.KnownChargePoint], to path: String, fleetName: String) throws {
        struct File: Encodable { let chargePoints: [GatewayConfiguration.KnownChargePoint] }
        let yaml = try YAMLEncoder().encode(File(chargePoints: entries))
        let text = "# The registry of fleet \(fleetName) (\(entries.count) piles), written by `pilegate sim --write-registry`.\n"
            + "# Use it as `pilegate serve --config FILE`, or copy chargePoints into your configuration.\n" + yaml
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
