import Foundation
import OCPP

/// The charging profiles a pile holds, in either version: installed, replaced and cleared
/// as 1.6 §3.13 and 2.0.1 K01–K10 say, and obeyed through the core's `CompositeSchedule`.
/// The smart-charging quirks bend what the physics obeys, never what the pile reports.
extension SimulatedPile {
    enum ProfileAnswer: Equatable { case accepted, rejected(String) }

    /// Installs `p` on `connector` (0: the whole pile) after the checks both versions share:
    /// the purpose's connector, the transaction of a TxProfile, the pile's limits, and the
    /// schedule's own sense. It replaces the profile with its id, and the one with its
    /// purpose and stack level on its connector.
    func install(_ p: ChargingLimitProfile, on connector: Int) -> ProfileAnswer {
        guard connector == 0 || index(of: connector) != nil else { return .rejected("no connector \(connector)") }
        guard p.stackLevel >= 0, p.stackLevel <= ConfigurationStore.maxStackLevel else { return .rejected("stack level above \(ConfigurationStore.maxStackLevel)") }
        guard p.periods.count <= ConfigurationStore.maxSchedulePeriods else { return .rejected("more than \(ConfigurationStore.maxSchedulePeriods) periods") }
        do { _ = try p.validated() } catch { return .rejected(error.description) }
        if case .recurring = p.kind, profile.quirks.contains(.rejectsRecurringProfiles) { return .rejected("recurring profiles are not supported") }
        switch p.purpose {
        case .stationMax, .externalConstraints:
            guard connector == 0 || p.purpose == .externalConstraints else { return .rejected("a maximum profile belongs on connector 0") }
        case .txDefault:
            break
        case .tx:
            guard connector > 0, let running = transactionId(connector) else { return .rejected("no transaction on connector \(connector)") }
            if let id = p.transactionId, id != running { return .rejected("transaction \(id) is not running") }
        }
        // What was delivered so far was delivered under the old limits.
        advance(until: context.clock.now())
        for key in chargingProfiles.keys {
            chargingProfiles[key]?.removeAll { $0.id == p.id || (key == connector && $0.stackLevel == p.stackLevel && $0.purpose == p.purpose) }
        }
        guard chargingProfiles.values.map(\.count).reduce(0, +) < ConfigurationStore.maxProfilesInstalled else { return .rejected("the pile holds its maximum of profiles") }
        chargingProfiles[connector, default: []].append(p)
        advance(until: context.clock.now())  // the power follows at once, not at the next step
        return .accepted
    }

    /// A remote start's profile: a TxProfile for the transaction it starts (1.6 §5.11,
    /// 2.0.1 F01), installed when the transaction begins; other purposes are ignored.
    func installRemoteStartProfile(_ p: ChargingLimitProfile, connector: Int) {
        guard p.purpose == .tx, (try? p.validated()) != nil else { return }
        chargingProfiles[connector]?.removeAll { $0.id == p.id || $0.purpose == .tx }
        chargingProfiles[connector, default: []].append(p)
    }

    /// Removes what matches (by id alone when given) and says how many went.
    func clearProfiles(id: Int?, connector: Int?, purpose: ChargingLimitProfile.Purpose?, stackLevel: Int?) -> Int {
        advance(until: context.clock.now())
        var removed = 0
        for key in chargingProfiles.keys {
            let before = chargingProfiles[key]?.count ?? 0
            chargingProfiles[key]?.removeAll { p in
                if let id { return p.id == id }
                return (connector.map { $0 == key } ?? true) && (purpose.map { $0 == p.purpose } ?? true) && (stackLevel.map { $0 == p.stackLevel } ?? true)
            }
            removed += before - (chargingProfiles[key]?.count ?? 0)
        }
        advance(until: context.clock.now())
        return removed
    }

    /// A TxProfile lives as long as its transaction (1.6 §3.13.2, 2.0.1 K01.FR.05).
    func transactionProfilesEnded(connector: Int) {
        chargingProfiles[connector]?.removeAll { $0.purpose == .tx }
    }

    /// The running transaction's id on `connector`, as its version writes it.
    func transactionId(_ connector: Int) -> String? {
        if speaks201 { return v201.transactions[connector]?.id }
        guard let i = index(of: connector), let transaction = connectors[i].transaction else { return nil }
        return transaction.id.map(String.init) ?? "local-\(transaction.local)"
    }

    /// The profiles bearing on `connector`; with `heardBy`, only those installed by then
    /// (a pile that reads new profiles only when it next samples its meter).
    func profileStack(_ connector: Int, heardBy: Date? = nil) -> ProfileStack {
        func held(_ key: Int) -> [ChargingLimitProfile] {
            let all = chargingProfiles[key] ?? []
            return heardBy.map { time in all.filter { $0.installedAt <= time } } ?? all
        }
        let i = index(of: connector)
        let start = speaks201 ? v201.transactions[connector]?.start : i.flatMap { connectors[$0].transaction?.start }
        let electrics: ChargingElectrics =
            profile.current == .ac
            ? .ac(voltsPerPhase: profile.maxVoltageV, phases: acPhases)
            : .dc(volts: i.flatMap { connectors[$0].vehicle?.packVoltageV } ?? profile.maxVoltageV)
        return ProfileStack(
            evse: connector, evseProfiles: held(connector), stationProfiles: held(0), transaction: start.map { (transactionId(connector), $0) },
            electrics: electrics)
    }

    /// An AC pile's phases, from its rating: 7 kW at 32 A and 220 V is one phase, 22 kW at 32 A three.
    var acPhases: Int {
        let perPhase = profile.maxVoltageV * profile.maxCurrentA
        guard perPhase > 0 else { return 3 }
        return min(max(Int((profile.maxPowerKW * 1000 / perPhase).rounded()), 1), 3)
    }

    /// The power limit, kW, the physics obeys on `connector` at `time` (0: the pile); nil
    /// when none is in force. Here the smart-charging quirks take effect.
    func limitKW(connector: Int, at time: Date) -> Double? {
        let quirks = profile.quirks
        guard !quirks.contains(.ignoresChargingProfiles) else { return nil }
        let sampled = connector == 0 ? connectors.compactMap(\.lastSample).max() : index(of: connector).flatMap { connectors[$0].lastSample }
        let heardBy = quirks.contains(.profileAtNextMeterValues) ? sampled ?? .distantPast : nil
        var stack = profileStack(connector, heardBy: heardBy)
        if quirks.contains(.wattsAsAmperes) {
            // The number of a W limit read as amperes: 7,000 W becomes 7,000 A.
            for key in [\ProfileStack.evseProfiles, \ProfileStack.stationProfiles] {
                stack[keyPath: key] = stack[keyPath: key].map { p in
                    var p = p
                    p.unit = .amperes
                    return p
                }
            }
        }
        guard let limit = CompositeSchedule.limit(stack, at: time) else { return nil }
        var watts = limit.watts
        if quirks.contains(.wholeAmpereRounding) {
            let phases = stack.electrics.phases(allowed: limit.phases)
            let amperes = stack.electrics.value(watts: watts, in: .amperes, phases: phases).rounded()
            watts = stack.electrics.watts(amperes, .amperes, phases: phases)
        }
        // A limit below the car's slowest rate pauses it (1.6 §7.13 minChargingRate).
        if let minimum = limit.minChargingRateWatts, watts < minimum { watts = 0 }
        return watts / 1000
    }

    /// The composite the pile reports (GetCompositeSchedule, both versions): what its
    /// profiles say, capped by its own maximum; quirks do not show here.
    func composite(connector: Int, duration: Int, unit: ChargingLimitProfile.RateUnit) -> CompositeSchedule {
        let ceilingKW = connector == 0 ? profile.totalPowerKW : profile.maxPowerKW
        return CompositeSchedule(
            profileStack(connector), from: context.clock.now(), duration: min(duration, 31 * 86_400), unit: unit, ceilingWatts: ceilingKW * 1000)
    }
}
