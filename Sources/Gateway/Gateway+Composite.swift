import Foundation
import OCPP
import SessionStore

/// What the gateway asked of a pile, as a schedule: the core's composite over the profiles
/// the gateway knows the pile accepted, with the transaction it knows runs. Set beside the
/// pile's own GetCompositeSchedule answer, a difference is the pile's (or the gateway's) fault.
extension Gateway {
    /// Longest composite asked for: a month.
    public static let maxCompositeSeconds = 31 * 86_400

    public func expectedComposite(
        _ chargePointId: String, connector: Int, duration: Int, unit: ChargingLimitProfile.RateUnit, from start: Date = Date()
    ) async throws -> CompositeSchedule {
        let held = try await store.chargingProfiles(chargePointId: chargePointId)
        func profiles(_ key: Int) -> [ChargingLimitProfile] {
            held.filter { $0.connectorId == key }.compactMap { record in
                guard let json = try? JSONParser.parse(record.profile), let version = OCPPVersion.allCases.first(where: { $0.label == record.ocppVersion }) else { return nil }
                // A station's report may carry what no pile could obey: left out, as a pile would refuse it.
                return ChargingLimitProfile(json: json, version: version, installedAt: record.storedAt).flatMap { try? $0.validated() }
            }
        }
        let running = try await store.sessions(chargePointId: chargePointId, status: .active, limit: 100).first { $0.connectorId == connector }
        let known = knownChargePoint(chargePointId)
        let volts = known?.maxVoltageV.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        let electrics: ChargingElectrics = known?.current == .dc ? .dc(volts: volts ?? 400) : .ac(voltsPerPhase: volts ?? 230)
        let stack = ProfileStack(
            evse: connector, evseProfiles: profiles(connector), stationProfiles: profiles(0),
            transaction: running.map { ($0.transactionRef ?? String($0.id), $0.startTime) }, electrics: electrics)
        let ceilingKW = known?.maxPowerKW.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? 1_000_000
        return CompositeSchedule(stack, from: start, duration: min(max(duration, 1), Self.maxCompositeSeconds), unit: unit, ceilingWatts: ceilingKW * 1000)
    }
}
