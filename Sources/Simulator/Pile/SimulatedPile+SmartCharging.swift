import Foundation
import OCPP

/// A charging profile as the pile keeps it (OCPP 1.6 Smart Charging, §3.13, §5.16, §6.43).
struct InstalledProfile: Sendable, Equatable {
    let profile: V16.ChargingProfile
    /// When SetChargingProfile installed it: an Absolute or Recurring profile without
    /// startSchedule starts here.
    let installedAt: Date
}

/// Volts per phase for limits in amperes on an AC pile; a DC pile uses the pack's voltage.
let acPhaseVoltage = 230.0

extension SimulatedPile {
    /// SetChargingProfile: ChargePointMaxProfile only on connector 0, TxProfile only on a
    /// connector with a transaction (and its transactionId, when given). A profile replaces
    /// the one with its id, and the one with its purpose and stack level on its connector.
    func setChargingProfile(_ request: V16.SetChargingProfile.Request) -> V16.SetChargingProfile.Response {
        if let forced = scripted(V16.SetChargingProfile.name, V16.ChargingProfileStatus.self) { return .init(status: forced) }
        let p = request.csChargingProfiles
        let connector = request.connectorId
        guard connector == 0 || index(of: connector) != nil else { return .init(status: .Rejected) }
        guard p.stackLevel <= ConfigurationStore.maxStackLevel,
            p.chargingSchedule.chargingSchedulePeriod.count <= ConfigurationStore.maxSchedulePeriods,
            p.chargingProfileKind != .Recurring || p.recurrencyKind != nil
        else { return .init(status: .Rejected) }
        switch p.chargingProfilePurpose {
        case .ChargePointMaxProfile:
            guard connector == 0 else { return .init(status: .Rejected) }
        case .TxDefaultProfile:
            break
        case .TxProfile:
            guard connector > 0, let transaction = connectors[index(of: connector)!].transaction else { return .init(status: .Rejected) }
            if let id = p.transactionId, id != transaction.id { return .init(status: .Rejected) }
        }
        // What was delivered so far was delivered under the old limits.
        advance(until: context.clock.now())
        for key in chargingProfiles.keys {
            chargingProfiles[key]?.removeAll {
                $0.profile.chargingProfileId == p.chargingProfileId
                    || (key == connector && $0.profile.stackLevel == p.stackLevel && $0.profile.chargingProfilePurpose == p.chargingProfilePurpose)
            }
        }
        guard chargingProfiles.values.map(\.count).reduce(0, +) < ConfigurationStore.maxProfilesInstalled else { return .init(status: .Rejected) }
        chargingProfiles[connector, default: []].append(InstalledProfile(profile: p, installedAt: context.clock.now()))
        return .init(status: .Accepted)
    }

    /// A RemoteStartTransaction's chargingProfile: a TxProfile for the transaction it starts
    /// (1.6 §5.11), installed when the transaction begins; other purposes are ignored.
    func installRemoteStartProfile(_ p: V16.ChargingProfile, connector: Int) {
        guard profile.featureProfiles.contains(.SmartCharging), p.chargingProfilePurpose == .TxProfile else { return }
        chargingProfiles[connector]?.removeAll { $0.profile.chargingProfileId == p.chargingProfileId || $0.profile.chargingProfilePurpose == .TxProfile }
        chargingProfiles[connector, default: []].append(InstalledProfile(profile: p, installedAt: context.clock.now()))
    }

    /// ClearChargingProfile: by id (the other fields ignored), or every profile matching the
    /// connector, purpose and stack level given. Unknown when nothing matched.
    func clearChargingProfile(_ request: V16.ClearChargingProfile.Request) -> V16.ClearChargingProfile.Response {
        if let forced = scripted(V16.ClearChargingProfile.name, V16.ClearChargingProfileStatus.self) { return .init(status: forced) }
        advance(until: context.clock.now())
        var removed = 0
        for key in chargingProfiles.keys {
            let before = chargingProfiles[key]?.count ?? 0
            chargingProfiles[key]?.removeAll { installed in
                let p = installed.profile
                if let id = request.id { return p.chargingProfileId == id }
                return (request.connectorId.map { $0 == key } ?? true)
                    && (request.chargingProfilePurpose.map { $0 == p.chargingProfilePurpose } ?? true)
                    && (request.stackLevel.map { $0 == p.stackLevel } ?? true)
            }
            removed += before - (chargingProfiles[key]?.count ?? 0)
        }
        return .init(status: removed > 0 ? .Accepted : .Unknown)
    }

    /// GetCompositeSchedule: the limit in force on `connectorId` (0: the pile's ChargePointMaxProfile)
    /// from now for `duration` seconds, one period per change. Without a profile in force a
    /// period carries the pile's own maximum. Simplifications: per purpose the valid profile of
    /// the highest stack level wins, TxProfile over TxDefaultProfile; the composite is the lower of
    /// that and ChargePointMaxProfile (applied per gun); amperes convert at 230 V × phases (AC)
    /// or the pack voltage (DC).
    func compositeSchedule(_ request: V16.GetCompositeSchedule.Request) -> V16.GetCompositeSchedule.Response {
        let connector = request.connectorId
        guard connector == 0 || index(of: connector) != nil, request.duration > 0 else { return .init(status: .Rejected) }
        let now = context.clock.now()
        let end = now.addingTimeInterval(Double(request.duration))
        let unit = request.chargingRateUnit ?? .W
        var times: Set<Date> = [now]
        for installed in relevantProfiles(connector) {
            for t in changeTimes(installed, connector: connector, from: now, to: end, origin: now) where t > now && t < end { times.insert(t) }
        }
        var periods: [V16.ChargingSchedulePeriod] = []
        for t in times.sorted() {
            let ownMaxKW = connector == 0 ? profile.totalPowerKW : profile.maxPowerKW
            let kW = min(limitKW(connector: connector, at: t, origin: now) ?? .infinity, ownMaxKW)
            let value = unit == .W ? kW * 1000 : kW * 1000 / voltsPerAmp(connector: connector, phases: nil)
            let limit = (value * 10).rounded() / 10
            if periods.last?.limit != limit { periods.append(.init(startPeriod: Int(t.timeIntervalSince(now).rounded()), limit: limit)) }
        }
        let schedule = V16.ChargingSchedule(
            duration: request.duration, startSchedule: context.clock.stamp(now), chargingRateUnit: unit, chargingSchedulePeriod: periods)
        return .init(status: .Accepted, connectorId: connector, scheduleStart: context.clock.stamp(now), chargingSchedule: schedule)
    }

    /// The power limit, kW, the charging profiles set on `connector` at `time` (0: the pile,
    /// its ChargePointMaxProfile); nil when none is in force. A Relative profile counts from the
    /// connector's transaction, or from `origin` (the composite's start) when there is none.
    func limitKW(connector: Int, at time: Date, origin: Date? = nil) -> Double? {
        let pileMax = winner(.ChargePointMaxProfile, on: 0, connector: connector, at: time, origin: origin)
        guard connector != 0 else { return pileMax }
        let tx = winner(.TxProfile, on: connector, connector: connector, at: time, origin: origin)
            ?? winner(.TxDefaultProfile, on: connector, connector: connector, at: time, origin: origin)
            ?? winner(.TxDefaultProfile, on: 0, connector: connector, at: time, origin: origin)
        switch (tx, pileMax) {
        case (let a?, let b?): return min(a, b)
        case (let a, let b): return a ?? b
        }
    }

    /// The kW limit of the highest-stack-level profile of `purpose` installed on `key` in force at `time`.
    private func winner(_ purpose: V16.ChargingProfilePurposeType, on key: Int, connector: Int, at time: Date, origin: Date?) -> Double? {
        let candidates = (chargingProfiles[key] ?? []).filter { $0.profile.chargingProfilePurpose == purpose }
        let inForce = candidates.compactMap { installed in period(of: installed, connector: connector, at: time, origin: origin).map { (installed.profile.stackLevel, $0, installed) } }
        guard let (_, period, installed) = inForce.max(by: { $0.0 < $1.0 }) else { return nil }
        switch installed.profile.chargingSchedule.chargingRateUnit {
        case .W: return period.limit / 1000
        case .A: return period.limit * voltsPerAmp(connector: connector, phases: period.numberPhases) / 1000
        }
    }

    private func relevantProfiles(_ connector: Int) -> [InstalledProfile] {
        connector == 0 ? chargingProfiles[0] ?? [] : (chargingProfiles[connector] ?? []) + (chargingProfiles[0] ?? [])
    }

    /// Watts per ampere: 230 V × phases (3 unless the period says) on AC, the pack (or pile) voltage on DC.
    private func voltsPerAmp(connector: Int, phases: Int?) -> Double {
        if profile.current == .ac { return acPhaseVoltage * Double(phases ?? 3) }
        return connectors.first { $0.id == connector }?.vehicle?.packVoltageV ?? profile.maxVoltageV
    }

    /// When the profile's schedule starts for the cycle holding `time`.
    private func scheduleStart(_ installed: InstalledProfile, connector: Int, at time: Date, origin: Date?) -> Date {
        let p = installed.profile
        let base = p.chargingSchedule.startSchedule.map(context.clock.unstamp) ?? installed.installedAt
        switch p.chargingProfileKind {
        case .Absolute:
            return base
        case .Relative:
            return connectors.first { $0.id == connector }?.transaction?.start ?? origin ?? time
        case .Recurring:
            let cycle: Double = p.recurrencyKind == .Weekly ? 7 * 86_400 : 86_400
            return base.addingTimeInterval((time.timeIntervalSince(base) / cycle).rounded(.down) * cycle)
        }
    }

    /// The schedule period in force at `time`, nil outside the profile's validity and schedule.
    private func period(of installed: InstalledProfile, connector: Int, at time: Date, origin: Date?) -> V16.ChargingSchedulePeriod? {
        let p = installed.profile
        if let from = p.validFrom.map(context.clock.unstamp), time < from { return nil }
        if let to = p.validTo.map(context.clock.unstamp), time >= to { return nil }
        let elapsed = time.timeIntervalSince(scheduleStart(installed, connector: connector, at: time, origin: origin))
        guard elapsed >= 0 else { return nil }
        if let duration = p.chargingSchedule.duration, elapsed >= Double(duration) { return nil }
        return p.chargingSchedule.chargingSchedulePeriod.sorted { $0.startPeriod < $1.startPeriod }.last { Double($0.startPeriod) <= elapsed }
    }

    /// The moments in [from, to] where the profile's limit may change.
    private func changeTimes(_ installed: InstalledProfile, connector: Int, from: Date, to: Date, origin: Date) -> [Date] {
        let p = installed.profile
        var times = [p.validFrom, p.validTo].compactMap { $0.map(context.clock.unstamp) }
        var cycleStart = scheduleStart(installed, connector: connector, at: from, origin: origin)
        let cycle: Double? = p.chargingProfileKind == .Recurring ? (p.recurrencyKind == .Weekly ? 7 * 86_400 : 86_400) : nil
        for _ in 0..<64 {
            times += p.chargingSchedule.chargingSchedulePeriod.map { cycleStart.addingTimeInterval(Double($0.startPeriod)) }
            if let duration = p.chargingSchedule.duration { times.append(cycleStart.addingTimeInterval(Double(duration))) }
            guard let cycle else { break }
            cycleStart = cycleStart.addingTimeInterval(cycle)
            if cycleStart > to { break }
            times.append(cycleStart)
        }
        return times
    }
}
