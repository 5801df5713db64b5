import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// The state rules (FindingRule+State.swift): transactions against what the connector
/// reported, and status discipline. Hooks of the neutral checks (ComplianceChecks.swift,
/// PileEvents.swift), so each covers both versions where the concept exists.
extension ChargePointSession {
    static let inoperative: Set<ConnectorState> = [.faulted, .unavailable]

    /// A word for the neutral connector id: 2.0.1 numbers EVSEs.
    var connectorWord: String { version == .v201 ? "EVSE" : "connector" }

    /// The pile's connector count, when known: its configuration or device model, else the registry.
    var knownConnectorCount: Int? {
        compliance.state.settings.connectorCount ?? services.knownChargePoints[identity]?.connectors
    }

    func checkConnectorCount(_ connectorId: Int, _ call: IncomingCall, into verdict: inout Verdict) {
        guard let count = knownConnectorCount, connectorId > count else { return }
        flag(.connectorBeyondCount, "\(call.action) names \(connectorWord) \(connectorId); the pile has \(count)", call: call, into: &verdict)
    }

    // MARK: Statuses

    /// Before the status is taken: count, storm, a refused transaction charging on; then the
    /// connector's run moves. `reported`: a StatusNotification (a storm is about the wire),
    /// not a state a TransactionEvent implies.
    func checkStatusState(_ change: ConnectorChange, _ call: IncomingCall, reported: Bool, into verdict: inout Verdict) {
        let id = change.connectorId
        if reported { checkConnectorCount(id, call, into: &verdict) }
        notePileTime(change.timestamp)
        var memory = compliance.state
        memory.order &+= 1
        var run = StateMemory.StatusRun(
            state: change.state, order: memory.order, since: change.timestamp ?? call.receivedAt, windowStart: call.receivedAt,
            windowCount: reported ? 1 : 0)
        if let previous = memory.runs[id], previous.state == change.state {
            run.since = previous.since
            let elapsed = call.receivedAt.timeIntervalSince(previous.windowStart)
            if reported && elapsed >= 0 && elapsed < 1 {
                run.windowStart = previous.windowStart
                run.windowCount = min(previous.windowCount + 1, 1_000_000)
            } else if !reported {
                run.windowStart = previous.windowStart
                run.windowCount = previous.windowCount
            }
        }
        if run.windowCount > tolerances.statusRepeatsPerSecond {
            flag(
                .statusStorm, "\(change.state.rawValue) on \(connectorWord) \(id) sent \(run.windowCount) times within one second",
                call: call, into: &verdict)
        }
        memory.runs[id] = run
        if change.state.isIdle || change.state == .finishing { memory.knownIdle.insert(id) }
        if change.state != .charging { memory.idleRegister[id] = nil }
        compliance.state = memory
        if change.state == .charging, let tx = compliance.runningTransaction(onConnector: id),
            let refusal = compliance.transactions[tx]?.refusal, !refusal.flagged, let since = refusal.since
        {
            let at = change.timestamp ?? call.receivedAt
            if at.timeIntervalSince(since) > tolerances.refusedGraceSeconds {
                flag(
                    .chargingAfterRefusal, "\(connectorWord) \(id) reported Charging \(Int(at.timeIntervalSince(since))) s after transaction \(tx) was refused",
                    call: call, sessionId: tx, into: &verdict)
                compliance.transactions[tx]?.refusal?.flagged = true
            }
        }
    }

    /// The connector's own Faulted/Unavailable, or connector 0's when newer than the
    /// connector's own status (a pile that reports its unavailability on 0 only).
    func inoperativeRun(_ connectorId: Int) -> StateMemory.StatusRun? {
        let own = compliance.state.runs[connectorId]
        if let own, Self.inoperative.contains(own.state) { return own }
        guard connectorId != 0, let whole = compliance.state.runs[0], Self.inoperative.contains(whole.state) else { return nil }
        return own.map { whole.order > $0.order } ?? true ? whole : nil
    }

    // MARK: Transactions

    /// Before the start is stored: count, an inoperative connector, a transaction still
    /// running there. A start timestamped before the fault was queued before it: not judged.
    func checkStartState(_ start: SessionStart, _ call: IncomingCall, into verdict: inout Verdict) {
        let id = start.connectorId
        checkConnectorCount(id, call, into: &verdict)
        defer { notePileTime(start.startTime) }
        // A 2.0.1 transaction first heard of in an Updated or Ended event began earlier, elsewhere.
        guard version == .v16 || start.startsNewTransaction else { return }
        if let run = inoperativeRun(id), start.startTime >= run.since {
            flag(
                .startOnInoperativeConnector,
                "transaction started on \(connectorWord) \(id), reported \(run.state.rawValue) since \(OCPPTimestamp.format(run.since))",
                call: call, into: &verdict)
        }
        // Started here, not stopped, not forgotten in a reboot, and not this very start again (session.duplicate-start).
        let running = compliance.transactions.first { entry in
            let tx = entry.value
            guard tx.connectorId == id, !tx.stopped, !tx.stopReceived, !tx.rebooted, let time = tx.startTime else { return false }
            let same =
                abs(time.timeIntervalSince(start.startTime)) < 1 && tx.meterStartWh == Double(start.meterStartWh)
                && tx.idTag?.lowercased() == start.idTag.lowercased()
            return !same
        }
        if let running {
            flag(
                .concurrentTransaction, "a new transaction on \(connectorWord) \(id) while transaction \(running.key) still runs there; that one is closed as superseded",
                call: call, into: &verdict)
        }
    }

    /// After the store answered a new start: its tag, and a refusal's allowance.
    func trackStartState(_ id: Int64, start: SessionStart, token: TokenVerdict) {
        compliance.transactions[id]?.idTag = start.idTag
        guard Self.refusals.contains(token.status), let tx = compliance.transactions[id] else { return }
        // A start queued while offline charged before it could be refused: only what the pile
        // reports from its clock's present on (the latest timestamp it sent here) counts.
        let latest = compliance.state.latestPileTime ?? start.startTime
        let live = start.startTime >= latest
        let baseline = version == .v201 && start.meterStartWh == 0 ? nil : tx.meterStartWh
        compliance.transactions[id]?.refusal = .init(since: max(latest, start.startTime), baselineWh: live ? baseline : nil, live: live)
    }

    /// A token learned after the start (2.0.1) and refused: energy counts from the register now.
    func trackLateRefusal(_ id: Int64, token: TokenVerdict) {
        guard Self.refusals.contains(token.status), let tx = compliance.transactions[id], tx.refusal == nil else { return }
        compliance.transactions[id]?.refusal = .init(since: nil, baselineWh: tx.highestEnergyWh)
    }

    static let refusals: Set<TokenStatus> = [.blocked, .invalid, .expired]

    /// A 2.0.1 event the station says it queued offline: what it reports was delivered before
    /// it could learn of a refusal, so the allowance counts from after it, afresh.
    func offlineReadings(of id: Int64, until time: Date) {
        guard var refusal = compliance.transactions[id]?.refusal else { return }
        refusal.since = max(refusal.since ?? time, time.addingTimeInterval(0.001))
        refusal.baselineWh = nil
        refusal.live = false
        compliance.transactions[id]?.refusal = refusal
    }

    /// The pile's clock as far as its messages have shown it (the latest timestamp).
    func notePileTime(_ time: Date?) {
        guard let time else { return }
        compliance.state.latestPileTime = max(compliance.state.latestPileTime ?? time, time)
    }

    /// MeterValues (and TransactionEvent readings): count, readings after the stop (1.6),
    /// charging with no transaction, a refused transaction's energy, Transaction.Begin again.
    /// Returns the samples left for the register rule: not those of a stopped transaction,
    /// nor a repeated Begin reading (each is its own finding here, one rule per deviation).
    func checkSamplesState(
        connectorId: Int, transactionId: Int64?, owner: Int64?, samples: [SampleRecord], _ call: IncomingCall, into verdict: inout Verdict
    ) -> [SampleRecord] {
        checkConnectorCount(connectorId, call, into: &verdict)
        defer { notePileTime(samples.map(\.time).max()) }
        if let owner, let tx = compliance.transactions[owner], tx.stopReceived || tx.stopped {
            if version == .v16 && transactionId == owner {
                flag(
                    .meterValuesAfterStop, "MeterValues for transaction \(owner) after its StopTransaction", call: call, sessionId: owner,
                    into: &verdict)
            }
            return []
        }
        if let owner {
            checkRefusedEnergy(owner, Self.energyRegister(samples), call, into: &verdict)
            // A 2.0.1 Ended event repeats the Begin readings of TxEndedMeasurands, like 1.6 transactionData.
            let repeated = checkBegin(owner, samples, inStop: version == .v201, call, into: &verdict)
            return repeated.isEmpty ? samples : samples.filter { !($0.context == ReadingContext.transactionBegin && repeated.contains($0.time)) }
        }
        if transactionId == nil { checkChargingWithoutTransaction(connectorId, samples, call, into: &verdict) }
        return samples
    }

    /// A connector in Charging, known idle before on this connection (or since a boot), with no transaction
    /// running or being started, whose readings show power or a rising register.
    func checkChargingWithoutTransaction(_ id: Int, _ samples: [SampleRecord], _ call: IncomingCall, into verdict: inout Verdict) {
        guard id > 0, compliance.statuses[id] == .charging, compliance.state.booted || compliance.state.knownIdle.contains(id),
            !compliance.startingConnectors.contains(id), !compliance.awaitingStatusAfterStop.contains(id),
            compliance.runningTransaction(onConnector: id) == nil
        else { return }
        let power = samples.filter {
            $0.measurand == Measurand.powerImport && $0.unit == "W" && ($0.location ?? "Outlet") == "Outlet"
        }.map(\.value).max()
        var last = compliance.state.idleRegister[id]
        var rise = 0.0
        for reading in Self.energyRegister(samples).sorted(by: { $0.time < $1.time }) {
            if let previous = last { rise = max(rise, reading.wh - previous) }
            last = reading.wh
        }
        compliance.state.idleRegister[id] = last
        let delivering = (power ?? 0) > tolerances.idlePowerW || rise >= 1
        guard delivering else { return }
        let what = (power ?? 0) > tolerances.idlePowerW ? "\((power ?? 0).wholeText) W" : "the register rising \(rise.wholeText) Wh"
        flag(
            .chargingWithoutTransaction, "\(connectorWord) \(id) reports Charging and \(what) with no transaction", call: call,
            into: &verdict)
    }

    /// A refused transaction's energy beyond the allowance, once per transaction.
    func checkRefusedEnergy(_ id: Int64, _ readings: [Reading], _ call: IncomingCall, into verdict: inout Verdict) {
        guard var refusal = compliance.transactions[id]?.refusal, !refusal.flagged else { return }
        let counted = readings.filter { reading in refusal.since.map { reading.time >= $0 } ?? true }
        guard let lowest = counted.min(by: { $0.time < $1.time }), let top = counted.map(\.wh).max() else { return }
        let baseline = refusal.baselineWh ?? lowest.wh
        refusal.baselineWh = baseline
        if top - baseline > tolerances.refusedEnergyWh {
            flag(
                .chargingAfterRefusal, "transaction \(id) delivered \((top - baseline).wholeText) Wh after its token was refused",
                call: call, sessionId: id, into: &verdict)
            refusal.flagged = true
        }
        compliance.transactions[id]?.refusal = refusal
    }

    /// Transaction.Begin readings against the first one: the same reading again (within a
    /// second; in the stop's transactionData, which repeats it, also the same register) is
    /// right. Returns the times of the repeated ones.
    @discardableResult
    func checkBegin(_ id: Int64, _ samples: [SampleRecord], inStop: Bool, _ call: IncomingCall, into verdict: inout Verdict) -> Set<Date> {
        guard var tx = compliance.transactions[id] else { return [] }
        let begins = samples.filter { $0.context == ReadingContext.transactionBegin }
        guard !begins.isEmpty else { return [] }
        var repeated: Set<Date> = []
        for time in Set(begins.map(\.time)).sorted() {
            let wh = begins.first { $0.time == time && $0.isOutletEnergyRegister && $0.unit == "Wh" }?.value
            guard let first = tx.begin else {
                tx.begin = (time, wh)
                continue
            }
            let sameTime = abs(time.timeIntervalSince(first.time)) <= 1
            var sameRegister = false
            if inStop, let wh, let firstWh = first.wh { sameRegister = abs(wh - firstWh) < 0.5 }
            guard !sameTime && !sameRegister else { continue }
            repeated.insert(time)
            if !tx.beginRepeatFlagged {
                flag(
                    .transactionBeginRepeated,
                    "Transaction.Begin at \(OCPPTimestamp.format(time)) after the first at \(OCPPTimestamp.format(first.time)) in transaction \(id)",
                    call: call, sessionId: id, into: &verdict)
                tx.beginRepeatFlagged = true
            }
        }
        compliance.transactions[id]?.begin = tx.begin
        compliance.transactions[id]?.beginRepeatFlagged = tx.beginRepeatFlagged
        return repeated
    }

    /// Before a stop is stored: its tag (1.6), the Transaction.End readings its configuration
    /// promises (1.6; 2.0.1 in `checkEndedReadings`), Begin again, a refused one's energy.
    func checkStopState(_ stop: SessionStop, _ call: IncomingCall, into verdict: inout Verdict) {
        let id = stop.transactionId
        guard let tx = compliance.transactions[id], !tx.stopped, !tx.stopReceived else { return }
        if version == .v16, let tag = stop.idTag, !tag.isEmpty, let startTag = tx.idTag ?? live[id]?.record.idTag, !startTag.isEmpty,
            tag.lowercased() != startTag.lowercased()
        {
            let stopper = services.authorizer.authorize(tag)
            let group = services.authorizer.authorize(startTag).group?.lowercased()
            let sameGroup =
                group != nil && (stopper.group?.lowercased() == group || tag.lowercased() == group)
                || stopper.group?.lowercased() == startTag.lowercased()
            if stopper.status != .accepted && !sameGroup {
                flag(
                    .stopTagMismatch, "stopped with idTag \(tag) (\(stopper.status.rawValue)); transaction \(id) was started by \(startTag)",
                    call: call, sessionId: id, into: &verdict)
            }
        }
        if version == .v16, !stop.samples.isEmpty { checkEndedReadings(stop.samples, sessionId: id, call, into: &verdict) }
        checkBegin(id, stop.samples, inStop: true, call, into: &verdict)
        // An offline start's stop carries the energy it delivered before it could learn of the
        // refusal: only a live refused start's stop figures are judged.
        if tx.refusal?.live == true {
            checkRefusedEnergy(id, Self.energyRegister(stop.samples) + [(stop.stopTime, Double(stop.meterStopWh))], call, into: &verdict)
        }
        if verdict.rejection == nil { compliance.transactions[id]?.stopReceived = true }
    }

    /// The end of a transaction without a Transaction.End reading while the pile's
    /// configuration says it sends them.
    func checkEndedReadings(_ samples: [SampleRecord], sessionId: Int64?, _ call: IncomingCall, into verdict: inout Verdict) {
        guard compliance.state.settings.sendsTransactionEnd == true, !samples.contains(where: { $0.context == ReadingContext.transactionEnd })
        else { return }
        let key = version == .v201 ? "SampledDataCtrlr.TxEndedMeasurands" : "StopTxnSampledData"
        flag(
            .transactionEndMissing, "the transaction ended without Transaction.End readings; \(key) is set", call: call, sessionId: sessionId,
            mayReject: false, into: &verdict)
    }
}
