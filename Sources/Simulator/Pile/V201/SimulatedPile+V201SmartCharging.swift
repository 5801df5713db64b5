import Foundation
import OCPP

/// Functional block K as a station serves it: SetChargingProfile (K01), ClearChargingProfile
/// (K10), GetChargingProfiles answered with ReportChargingProfiles (K09) and
/// GetCompositeSchedule (K08), over the version-neutral profile store.
extension SimulatedPile {
    func setChargingProfile201(_ request: V201.SetChargingProfile.Request) -> V201.SetChargingProfile.Response {
        if let forced = scripted(V201.SetChargingProfile.name, V201.ChargingProfileStatusEnum.self) { return .init(status: forced) }
        let p = request.chargingProfile
        // External constraints come from outside OCPP; a CSMS may not set them (K01.FR.22).
        guard p.chargingProfilePurpose != .chargingStationExternalConstraints,
            let neutral = ChargingLimitProfile(p, installedAt: context.clock.now(), time: context.clock.unstamp)
        else { return .init(status: .rejected, statusInfo: .init(reasonCode: "InvalidProfile")) }
        switch install(neutral, on: request.evseId) {
        case .accepted: return .init(status: .accepted)
        case .rejected(let why): return .init(status: .rejected, statusInfo: .init(reasonCode: "InvalidProfile", additionalInfo: String(why.prefix(500))))
        }
    }

    func clearChargingProfile201(_ request: V201.ClearChargingProfile.Request) -> V201.ClearChargingProfile.Response {
        if let forced = scripted(V201.ClearChargingProfile.name, V201.ClearChargingProfileStatusEnum.self) { return .init(status: forced) }
        let criteria = request.chargingProfileCriteria
        let removed = clearProfiles(
            id: request.chargingProfileId, connector: criteria?.evseId, purpose: criteria?.chargingProfilePurpose.map(Self.purpose),
            stackLevel: criteria?.stackLevel)
        return .init(status: removed > 0 ? .accepted : .unknown)
    }

    /// Accepts, then reports the matching profiles one ReportChargingProfiles per EVSE, tbc on all but the last.
    func chargingProfiles201(_ request: V201.GetChargingProfiles.Request) -> V201.GetChargingProfiles.Response {
        let c = request.chargingProfile
        let evses = chargingProfiles.keys.sorted().filter { key in request.evseId.map { $0 == key } ?? true }
        let reports: [(Int, [V201.ChargingProfile])] = evses.compactMap { evse in
            let matching = (chargingProfiles[evse] ?? []).filter { p in
                (c.chargingProfilePurpose.map { Self.purpose($0) == p.purpose } ?? true) && (c.stackLevel.map { $0 == p.stackLevel } ?? true)
                    && (c.chargingProfileId.map { $0.contains(p.id) } ?? true)
                    && (c.chargingLimitSource.map { $0.contains(.cso) } ?? true)
            }
            return matching.isEmpty ? nil : (evse, matching.map(wire201))
        }
        guard !reports.isEmpty else { return .init(status: .noProfiles) }
        after(.milliseconds(1)) { pile in
            for (k, (evse, profiles)) in reports.enumerated() {
                let report = V201.ReportChargingProfiles.Request(
                    requestId: request.requestId, chargingLimitSource: .cso, chargingProfile: profiles, evseId: evse, tbc: k < reports.count - 1)
                pile.send(V201.ReportChargingProfiles.name, V201.ReportChargingProfiles.encode(report))
            }
        }
        return .init(status: .accepted)
    }

    func compositeSchedule201(_ request: V201.GetCompositeSchedule.Request) -> V201.GetCompositeSchedule.Response {
        guard request.evseId == 0 || index(of: request.evseId) != nil, request.duration > 0 else {
            return .init(status: .rejected, statusInfo: .init(reasonCode: "UnknownEVSE"))
        }
        let unit = request.chargingRateUnit ?? .w
        let c = composite(connector: request.evseId, duration: request.duration, unit: unit == .a ? .amperes : .watts)
        let schedule = V201.CompositeSchedule(
            chargingSchedulePeriod: c.periods.map { .init(startPeriod: $0.start, limit: $0.limit, numberPhases: $0.phases) }, evseId: request.evseId,
            duration: c.duration, scheduleStart: context.clock.stamp(c.start), chargingRateUnit: unit)
        return .init(status: .accepted, schedule: schedule)
    }

    static func purpose(_ p: V201.ChargingProfilePurposeEnum) -> ChargingLimitProfile.Purpose {
        switch p {
        case .chargingStationMaxProfile: .stationMax
        case .txDefaultProfile: .txDefault
        case .txProfile: .tx
        case .chargingStationExternalConstraints: .externalConstraints
        }
    }

    /// A held profile as a 2.0.1 report writes it (its times back on the wire's clock).
    func wire201(_ p: ChargingLimitProfile) -> V201.ChargingProfile {
        let clock = context.clock
        let purpose: V201.ChargingProfilePurposeEnum =
            switch p.purpose {
            case .stationMax: .chargingStationMaxProfile
            case .txDefault: .txDefaultProfile
            case .tx: .txProfile
            case .externalConstraints: .chargingStationExternalConstraints
            }
        let (kind, recurrence): (V201.ChargingProfileKindEnum, V201.RecurrencyKindEnum?) =
            switch p.kind {
            case .absolute: (.absolute, nil)
            case .relative: (.relative, nil)
            case .recurring(let r): (.recurring, r == .daily ? .daily : .weekly)
            }
        let schedule = V201.ChargingSchedule(
            id: p.id, chargingRateUnit: p.unit == .amperes ? .a : .w,
            chargingSchedulePeriod: p.periods.map { .init(startPeriod: $0.start, limit: $0.limit, numberPhases: $0.phases) },
            startSchedule: p.startSchedule.map(clock.stamp), duration: p.duration, minChargingRate: p.minChargingRate)
        return V201.ChargingProfile(
            id: p.id, stackLevel: p.stackLevel, chargingProfilePurpose: purpose, chargingProfileKind: kind, chargingSchedule: [schedule],
            recurrencyKind: recurrence, validFrom: p.validFrom.map(clock.stamp), validTo: p.validTo.map(clock.stamp), transactionId: p.transactionId)
    }
}
