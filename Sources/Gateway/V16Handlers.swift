import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// OCPP 1.6 central-system behaviour: one method per action a charge point sends.
extension ChargePointSession {
    func handleV16(_ call: IncomingCall) {
        switch call.action {
        case V16.BootNotification.name: bootNotification(call)
        case V16.Heartbeat.name: heartbeat(call)
        case V16.StatusNotification.name: statusNotification(call)
        case V16.Authorize.name: authorize(call)
        case V16.StartTransaction.name: startTransaction(call)
        case V16.MeterValues.name: meterValues(call)
        case V16.StopTransaction.name: stopTransaction(call)
        case V16.DataTransfer.name: dataTransfer(call)
        default:
            let known = V16.catalog[call.action] != nil || V16.unsupportedActions.contains(call.action)
            let error = known
                ? RPCError(.notSupported, "\(call.action) is not supported by this central system")
                : RPCError(.notImplemented, "unknown action \(call.action)")
            record(.unknownAction, error.description, messageId: call.messageId)
            replyError(to: call, error)
        }
    }

    private func bootNotification(_ call: IncomingCall) {
        guard let (request, findings) = decode(V16.BootNotification.self, call) else { return }
        let known = services.knownChargePoints[identity]
        let status: V16.RegistrationStatus
        if known != nil || services.knownChargePoints.isEmpty && services.configuration.unknownChargePoints == .accept {
            status = .Accepted
        } else {
            switch services.configuration.unknownChargePoints {
            case .accept: status = .Accepted
            case .pending: status = .Pending
            case .reject, .refuse: status = .Rejected
            }
        }
        let now = Date()
        let record = ChargePointRecord(
            id: identity, network: known?.network, vendor: request.chargePointVendor, model: request.chargePointModel,
            serialNumber: request.chargePointSerialNumber ?? request.chargeBoxSerialNumber,
            firmwareVersion: request.firmwareVersion, ocppVersion: version.label, registrationStatus: status.rawValue,
            firstSeen: now, lastSeen: now, connected: true)
        logger.info("boot \(request.chargePointVendor) \(request.chargePointModel): \(status.rawValue)")
        modelBooted(request.chargePointModel)
        compliance.pileRebooted()
        let heartbeat = Double(services.configuration.heartbeatInterval)
        compliance.heartbeatInterval = status == .Accepted ? heartbeat...heartbeat : nil
        store.submit(.chargePointBooted(record), frame: nil, findings: findings) { _ in }
        // A rebooted pile reports its unfinished transactions (StopTransaction from its
        // queue) soon after booting; what it never mentions, it has forgotten.
        suspectForgotten(connectorId: nil, reason: "pile_rebooted", since: call.receivedAt)
        let interval = status == .Accepted ? services.configuration.heartbeatInterval : services.configuration.bootRetryInterval
        reply(V16.BootNotification.self, to: call, .init(status: status, currentTime: now, interval: interval))
    }

    private func heartbeat(_ call: IncomingCall) {
        guard let (_, decoded) = decode(V16.Heartbeat.self, call) else { return }
        let findings = decoded + checkHeartbeat(call)
        if !findings.isEmpty { store.submit(.none, frame: nil, findings: findings) { _ in } }
        reply(V16.Heartbeat.self, to: call, .init(currentTime: Date()))
    }

    private func statusNotification(_ call: IncomingCall) {
        guard let (decodedRequest, decoded) = decode(V16.StatusNotification.self, call), !refusedConnector(decodedRequest.connectorId, call)
        else { return }
        var request = decodedRequest
        var verdict = Verdict(findings: decoded)
        request.timestamp = request.timestamp.map { checkedTime($0, what: "StatusNotification timestamp", call: call, into: &verdict) }
        let previous = compliance.statuses[request.connectorId]
        checkStatus(request, call, into: &verdict)
        if rejected(verdict, call) { return }
        let findings = verdict.findings
        let status = ConnectorStatusRecord(
            chargePointId: identity, connectorId: request.connectorId, status: request.status.rawValue,
            errorCode: request.errorCode.rawValue, info: request.info, vendorErrorCode: request.vendorErrorCode,
            since: request.timestamp ?? call.receivedAt)
        store.submit(.connectorStatus(status), frame: nil, findings: findings) { _ in }
        services.events.publish(.status(status))
        if request.status == .Available && request.connectorId > 0 {
            if previous == .Preparing {
                // The connection timeout ran out with no cable: a scan waiting here failed.
                services.close(.failStartingScans(chargePointId: identity, connectorId: request.connectorId, failure: "no_cable", at: call.receivedAt))
            }
            // Unless this connection saw the connector's transaction end, one may be open in the store.
            let seenEnded = compliance.transactions.values.contains { $0.connectorId == request.connectorId && $0.stopped }
            if !seenEnded || compliance.runningTransaction(onConnector: request.connectorId) != nil {
                suspectForgotten(connectorId: request.connectorId, reason: "connector_idle", since: call.receivedAt)
            }
        }
        if request.status == .Available, let stopped = lastStopped.removeValue(forKey: request.connectorId) {
            // The car has left: the idle time is over, the bill is final. The store marks
            // the unplug in the same batch as the status, so the settlement reads it.
            store.submit(.none, frame: nil, findings: []) { [services] _ in services.settle(sessionId: stopped) }
        }
        reply(V16.StatusNotification.self, to: call, .init())
    }

    private func authorize(_ call: IncomingCall) {
        guard let (request, findings) = decode(V16.Authorize.self, call) else { return }
        if !findings.isEmpty { store.submit(.none, frame: nil, findings: findings) { _ in } }
        reply(V16.Authorize.self, to: call, .init(idTagInfo: services.authorizer.authorize(request.idTag)))
    }

    private func startTransaction(_ call: IncomingCall) {
        guard let (decodedRequest, decoded) = decode(V16.StartTransaction.self, call), !refusedConnector(decodedRequest.connectorId, call)
        else { return }
        var request = decodedRequest
        var verdict = Verdict(findings: decoded)
        request.timestamp = checkedTime(request.timestamp, what: "StartTransaction timestamp", call: call, into: &verdict)
        request.meterStart = checkedRegister(request.meterStart, what: "meterStart", call: call, into: &verdict)
        checkStart(request, call, into: &verdict)
        if rejected(verdict, call) { return }
        let findings = verdict.findings
        let info = services.authorizer.authorizeStart(request.idTag, chargePointId: identity, connectorId: request.connectorId)
        let start = SessionStart(
            chargePointId: identity, connectorId: request.connectorId, idTag: request.idTag,
            meterStartWh: Int64(request.meterStart), startTime: request.timestamp, reservationId: request.reservationId,
            authorizationStatus: info.status.rawValue, ocppVersion: version.label, receivedAt: call.receivedAt,
            account: services.accountsByTag[request.idTag.lowercased()]?.id)
        commit(.startSession(start), findings: findings, answering: call) { session, outcome in
            guard case .sessionStarted(let id, let duplicate) = outcome else { return }
            session.trackStart(id, request, accepted: info.status == .Accepted, duplicate: duplicate)
            session.mentioned(id)
            if duplicate {
                session.record(
                    .duplicateStartTransaction, "StartTransaction repeated; answered with transaction \(id) again",
                    messageId: call.messageId, sessionId: id)
            } else {
                if info.status == .Accepted {
                    session.services.authorizer.transactionStarted(
                        .init(chargePointId: session.identity, connectorId: request.connectorId, transactionId: id), idTag: request.idTag)
                }
                session.services.metrics.activeSessions.increment()
                session.startLive(id: id, start: start)
                // One transaction per connector: one still open there was lost by the pile.
                session.services.close(
                    .abandonSessions(
                        SessionAbandonment(
                            chargePointId: session.identity, connectorId: request.connectorId, keeping: [id], reason: "superseded",
                            at: call.receivedAt)))
            }
            session.logger.info("transaction \(id) started on connector \(request.connectorId) (\(info.status.rawValue))")
            session.reply(V16.StartTransaction.self, to: call, .init(idTagInfo: info, transactionId: Int(clamping: id)))
        }
    }

    /// The busiest message: read straight from the validated JSON, without Codable (it
    /// cost about an eighth of the gateway's CPU at load, see docs/benchmarks.md).
    private func meterValues(_ call: IncomingCall) {
        guard let (payload, findings) = validate(V16.MeterValues.self, call) else { return }
        let transactionId = payload["transactionId"]?.intValue
        let connectorId = Int(payload["connectorId"]?.intValue ?? 0)
        if refusedConnector(connectorId, call) { return }
        var verdict = Verdict(findings: findings)
        let samples = readings(payload["meterValue"], call: call, into: &verdict)
        let owner = checkMeterValues(connectorId: connectorId, transactionId: transactionId, samples: samples, call, into: &verdict)
        if rejected(verdict, call) { return }
        // Readings without a transaction id on a connector with a running transaction are that transaction's.
        let attached = owner.map { id in verdict.findings.map { var f = $0; f.sessionId = f.sessionId ?? id; return f } } ?? verdict.findings
        let batch = MeterSampleBatch(chargePointId: identity, connectorId: connectorId, transactionId: transactionId, samples: samples)
        commit(.meterSamples(batch), findings: attached, answering: call) { session, outcome in
            if case .samplesStored(nil) = outcome, let tx = transactionId {
                session.record(
                    .meterValuesUnknownTransaction, "MeterValues for transaction \(tx), which this central system never issued",
                    messageId: call.messageId)
            } else if case .samplesStored(let id?) = outcome {
                session.mentioned(id)
                session.adopt(id, connectorId: connectorId, readings: Self.energyRegister(samples))
                session.updateLive(id: id, samples: samples)
            }
            session.reply(V16.MeterValues.self, to: call, .init())
        }
    }

    private func stopTransaction(_ call: IncomingCall) {
        guard let (payload, findings) = validate(V16.StopTransaction.self, call), var request = typed(V16.StopTransaction.self, payload, call)
        else { return }
        // The pile must be answered whatever it sent (§4.10): bounded here, never refused for it.
        var verdict = Verdict(findings: findings)
        request.timestamp = checkedTime(request.timestamp, what: "StopTransaction timestamp", call: call, acknowledged: true, into: &verdict)
        request.meterStop = checkedRegister(request.meterStop, what: "meterStop", call: call, acknowledged: true, into: &verdict)
        let samples = readings(payload["transactionData"], call: call, acknowledged: true, into: &verdict)
        checkStop(request, samples: samples, call, into: &verdict)
        if rejected(verdict, call) { return }
        let stop = SessionStop(
            chargePointId: identity, transactionId: Int64(request.transactionId), meterStopWh: Int64(request.meterStop),
            stopTime: request.timestamp, reason: (request.reason ?? .Local).rawValue, idTag: request.idTag, samples: samples,
            receivedAt: call.receivedAt)
        commit(.stopSession(stop), findings: verdict.findings, answering: call) { session, outcome in
            switch outcome {
            case .sessionStopped(.stopped(let id, let meterStart)):
                session.trackStop(id)
                session.services.authorizer.transactionEnded(chargePointId: session.identity, transactionId: id)
                session.logger.info("transaction \(id) stopped (\(stop.reason))")
                session.services.metrics.activeSessions.decrement()
                session.stopLive(id: id, stop: stop)
                session.services.settle(sessionId: id)
                if stop.meterStopWh < meterStart {
                    session.record(
                        .meterStopBelowStart, "meterStop \(stop.meterStopWh) Wh is below meterStart \(meterStart) Wh",
                        messageId: call.messageId, sessionId: id)
                }
            case .sessionStopped(.stoppedAfterAbandonment(let id, _)):
                // Closed as abandoned meanwhile; the pile's own figures replace our estimate.
                session.trackStop(id)
                session.logger.info("transaction \(id) stopped (\(stop.reason)) after it was closed as abandoned")
                session.services.settle(sessionId: id)
            case .sessionStopped(.alreadyStopped(let id)):
                session.record(.duplicateStopTransaction, "transaction \(id) was already stopped", messageId: call.messageId, sessionId: id)
            default:
                session.record(
                    .stopUnknownTransaction, "StopTransaction for transaction \(request.transactionId), never issued here; acknowledged",
                    messageId: call.messageId)
            }
            let info = request.idTag.map { session.services.authorizer.authorize($0) }
            session.reply(V16.StopTransaction.self, to: call, .init(idTagInfo: info))
        }
    }

    private func dataTransfer(_ call: IncomingCall) {
        guard let (request, findings) = decode(V16.DataTransfer.self, call) else { return }
        if !findings.isEmpty { store.submit(.none, frame: nil, findings: findings) { _ in } }
        let response = services.dataTransfer.handle(request, from: identity)
        reply(V16.DataTransfer.self, to: call, response)
    }
}
