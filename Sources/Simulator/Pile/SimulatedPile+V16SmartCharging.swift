import Foundation
import OCPP

/// The 1.6 Smart Charging profile's three messages (§5.5, §5.7, §5.16) over the pile's
/// version-neutral profile store.
extension SimulatedPile {
    func setChargingProfile(_ request: V16.SetChargingProfile.Request) -> V16.SetChargingProfile.Response {
        if let forced = scripted(V16.SetChargingProfile.name, V16.ChargingProfileStatus.self) { return .init(status: forced) }
        let p = request.csChargingProfiles
        guard p.chargingProfileKind != .Recurring || p.recurrencyKind != nil else { return .init(status: .Rejected) }
        let neutral = ChargingLimitProfile(p, installedAt: context.clock.now(), time: context.clock.unstamp)
        return .init(status: install(neutral, on: request.connectorId) == .accepted ? .Accepted : .Rejected)
    }

    /// By id (the other fields ignored), or every profile matching the connector, purpose
    /// and stack level given. Unknown when nothing matched.
    func clearChargingProfile(_ request: V16.ClearChargingProfile.Request) -> V16.ClearChargingProfile.Response {
        if let forced = scripted(V16.ClearChargingProfile.name, V16.ClearChargingProfileStatus.self) { return .init(status: forced) }
        let purpose: ChargingLimitProfile.Purpose? = request.chargingProfilePurpose.map {
            switch $0 {
            case .ChargePointMaxProfile: .stationMax
            case .TxDefaultProfile: .txDefault
            case .TxProfile: .tx
            }
        }
        let removed = clearProfiles(id: request.id, connector: request.connectorId, purpose: purpose, stackLevel: request.stackLevel)
        return .init(status: removed > 0 ? .Accepted : .Unknown)
    }

    /// The limit in force on `connectorId` (0: the pile) from now for `duration` seconds.
    func compositeSchedule(_ request: V16.GetCompositeSchedule.Request) -> V16.GetCompositeSchedule.Response {
        let connector = request.connectorId
        guard connector == 0 || index(of: connector) != nil, request.duration > 0 else { return .init(status: .Rejected) }
        let unit = request.chargingRateUnit ?? .W
        let c = composite(connector: connector, duration: request.duration, unit: unit == .A ? .amperes : .watts)
        let now = context.clock.stamp(c.start)
        let schedule = V16.ChargingSchedule(
            duration: c.duration, startSchedule: now, chargingRateUnit: unit,
            chargingSchedulePeriod: c.periods.map { .init(startPeriod: $0.start, limit: $0.limit, numberPhases: $0.phases) })
        return .init(status: .Accepted, connectorId: connector, scheduleStart: now, chargingSchedule: schedule)
    }
}
