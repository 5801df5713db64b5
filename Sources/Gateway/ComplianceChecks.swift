import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// The findings one CALL produced and, under a strict policy, the CALLERROR it earns.
struct Verdict {
    var findings: [FindingRecord] = []
    var rejection: RPCError?
}

/// The semantic rules, checked as each frame arrives, against `ComplianceState`. Each
/// check is a few dictionary look-ups: no locks, no store reads on the frame's path.
extension ChargePointSession {
    var clockTolerance: Double { services.configuration.clockTolerance }

    /// Adds a finding; under a strict policy a rule with a strict reply also rejects the CALL,
    /// unless `mayReject` is false (a message the spec says to acknowledge anyway).
    func flag(
        _ rule: FindingRule, _ detail: String, call: IncomingCall, sessionId: Int64? = nil, mayReject: Bool = true,
        into verdict: inout Verdict
    ) {
        guard policy.checks(rule) else { return }
        if shouldRecord(rule) { verdict.findings.append(finding(rule, detail, messageId: call.messageId, sessionId: sessionId)) }
        if mayReject, mode == .strict, let code = rule.strictReply, verdict.rejection == nil {
            verdict.rejection = RPCError(code, "\(rule.id): \(detail)")
        }
    }

    /// False for a rule the pile's policy ignores, or a once-per-connection rule already
    /// recorded on this connection. Every finding goes through here (or `flag`, `record`).
    func shouldRecord(_ rule: FindingRule) -> Bool {
        policy.checks(rule) && (rule.recorded != .oncePerConnection || compliance.recordedOnce.insert(rule.id).inserted)
    }

    /// Answers a rejected verdict with its CALLERROR (storing its findings) and returns true.
    func rejected(_ verdict: Verdict, _ call: IncomingCall) -> Bool {
        guard let error = verdict.rejection else { return false }
        if !verdict.findings.isEmpty { store.submit(.none, frame: nil, findings: verdict.findings) { _ in } }
        replyError(to: call, error)
        return true
    }

    // MARK: Every CALL and frame

    /// Message id reuse: a different CALL under an id among the connection's last 64.
    func checkMessageId(_ call: IncomingCall) -> Bool {
        guard compliance.recentCalls.reused(id: call.messageId, action: call.action, payload: call.payload) else { return false }
        var verdict = Verdict()
        flag(.messageIdReused, "\(call.action) reuses message id \(call.messageId) of an earlier, different CALL", call: call, into: &verdict)
        if rejected(verdict, call) { return true }
        if !verdict.findings.isEmpty { store.submit(.none, frame: nil, findings: verdict.findings) { _ in } }
        return false
    }

    /// Silence: checked when the next frame arrives, so no timer runs per pile.
    func noteIncoming(at time: Date) {
        defer { compliance.lastIncoming = time }
        guard clockTolerance > 0, let interval = compliance.heartbeatInterval, let last = compliance.lastIncoming else { return }
        let silence = time.timeIntervalSince(last)
        if silence > 2 * interval.upperBound {
            record(.silentTooLong, "no message for \(Int(silence)) s; heartbeat interval \(Int(interval.upperBound)) s", messageId: nil)
        }
    }

    /// Our own CALLs that change what the pile may do: TriggerMessage, HeartbeatInterval
    /// (1.6 ChangeConfiguration, 2.0.1 SetVariables of OCPPCommCtrlr.HeartbeatInterval).
    /// The action names are the same in both versions where they overlap.
    func noteOutgoing(_ tap: FrameTap) {
        noteConfigurationCall(tap)
        noteProfilesCall(tap)
        noteBootCause(tap)
        switch tap.action {
        case V16.TriggerMessage.name:
            compliance.lastTrigger = tap.time
        case V16.ChangeConfiguration.name, V201.SetVariables.name:
            guard let frame = try? JSONParser.parse(tap.text), let payload = frame.arrayValue?.last else { return }
            let values: [String?]
            if tap.action == V16.ChangeConfiguration.name {
                values = payload["key"]?.stringValue == "HeartbeatInterval" ? [payload["value"]?.stringValue] : []
            } else {
                values = (payload["setVariableData"]?.arrayValue ?? [])
                    .filter { $0["variable"]?["name"]?.stringValue == "HeartbeatInterval" }.map { $0["attributeValue"]?.stringValue }
            }
            for value in values.compactMap({ $0.flatMap(Double.init) }) where value.isFinite && value > 0 {
                guard let current = compliance.heartbeatInterval else { return }
                compliance.heartbeatInterval = min(current.lowerBound, value)...max(current.upperBound, value)
                compliance.lastHeartbeat = nil
            }
        default:
            break
        }
    }

    // MARK: Clocks and heartbeats

    /// A timestamp against the receive time. Ahead is always wrong (queued messages are
    /// old, never new); behind counts only once the connection has been open for the
    /// tolerance itself, after any queue replay of a reconnect has drained.
    func checkClock(_ time: Date?, what: String, call: IncomingCall, sessionId: Int64? = nil, into verdict: inout Verdict) {
        guard clockTolerance > 0, let time else { return }
        let skew = time.timeIntervalSince(call.receivedAt)
        if skew > clockTolerance {
            flag(.timestampAhead, "\(what) is \(Int(skew)) s ahead of the gateway's clock", call: call, sessionId: sessionId, into: &verdict)
        } else if -skew > clockTolerance && call.receivedAt.timeIntervalSince(compliance.openedAt) >= clockTolerance {
            flag(.timestampBehind, "\(what) is \(Int(-skew)) s behind the gateway's clock", call: call, sessionId: sessionId, into: &verdict)
        }
    }

    func checkHeartbeat(_ call: IncomingCall) -> [FindingRecord] {
        defer { compliance.lastHeartbeat = call.receivedAt }
        guard clockTolerance > 0, let interval = compliance.heartbeatInterval, let last = compliance.lastHeartbeat else { return [] }
        let gap = call.receivedAt.timeIntervalSince(last)
        let triggered = compliance.lastTrigger.map { $0 >= last } ?? false
        guard gap < interval.lowerBound / 2, !triggered, shouldRecord(.heartbeatTooFrequent) else { return [] }
        return [finding(.heartbeatTooFrequent, "Heartbeat \(String(format: "%.1f", gap)) s after the previous one; interval \(Int(interval.lowerBound)) s", messageId: call.messageId)]
    }

    // MARK: Statuses

    func checkStatus(_ change: ConnectorChange, _ call: IncomingCall, reported: Bool = true, into verdict: inout Verdict) {
        let connectorId = change.connectorId
        checkClock(change.timestamp, what: "StatusNotification timestamp", call: call, into: &verdict)
        checkStatusState(change, call, reported: reported, into: &verdict)
        if let problem = ConnectorTransitions.violation(connectorId: connectorId, from: compliance.statuses[connectorId], to: change.state) {
            flag(.illegalStatusTransition, problem, call: call, into: &verdict)
        }
        if change.state == .faulted && change.errorCode == "NoError" {
            flag(.faultedWithoutError, "connector \(connectorId) reported Faulted with errorCode NoError", call: call, into: &verdict)
        }
        // The pile is in the reported status whether or not we accept the message.
        compliance.statuses[connectorId] = change.state
        compliance.awaitingStatusAfterStop.remove(connectorId)
        if let time = change.timestamp { compliance.noteStatusTime(time, connectorId: connectorId, charging: change.state.isChargingLike) }
        if let id = compliance.runningTransaction(onConnector: connectorId) {
            if change.state.isChargingLike { compliance.transactions[id]?.sawChargingStatus = true }
            if change.state != .charging { compliance.transactions[id]?.meter.interrupted = true }
        }
    }

    // MARK: Transactions

    func checkStart(connectorId: Int, timestamp: Date, _ call: IncomingCall, into verdict: inout Verdict) {
        checkClock(timestamp, what: "StartTransaction timestamp", call: call, into: &verdict)
        if compliance.awaitingStatusAfterStop.remove(connectorId) {
            flag(
                .statusMissingAroundSession, "connector \(connectorId) reported no status between the previous StopTransaction and this start",
                call: call, into: &verdict)
        }
        if verdict.rejection == nil { compliance.startingConnectors.insert(connectorId) }
    }

    /// After the store answered the start: the transaction is followed from here. A repeated
    /// start (docs/ocpp-notes.md, pitfall 9) names a transaction that may have stopped since: not followed again.
    /// `meterStartWh` is nil when the start carries no reading of its own (2.0.1: the Started
    /// event's readings follow as samples).
    func trackStart(_ id: Int64, connectorId: Int, startTime: Date, meterStartWh: Int64?, accepted: Bool, duplicate: Bool) {
        compliance.startingConnectors.remove(connectorId)
        guard !duplicate, compliance.transactions[id] == nil else { return }
        // A connector runs one transaction at a time: what we kept of earlier ones can go.
        compliance.transactions = compliance.transactions.filter { $0.value.connectorId != connectorId }
        compliance.transactions[id] = .init(
            connectorId: connectorId, startTime: startTime, meterStartWh: meterStartWh.map(Double.init),
            highestEnergyWh: meterStartWh.map(Double.init), highestEnergyAt: meterStartWh == nil ? nil : startTime,
            sawChargingStatus: compliance.statuses[connectorId]?.isChargingLike ?? false
                || compliance.statusTimes[connectorId].map { $0.charging >= startTime } ?? false,
            accepted: accepted)
    }

    /// Energy register readings against the transaction's highest so far. Only a reading
    /// taken *after* the highest one may not be lower: transactionData repeats the
    /// Transaction.Begin reading, which is older and lower, and that is right. Each rise is
    /// judged against the power reported with it (MeterPhysics.swift).
    func checkEnergy(_ points: [MeterPoint], transaction id: Int64?, what: String, call: IncomingCall, into verdict: inout Verdict) {
        guard let id, var tx = compliance.transactions[id] else { return }
        for point in points {
            if tx.highestEnergyWh != nil, point.time < tx.highestEnergyAt ?? .distantPast {
                continue  // older than the highest reading: no order to judge against it
            }
            guard let value = point.registerWh else {
                if let power = point.powerW { tx.meter.note(powerW: power) }
                continue
            }
            if scaleMismatch(point, value: value, &tx, id: id, what: what, call: call, into: &verdict) {
                continue
            } else if let highest = tx.highestEnergyWh, value < highest - Self.registerResolutionWh {
                if let before = tx.meter.beforeJumpWh, value >= before - Self.registerResolutionWh {
                    // A spike that came back: the jump was its finding.
                    tx.meter.beforeJumpWh = nil
                    tx.meter.startInterval(powerW: point.powerW)
                    tx.highestEnergyWh = value
                    tx.highestEnergyAt = point.time
                } else if !tx.energyFindingMade {
                    flag(
                        .energyRegisterDecreased, "\(what) \(value.wholeText) Wh is below the earlier \(highest.wholeText) Wh of transaction \(id)",
                        call: call, sessionId: id, into: &verdict)
                    tx.energyFindingMade = true
                }
            } else {
                judgeInterval(to: point, value: value, &tx, id: id, what: what, call: call, into: &verdict)
                tx.highestEnergyWh = value
                tx.highestEnergyAt = point.time
            }
        }
        // A rejected message moves nothing but the once-per-transaction marks (the pile retries it).
        if verdict.rejection == nil {
            compliance.transactions[id] = tx
        } else {
            compliance.transactions[id]?.energyFindingMade = tx.energyFindingMade
            compliance.transactions[id]?.meter.found = tx.meter.found
        }
    }

    /// MeterValues: clock, readings outside any transaction, register going backwards.
    /// Returns the transaction the readings belong to, when this connection knows it.
    func checkMeterValues(
        connectorId: Int, transactionId: Int64?, samples: [SampleRecord], _ call: IncomingCall, into verdict: inout Verdict
    ) -> Int64? {
        let latest = samples.map(\.time).max()
        // Named and known here, or (unnamed) the connector's running one. An id we do not
        // follow is left to the store, which knows whether the session exists.
        let owner: Int64?
        if let transactionId {
            owner = compliance.transactions[transactionId] != nil ? transactionId : nil
        } else {
            owner = compliance.runningTransaction(onConnector: connectorId)
        }
        checkClock(latest, what: "MeterValues timestamp", call: call, sessionId: owner, into: &verdict)
        if transactionId == nil && connectorId > 0 && owner == nil && !compliance.startingConnectors.contains(connectorId),
            let status = compliance.statuses[connectorId], status.isIdle,
            let context = samples.lazy.compactMap(\.context).first(where: ReadingContext.transactionBound.contains)
        {
            flag(
                .meterValuesOutsideTransaction, "\(context) readings for connector \(connectorId), which is \(status.rawValue) with no transaction",
                call: call, into: &verdict)
        }
        // Readings the state rules already name (after the stop, a repeated Begin) are not judged again here.
        let judged = checkSamplesState(connectorId: connectorId, transactionId: transactionId, owner: owner, samples: samples, call, into: &verdict)
        checkEnergy(Self.meterPoints(judged), transaction: owner, what: "Energy.Active.Import.Register", call: call, into: &verdict)
        return owner
    }

    func checkStop(_ stop: SessionStop, _ call: IncomingCall, into verdict: inout Verdict) {
        let id = stop.transactionId
        checkClock(
            stop.stopTime, what: "StopTransaction timestamp", call: call, sessionId: compliance.transactions[id] != nil ? id : nil,
            into: &verdict)
        guard let tx = compliance.transactions[id], !tx.stopped else { return }
        if let start = tx.startTime, stop.stopTime < start {
            flag(
                .stopBeforeStart, "stopped at \(OCPPTimestamp.format(stop.stopTime)), before its start at \(OCPPTimestamp.format(start))",
                call: call, sessionId: id, into: &verdict)
        }
        checkEnergy(Self.meterPoints(stop.samples), transaction: id, what: "transactionData register", call: call, into: &verdict)
        // meterStop below meterStart has its own rule (session.meter-stop-below-start); below a
        // later reading is this one. Readings 1000 times off meterStart are not its scale.
        if let meterStart = tx.meterStartWh, Double(stop.meterStopWh) >= meterStart, compliance.transactions[id]?.meter.scaleMismatch != true {
            let point = MeterPoint(time: stop.stopTime, registerWh: Double(stop.meterStopWh))
            checkEnergy([point], transaction: id, what: "meterStop", call: call, into: &verdict)
        }
        if tx.startTime != nil && tx.accepted && !tx.sawChargingStatus {
            flag(
                .statusMissingAroundSession, "no Charging, SuspendedEV or SuspendedEVSE status on connector \(tx.connectorId) during transaction \(id)",
                call: call, sessionId: id, into: &verdict)
        }
    }

    /// After the store stopped the transaction: a status should follow. The entry stays
    /// (marked) so late readings still compare with it and are not adopted as running.
    func trackStop(_ id: Int64, stopTime: Date) {
        guard let tx = compliance.transactions[id] else { return }
        compliance.transactions[id]?.stopped = true
        // A status stamped after the stop may have come first (a queue that sends statuses
        // ahead of transaction messages): then nothing is missing.
        if compliance.statusTimes[tx.connectorId].map({ $0.any < stopTime }) ?? true {
            compliance.awaitingStatusAfterStop.insert(tx.connectorId)
        }
        compliance.state.knownIdle.insert(tx.connectorId)
    }


    typealias Reading = (time: Date, wh: Double)

    /// How far a register may read below an earlier reading without going backwards: one
    /// Wh, the resolution of an integer register (a fractional meterStart is read as the
    /// whole Wh nearest, and the same reading in transactionData may be its floor).
    static let registerResolutionWh = 1.0

    /// The total import register (no phase, at the outlet) readings, in Wh.
    static func energyRegister(_ samples: [SampleRecord]) -> [Reading] {
        samples.filter { $0.isOutletEnergyRegister && $0.unit == "Wh" }.map { ($0.time, $0.value) }
    }
}

extension ChargePointSession {
    /// A transaction started on an earlier connection (or before a gateway restart) that
    /// the store knows: followed from its first readings here.
    func adopt(_ id: Int64, connectorId: Int, readings: [Reading]) {
        guard compliance.transactions[id] == nil, compliance.transactions.count < 16, let latest = readings.max(by: { $0.time < $1.time })
        else { return }
        compliance.transactions[id] = .init(connectorId: connectorId, highestEnergyWh: latest.wh, highestEnergyAt: latest.time)
    }
}
