import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// A booted pile, as any version describes itself.
struct BootInfo {
    var vendor: String
    var model: String
    var serialNumber: String?
    var firmwareVersion: String?
}

/// A connector's reported state, neutral.
struct ConnectorChange {
    var connectorId: Int
    var state: ConnectorState
    var errorCode: String?
    var info: String?
    var vendorErrorCode: String?
    /// The pile's timestamp, already bounded (WireChecks.swift).
    var timestamp: Date?
}

/// The version-neutral side of a pile's messages: what a handler calls once it has turned
/// its version's message into neutral values. Store, billing, live figures, events,
/// compliance and reconciliation happen here, the same for every version; each function
/// ends in the handler's `reply` (after the commit where the message must be durable).
extension ChargePointSession {
    /// Registers a booted pile. Returns the verdict and the interval to hand it.
    func booted(_ boot: BootInfo, _ call: IncomingCall, findings: [FindingRecord]) -> (RegistrationVerdict, interval: Int) {
        let known = services.knownChargePoints[identity]
        let status: RegistrationVerdict
        if known != nil || services.knownChargePoints.isEmpty && services.configuration.unknownChargePoints == .accept {
            status = .accepted
        } else {
            switch services.configuration.unknownChargePoints {
            case .accept: status = .accepted
            case .pending: status = .pending
            case .reject, .refuse: status = .rejected
            }
        }
        let now = Date()
        let record = ChargePointRecord(
            id: identity, network: known?.network, vendor: boot.vendor, model: boot.model, serialNumber: boot.serialNumber,
            firmwareVersion: boot.firmwareVersion, ocppVersion: version.label, registrationStatus: status.rawValue,
            firstSeen: now, lastSeen: now, connected: true)
        logger.info("boot \(boot.vendor) \(boot.model): \(status.rawValue)")
        modelBooted(boot.model)
        let findings = findings + checkBoot(call, accepted: status == .accepted)
        compliance.pileRebooted()
        let heartbeat = Double(services.configuration.heartbeatInterval)
        compliance.heartbeatInterval = status == .accepted ? heartbeat...heartbeat : nil
        store.submit(.chargePointBooted(record), frame: nil, findings: findings) { _ in }
        // A rebooted pile reports its unfinished transactions (StopTransaction from its
        // queue) soon after booting; what it never mentions, it has forgotten.
        suspectForgotten(connectorId: nil, reason: .pileRebooted, since: call.receivedAt)
        return (status, status == .accepted ? services.configuration.heartbeatInterval : services.configuration.bootRetryInterval)
    }

    /// A Heartbeat (or any liveness message): its timing rule.
    func heartbeatReceived(_ call: IncomingCall, findings: [FindingRecord]) {
        let all = findings + checkHeartbeat(call)
        if !all.isEmpty { store.submit(.none, frame: nil, findings: all) { _ in } }
    }

    /// A firmware, diagnostics or log status, or a security event: stored, then `reply`.
    func noticeReported(
        _ kind: PileNoticeRecord.Kind, status: String, requestId: Int?, detail: String?, _ call: IncomingCall, findings: [FindingRecord],
        reply: @escaping (ChargePointSession) -> Void
    ) {
        let notice = PileNoticeRecord(
            chargePointId: identity, time: call.receivedAt, kind: kind, status: status, requestId: requestId.map(Int64.init), detail: detail,
            ocppVersion: version.label)
        if kind == .security { services.metrics.securityEvent(status) }
        logger.info("\(kind.rawValue) notice: \(status)", metadata: ["messageId": "\(call.messageId)"])
        commit(.pileNotice(notice), findings: findings, answering: call) { session, _ in reply(session) }
    }

    /// Findings of a message that changes nothing else, stored without waiting.
    func keep(_ findings: [FindingRecord]) {
        if !findings.isEmpty { store.submit(.none, frame: nil, findings: findings) { _ in } }
    }

    /// A connector's state. Returns false when a strict policy refused the message (its
    /// CALLERROR has been sent).
    func connectorChanged(_ change: ConnectorChange, _ call: IncomingCall, verdict: inout Verdict) -> Bool {
        let previous = compliance.statuses[change.connectorId]
        checkStatus(change, call, into: &verdict)
        if rejected(verdict, call) { return false }
        let status = ConnectorStatusRecord(
            chargePointId: identity, connectorId: change.connectorId, status: change.state.rawValue, errorCode: change.errorCode,
            info: change.info, vendorErrorCode: change.vendorErrorCode, since: change.timestamp ?? call.receivedAt)
        store.submit(.connectorStatus(status), frame: nil, findings: verdict.findings) { _ in }
        services.events.publish(.status(status))
        guard change.state == .available && change.connectorId > 0 else { return true }
        if let stopped = lastStopped.removeValue(forKey: change.connectorId) {
            // The car has left: the idle time is over, the bill is final. The store marks
            // the unplug in the same batch as the status, so the settlement reads it.
            store.submit(.none, frame: nil, findings: []) { [services] _ in services.settle(sessionId: stopped) }
        }
        if previous == .preparing {
            // The connection timeout ran out with no cable: a scan waiting here failed.
            services.close(.failStartingScans(chargePointId: identity, connectorId: change.connectorId, failure: "no_cable", at: call.receivedAt))
        }
        // Unless this connection saw the connector's transaction end, one may be open in the store.
        let seenEnded = compliance.transactions.values.contains { $0.connectorId == change.connectorId && $0.stopped }
        if !seenEnded || compliance.runningTransaction(onConnector: change.connectorId) != nil {
            suspectForgotten(connectorId: change.connectorId, reason: .connectorIdle, since: call.receivedAt)
        }
        return true
    }

    /// The verdict on a token presented for authorization.
    func tokenVerdict(_ token: String) -> TokenVerdict { services.authorizer.authorize(token) }

    /// A transaction the pile started. `reply` runs once it is stored, with its id, the
    /// verdict on its token and whether the store already had it; a strict refusal answers
    /// the CALLERROR instead. `resuming`: the pile names a transaction the store may know
    /// (2.0.1 events after a reconnect), so finding it again is no repeat. `tokenless`: a
    /// start without a token (2.0.1 may start on the cable), authorized when the token comes
    /// (`tokenLearned`).
    func sessionStarted(
        _ start: SessionStart, _ call: IncomingCall, verdict: Verdict, resuming: Bool = false, tokenless: Bool = false,
        reply: @escaping (ChargePointSession, Int64, TokenVerdict, Bool) -> Void
    ) {
        var verdict = verdict
        checkStart(connectorId: start.connectorId, timestamp: start.startTime, call, into: &verdict)
        checkStartState(start, call, into: &verdict)
        if rejected(verdict, call) { return }
        let token =
            tokenless
            ? TokenVerdict(status: .accepted)
            : services.authorizer.authorizeStart(start.idTag, chargePointId: identity, connectorId: start.connectorId)
        var start = start
        start.authorizationStatus = tokenless ? "" : token.status.rawValue
        start.account = services.accountsByTag[start.idTag.lowercased()]?.id
        let stored = start
        commit(.startSession(stored), findings: verdict.findings, answering: call) { session, outcome in
            guard case .sessionStarted(let id, let duplicate) = outcome else { return }
            session.trackStart(
                id, connectorId: stored.connectorId, startTime: stored.startTime,
                meterStartWh: stored.transactionRef == nil ? stored.meterStartWh : nil,
                accepted: token.status == .accepted, duplicate: duplicate)
            if !duplicate { session.trackStartState(id, start: stored, token: token) }
            session.mentioned(id)
            if duplicate && resuming {
                // The store knew it: a transaction of an earlier connection, followed from here.
            } else if duplicate {
                session.record(
                    .duplicateStartTransaction, "StartTransaction repeated; answered with transaction \(id) again",
                    messageId: call.messageId, sessionId: id)
            } else {
                if token.status == .accepted && !tokenless {
                    session.services.authorizer.transactionStarted(
                        .init(chargePointId: session.identity, connectorId: stored.connectorId, transactionId: id), idTag: stored.idTag)
                }
                session.services.metrics.activeSessions.increment()
                session.startLive(id: id, start: stored)
                // One transaction per connector: one still open there was lost by the pile.
                session.services.close(
                    .abandonSessions(
                        SessionAbandonment(
                            chargePointId: session.identity, connectorId: stored.connectorId, keeping: [id],
                            reason: StopReason.superseded.rawValue, at: call.receivedAt)))
            }
            session.logger.info("transaction \(id) started on connector \(stored.connectorId) (\(token.status.rawValue))")
            reply(session, id, token, duplicate)
            if !duplicate || resuming { session.loadStarted(id, stored) }
        }
    }

    /// The token of a running session, learned after its start (2.0.1: the driver
    /// authorized after plugging in). Returns the verdict for the reply at once; the store
    /// and the authorizer follow.
    func tokenLearned(_ idTag: String, sessionId: Int64, connectorId: Int) -> TokenVerdict {
        let token = services.authorizer.authorizeStart(idTag, chargePointId: identity, connectorId: connectorId)
        let account = services.accountsByTag[idTag.lowercased()]?.id
        store.submit(.sessionToken(sessionId: sessionId, idTag: idTag, authorizationStatus: token.status.rawValue, account: account), frame: nil, findings: []) { _ in }
        if token.status == .accepted {
            services.authorizer.transactionStarted(.init(chargePointId: identity, connectorId: connectorId, transactionId: sessionId), idTag: idTag)
        }
        live[sessionId]?.record.idTag = idTag
        compliance.transactions[sessionId]?.idTag = idTag
        trackLateRefusal(sessionId, token: token)
        return token
    }

    /// A connector state a message implies without reporting it (2.0.1's charging state in
    /// TransactionEvent): stored and published, judged, never refused.
    func connectorObserved(_ change: ConnectorChange, _ call: IncomingCall) {
        var verdict = Verdict()
        checkStatus(change, call, reported: false, into: &verdict)
        let status = ConnectorStatusRecord(
            chargePointId: identity, connectorId: change.connectorId, status: change.state.rawValue, errorCode: change.errorCode,
            info: change.info, vendorErrorCode: change.vendorErrorCode, since: change.timestamp ?? call.receivedAt)
        store.submit(.connectorStatus(status), frame: nil, findings: verdict.findings) { _ in }
        services.events.publish(.status(status))
    }

    /// Meter readings, for a named transaction or a connector. `reply` runs once stored.
    func samplesReported(
        connectorId: Int, transactionId: Int64?, samples: [SampleRecord], _ call: IncomingCall, verdict: Verdict, live: Bool = true,
        mayRepeat: Bool = false, reply: @escaping (ChargePointSession) -> Void
    ) {
        var verdict = verdict
        let owner = checkMeterValues(connectorId: connectorId, transactionId: transactionId, samples: samples, call, into: &verdict)
        if rejected(verdict, call) { return }
        // Readings without a transaction id on a connector with a running transaction are that transaction's.
        let attached = owner.map { id in verdict.findings.map { var f = $0; f.sessionId = f.sessionId ?? id; return f } } ?? verdict.findings
        var batch = MeterSampleBatch(chargePointId: identity, connectorId: connectorId, transactionId: transactionId, samples: samples)
        batch.mayRepeat = mayRepeat
        commit(.meterSamples(batch), findings: attached, answering: call) { session, outcome in
            if case .samplesStored(nil) = outcome, let tx = transactionId {
                session.record(
                    .meterValuesUnknownTransaction, "MeterValues for transaction \(tx), which this central system never issued",
                    messageId: call.messageId)
            } else if case .samplesStored(let id?) = outcome {
                session.mentioned(id)
                session.adopt(id, connectorId: connectorId, readings: Self.energyRegister(samples))
                if live { session.updateLive(id: id, samples: samples) }
                session.loadMeasured(id, samples)
            }
            reply(session)
        }
    }

    /// A transaction the pile ended. `reply` runs once stored, with the verdict on the
    /// stop's token if one was given.
    func sessionEnded(
        _ stop: SessionStop, _ call: IncomingCall, verdict: Verdict, reply: @escaping (ChargePointSession, TokenVerdict?) -> Void
    ) {
        var verdict = verdict
        checkStop(stop, call, into: &verdict)
        checkStopState(stop, call, into: &verdict)
        if rejected(verdict, call) { return }
        commit(.stopSession(stop), findings: verdict.findings, answering: call) { session, outcome in
            switch outcome {
            case .sessionStopped(.stopped(let id, let meterStart)):
                session.trackStop(id, stopTime: stop.stopTime)
                session.services.authorizer.transactionEnded(chargePointId: session.identity, transactionId: id)
                session.logger.info("transaction \(id) stopped (\(stop.reason))")
                session.services.metrics.activeSessions.decrement()
                session.stopLive(id: id, stop: stop)
                session.loadStopped(id)
                session.services.settle(sessionId: id)
                if stop.meterStopWh < meterStart {
                    session.record(
                        .meterStopBelowStart, "meterStop \(stop.meterStopWh) Wh is below meterStart \(meterStart) Wh",
                        messageId: call.messageId, sessionId: id)
                }
            case .sessionStopped(.stoppedAfterAbandonment(let id, _)):
                // Closed as abandoned meanwhile; the pile's own figures replace our estimate.
                session.trackStop(id, stopTime: stop.stopTime)
                session.logger.info("transaction \(id) stopped (\(stop.reason)) after it was closed as abandoned")
                session.loadStopped(id)
                session.services.settle(sessionId: id)
            case .sessionStopped(.alreadyStopped(let id)):
                session.record(.duplicateStopTransaction, "transaction \(id) was already stopped", messageId: call.messageId, sessionId: id)
            default:
                session.record(
                    .stopUnknownTransaction, "StopTransaction for transaction \(stop.transactionId), never issued here; acknowledged",
                    messageId: call.messageId)
            }
            reply(session, stop.idTag.map { session.services.authorizer.authorize($0) })
        }
    }
}
