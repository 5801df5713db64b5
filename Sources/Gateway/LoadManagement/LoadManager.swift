import CoreMetrics
import Foundation
import Logging
import OCPP
import SessionStore
import Synchronization

/// Station load management (docs/load-management.md): keeps each managed site's piles
/// under its grid limit by pushing TxProfiles. Piles' sessions tell it of starts, stops
/// and power readings (a dictionary lookup and the site's lock; never a wait); a worker
/// task per site, one at most, re-balances and sends the pushes off the piles' paths.
final class LoadManager: Sendable {
    /// What sends a TxProfile: the gateway's `setChargingProfile`. Answers the pile's status,
    /// or throws when it did not answer.
    typealias Pusher = @Sendable (_ chargePointId: String, _ connectorId: Int, _ profile: JSON) async throws(CommandFailure) -> String

    /// Who the pushes are issued by, in the pile's command history.
    static let issuer = "load-management"
    /// The stack level of every TxProfile the gateway sends for load management.
    static let stackLevel = 1
    /// Profile ids are this plus the connector (EVSE) id: one per connector, replaced in place.
    static let profileIdBase = 1_400_000
    /// TxProfiles in flight per site at once.
    static let pushConcurrency = 16
    /// Rounds one worker runs before leaving the rest to the timer.
    static let maxRounds = 8

    let sites: [String: SiteLoad]
    private let byChargePoint: [String: SiteLoad]
    /// The registry entries of the managed piles.
    private let known: [String: GatewayConfiguration.KnownChargePoint]
    private let configuration: GatewayConfiguration
    private let store: any SessionStore
    private let events: GatewayEvents
    private let logger: Logger
    private let pusher = Mutex<Pusher?>(nil)
    private let timer = Mutex<Task<Void, Never>?>(nil)
    /// Delay before a round, so a burst of triggers becomes one re-balance.
    let settleDelay: Duration
    private let pushed: Counter
    private let refused: Counter
    private let overLimit: Counter

    init(configuration: GatewayConfiguration, store: any SessionStore, events: GatewayEvents, logger: Logger, settleDelay: Duration = .milliseconds(100)) {
        self.configuration = configuration
        self.store = store
        self.events = events
        self.logger = logger
        self.settleDelay = settleDelay
        let managed = configuration.sites.filter { $0.gridLimitKW != nil }.map(SiteLoad.init)
        sites = Dictionary(managed.map { ($0.settings.id, $0) }, uniquingKeysWith: { first, _ in first })
        var byChargePoint: [String: SiteLoad] = [:]
        var known: [String: GatewayConfiguration.KnownChargePoint] = [:]
        for pile in configuration.chargePoints {
            guard let station = pile.station, let site = sites[station], byChargePoint[pile.id] == nil else { continue }
            byChargePoint[pile.id] = site
            known[pile.id] = pile
        }
        self.byChargePoint = byChargePoint
        self.known = known
        pushed = Counter(label: "pilegate_site_profiles_pushed_total", dimensions: [("answer", "accepted")])
        refused = Counter(label: "pilegate_site_profiles_pushed_total", dimensions: [("answer", "refused")])
        overLimit = Counter(label: "pilegate_site_over_limit_findings_total")
    }

    /// Whether any site is managed (else every entry point returns at once).
    var isOn: Bool { !byChargePoint.isEmpty }

    /// The managed site a pile belongs to.
    func site(ofChargePoint id: String) -> SiteLoad? { byChargePoint[id] }

    /// Connects the manager to the gateway's command path and starts the timer.
    func attach(_ push: @escaping Pusher) {
        pusher.withLock { $0 = push }
        guard isOn else { return }
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard let self else { return }
                self.tick(now: Date())
            }
        }
        timer.withLock { $0 = task }
    }

    /// Stops the timer (the gateway is shutting down).
    func stop() {
        timer.withLock {
            $0?.cancel()
            $0 = nil
        }
        pusher.withLock { $0 = nil }
    }

    /// Sites whose `rebalanceSeconds` have passed since their last re-balance.
    func tick(now: Date) {
        for site in sites.values {
            let last = site.state.withLock { $0.lastRebalance }
            // Half a tick early rather than a whole tick late (the tick is 1 s).
            if last.map({ now.timeIntervalSince($0) >= site.settings.rebalanceSeconds - 0.5 }) ?? true { schedule(site) }
        }
    }

    // MARK: What piles report (on their event loops)

    /// A transaction began (its StartTransaction answered, or its 2.0.1 Started stored).
    func sessionStarted(
        chargePointId: String, connectorId: Int, sessionId: Int64, version: OCPPVersion, transactionRef: String?, account: Account?, at time: Date
    ) {
        guard let site = byChargePoint[chargePointId] else { return }
        let known = known[chargePointId]
        let floor = site.settings.floors
            .filter { $0.matches(account: account?.id, group: account?.group, network: known?.network, chargePoint: chargePointId) }
            .map(\.floorKW).max() ?? 0
        let session = SiteSession(
            sessionId: sessionId, chargePointId: chargePointId, connectorId: connectorId, version: version, transactionRef: transactionRef,
            startedAt: time, floorKW: floor, maxKW: Self.hardwareMaxKW(known, site: site.settings))
        let added = site.state.withLock { state -> Bool in
            guard state.sessions[sessionId] == nil else { return false }
            state.start(session)
            return true
        }
        if added { schedule(site) }
    }

    /// A reading of the outlet's active power, W (already range-checked by the meter rules).
    func powerMeasured(chargePointId: String, sessionId: Int64, watts: Double, at time: Date) {
        guard let site = byChargePoint[chargePointId], watts.isFinite else { return }
        let kW = min(max(watts / 1000, 0), 1_000_000)
        let outcome = site.state.withLock { state -> (Bool, String?)? in
            state.sessions[sessionId]?.measured(kW, at: time, settings: site.settings)
        }
        guard let (rebalance, overLimit) = outcome else { return }
        if let overLimit { record(.siteLimitExceeded, chargePointId: chargePointId, sessionId: sessionId, detail: overLimit) }
        if rebalance { schedule(site) }
    }

    /// A transaction ended (or was closed without the pile).
    func sessionStopped(chargePointId: String, sessionId: Int64) {
        guard let site = byChargePoint[chargePointId] else { return }
        let removed = site.state.withLock { $0.stop(sessionId: sessionId) }
        if removed { schedule(site) }
    }

    /// The pile's most power: its registry entry's `maxPowerKW`, else current × voltage,
    /// else the site's limit (nothing caps it below that).
    static func hardwareMaxKW(_ known: GatewayConfiguration.KnownChargePoint?, site: SiteSettings) -> Double {
        if let kW = known?.maxPowerKW, kW.isFinite, kW > 0 { return kW }
        if let a = known?.maxCurrentA, let v = known?.maxVoltageV, a.isFinite, v.isFinite, a > 0, v > 0 {
            return a * v * (known?.current == .ac ? 3 : 1) / 1000
        }
        return site.gridLimitKW ?? 0
    }

    // MARK: Re-balancing (off the piles' paths)

    /// Starts the site's worker unless one runs (then it runs another round).
    func schedule(_ site: SiteLoad) {
        guard site.trigger() else { return }
        Task { await self.work(site) }
    }

    /// Runs rounds while triggers keep coming, `maxRounds` at most.
    private func work(_ site: SiteLoad) async {
        for round in 1...Self.maxRounds {
            try? await Task.sleep(for: settleDelay)
            site.beginRound()
            let now = Date()
            let pushes = site.state.withLock { $0.plan(site.settings, now: now) }
            site.updateGauges(now: now)
            await send(pushes, site)
            if !site.endRound(last: round == Self.maxRounds) { return }
        }
    }

    private func send(_ pushes: [PlannedPush], _ site: SiteLoad) async {
        guard !pushes.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for push in pushes {
                if inFlight >= Self.pushConcurrency {
                    await group.next()
                    inFlight -= 1
                }
                group.addTask { await self.send(push, site) }
                inFlight += 1
            }
        }
    }

    private func send(_ push: PlannedPush, _ site: SiteLoad) async {
        let profile = Self.txProfile(push)
        let sentAt = Date()
        var answer: String
        var accepted = false
        var rejected = false
        if let pusher = pusher.withLock({ $0 }) {
            do {
                answer = try await pusher(push.chargePointId, push.connectorId, profile)
                accepted = answer == "Accepted"
                rejected = !accepted
            } catch {
                switch error {
                case .pileError(let code, _):
                    answer = "CALLERROR \(code)"
                    rejected = true
                default:
                    answer = "failed: \(error.code)"
                    logger.notice("TxProfile not delivered: \(error)", metadata: ["chargePoint": "\(push.chargePointId)"])
                }
            }
        } else {
            answer = "failed: gateway stopping"
        }
        let now = Date()
        let running = site.state.withLock { $0.answered(push, answer: answer, accepted: accepted, rejected: rejected, sentAt: sentAt, at: now) }
        (accepted ? pushed : refused).increment()
        if rejected && running {
            record(
                .siteProfileRejected, chargePointId: push.chargePointId, sessionId: push.sessionId,
                detail: String(format: "TxProfile of %.1f kW on connector %d answered %@", push.limitKW, push.connectorId, answer))
            schedule(site)
        }
    }

    /// The TxProfile for a push: one period from the transaction's start, in W, in the
    /// pile's version (1.6 `transactionId` is the session id, 2.0.1's the station's own).
    static func txProfile(_ push: PlannedPush) -> JSON {
        let id = JSON.integer(Int64(profileIdBase + push.connectorId))
        let period: JSON = ["startPeriod": 0, "limit": .number((push.limitKW * 1000).rounded(.down))]
        switch push.version {
        case .v16:
            return [
                "chargingProfileId": id, "transactionId": .integer(push.sessionId), "stackLevel": .integer(Int64(stackLevel)),
                "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",
                "chargingSchedule": ["chargingRateUnit": "W", "chargingSchedulePeriod": [period]],
            ]
        case .v201:
            return [
                "id": id, "stackLevel": .integer(Int64(stackLevel)), "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",
                "transactionId": .string(push.transactionRef ?? String(push.sessionId)),
                "chargingSchedule": [["id": id, "chargingRateUnit": "W", "chargingSchedulePeriod": [period]]],
            ]
        }
    }

    /// Stores a finding of the site rules, unless the pile's policy ignores the rule.
    private func record(_ rule: FindingRule, chargePointId: String, sessionId: Int64, detail: String) {
        let known = known[chargePointId]
        guard configuration.policy(network: known?.network, model: known?.model).checks(rule) else { return }
        if rule == .siteLimitExceeded { overLimit.increment() }
        let finding = FindingRecord(
            rule: rule.id, severity: rule.severity.rawValue, chargePointId: chargePointId, sessionId: sessionId, messageId: nil, detail: detail,
            time: Date())
        store.submit(.none, frame: nil, findings: [finding]) { _ in }
        events.publish(.finding(finding))
    }
}
