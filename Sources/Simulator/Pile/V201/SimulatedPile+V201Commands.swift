import Foundation
import OCPP
import OCPPWebSocket

/// The CSMS's 2.0.1 commands, answered with real effect. Dispatch goes through the shared
/// `CallRouter`, so an action 2.0.1 defines but the station does not serve is
/// NotSupported and an unknown one NotImplemented, exactly as the gateway answers.
extension SimulatedPile {
    typealias V201Command = @Sendable (SimulatedPile, IncomingCall, RPCConnection) -> Void

    static let v201Router = CallRouter<V201Command>(version: .v201, catalog: V201.catalog, handlers: [
        V201.RequestStartTransaction.name: { p, c, n in p.handle(V201.RequestStartTransaction.self, c, n) { $0.requestStart201($1) } },
        V201.RequestStopTransaction.name: { p, c, n in p.handle(V201.RequestStopTransaction.self, c, n) { $0.requestStop201($1) } },
        V201.Reset.name: { p, c, n in p.handle(V201.Reset.self, c, n) { $0.reset201($1) } },
        V201.UnlockConnector.name: { p, c, n in p.handle(V201.UnlockConnector.self, c, n) { $0.unlock201($1) } },
        V201.TriggerMessage.name: { p, c, n in p.handle(V201.TriggerMessage.self, c, n) { $0.trigger201($1) } },
        V201.ChangeAvailability.name: { p, c, n in p.handle(V201.ChangeAvailability.self, c, n) { $0.changeAvailability201($1) } },
        V201.GetTransactionStatus.name: { p, c, n in p.handle(V201.GetTransactionStatus.self, c, n) { $0.transactionStatus201($1) } },
        V201.GetVariables.name: { p, c, n in p.handle(V201.GetVariables.self, c, n) { $0.getVariables201($1) } },
        V201.SetVariables.name: { p, c, n in p.handle(V201.SetVariables.self, c, n) { $0.setVariables201($1) } },
        V201.GetBaseReport.name: { p, c, n in p.handle(V201.GetBaseReport.self, c, n) { $0.baseReport201($1) } },
        V201.GetLocalListVersion.name: { p, c, n in p.handle(V201.GetLocalListVersion.self, c, n) { pile, _ in pile.localListVersion201() } },
        V201.SendLocalList.name: { p, c, n in p.handle(V201.SendLocalList.self, c, n) { $0.sendLocalList201($1) } },
        V201.UpdateFirmware.name: { p, c, n in p.handle(V201.UpdateFirmware.self, c, n) { $0.updateFirmware201($1) } },
        V201.GetLog.name: { p, c, n in p.handle(V201.GetLog.self, c, n) { $0.getLog201($1) } },
        V201.ClearCache.name: { p, c, n in p.handle(V201.ClearCache.self, c, n) { _, _ in .init(status: .accepted) } },
        V201.CertificateSigned.name: { p, c, n in
            p.handle(V201.CertificateSigned.self, c, n) { pile, request in .init(status: pile.certificateSigned(request.certificateChain) ? .accepted : .rejected) }
        },
        V201.InstallCertificate.name: { p, c, n in p.handle(V201.InstallCertificate.self, c, n) { $0.install201($1) } },
        V201.GetInstalledCertificateIds.name: { p, c, n in p.handle(V201.GetInstalledCertificateIds.self, c, n) { $0.installedIds201($1) } },
        V201.DeleteCertificate.name: { p, c, n in p.handle(V201.DeleteCertificate.self, c, n) { $0.delete201($1) } },
        V201.SetChargingProfile.name: { p, c, n in p.handle(V201.SetChargingProfile.self, c, n) { $0.setChargingProfile201($1) } },
        V201.ClearChargingProfile.name: { p, c, n in p.handle(V201.ClearChargingProfile.self, c, n) { $0.clearChargingProfile201($1) } },
        V201.GetChargingProfiles.name: { p, c, n in p.handle(V201.GetChargingProfiles.self, c, n) { $0.chargingProfiles201($1) } },
        V201.GetCompositeSchedule.name: { p, c, n in p.handle(V201.GetCompositeSchedule.self, c, n) { $0.compositeSchedule201($1) } },
        V201.DataTransfer.name: { p, c, n in
            p.handle(V201.DataTransfer.self, c, n) { pile, request in .init(status: request.vendorId == pile.profile.vendor ? .unknownMessageId : .unknownVendorId) }
        },
    ])

    func receive201(_ call: IncomingCall, _ connection: RPCConnection) {
        switch Self.v201Router.route(call.action, role: "station") {
        case .handler(let handler): handler(self, call, connection)
        case .refused(let error): respond(connection, call, error: error)
        }
    }

    func requestStart201(_ request: V201.RequestStartTransaction.Request) -> V201.RequestStartTransaction.Response {
        guard registration == .Accepted else { return .init(status: .rejected) }
        let candidates = request.evseId.map { id in connectors.filter { $0.id == id } } ?? connectors
        // Busy: energy flowing, someone already authorized, or the EVSE out of order.
        guard let target = candidates.first(where: { c in
            c.transaction == nil && v201.authorizations[c.id] == nil && [.Available, .Preparing].contains(c.machine.status)
        }) else { return .init(status: .rejected) }
        let connector = target.id
        let token = request.idToken.idToken
        let remoteStartId = request.remoteStartId
        if let p = request.chargingProfile, let i = index(of: connector) {
            connectors[i].pendingChargingProfile = ChargingLimitProfile(p, installedAt: context.clock.now(), time: context.clock.unstamp).map { (token, $0) }
        }
        after(.milliseconds(1)) { pile in
            if pile.v201.deviceModel.authorizeRemoteStart {
                pile.authorize201(connector: connector, idTag: token, remoteStartId: remoteStartId)
            } else {
                pile.authorized201(connector: connector, token: token, trigger: .remoteStart, remoteStartId: remoteStartId)
            }
        }
        return .init(status: .accepted, transactionId: v201.transactions[connector]?.id)
    }

    func requestStop201(_ request: V201.RequestStopTransaction.Request) -> V201.RequestStopTransaction.Response {
        guard let connector = v201.transactions.first(where: { $0.value.id == request.transactionId })?.key else { return .init(status: .rejected) }
        after(.milliseconds(1)) { pile in
            guard let i = pile.index(of: connector) else { return }
            if pile.connectors[i].transaction != nil {
                pile.stopTransaction(connector: connector, cause: .remote)
            } else {
                pile.end201(connector: connector, trigger: .remoteStop, reason: .remote, at: pile.context.clock.now(), byToken: false, vehicleStays: true)
            }
        }
        return .init(status: .accepted)
    }

    func reset201(_ request: V201.Reset.Request) -> V201.Reset.Response {
        guard request.evseId == nil else { return .init(status: .rejected) }  // the whole station only
        if request.type == .onIdle && !v201.transactions.isEmpty {
            v201.resetWhenIdle = true
            return .init(status: .scheduled)
        }
        after(.milliseconds(10)) { pile in
            for connector in pile.connectors where pile.v201.transactions[connector.id] != nil {
                if connector.transaction != nil {
                    pile.stopTransaction(connector: connector.id, cause: .reset(hard: true))
                } else {
                    pile.end201(connector: connector.id, trigger: .resetCommand, reason: .immediateReset, at: pile.context.clock.now(), byToken: false, vehicleStays: true)
                }
            }
            pile.v201.nextBootReason = .remoteReset
            pile.rebootOnceDelivered(tries: 100)
        }
        return .init(status: .accepted)
    }

    /// Reboots once the Ended events are out (as a station flushes before it restarts), or
    /// after `tries` × 20 ms; what is still queued then goes after the next boot.
    func rebootOnceDelivered(tries: Int) {
        guard tries > 0, isConnected, !queue.isEmpty else { return reboot() }
        after(.milliseconds(20)) { $0.rebootOnceDelivered(tries: tries - 1) }
    }

    func unlock201(_ request: V201.UnlockConnector.Request) -> V201.UnlockConnector.Response {
        guard let i = index(of: request.evseId), request.connectorId == 1 else { return .init(status: .unknownConnector) }
        if connectors[i].transaction != nil || v201.transactions[request.evseId]?.idToken != nil { return .init(status: .ongoingAuthorizedTransaction) }
        return .init(status: .unlocked)
    }

    func trigger201(_ request: V201.TriggerMessage.Request) -> V201.TriggerMessage.Response {
        let evse = request.evse?.id
        if let evse, index(of: evse) == nil { return .init(status: .rejected) }
        let targets = connectors.map(\.id).filter { evse == nil || $0 == evse }
        switch request.requestedMessage {
        case .bootNotification:
            after(.milliseconds(1)) { $0.boot(reason: "Triggered") }
        case .heartbeat:
            after(.milliseconds(1)) { $0.send(V201.Heartbeat.name, [:]) }
        case .statusNotification:
            after(.milliseconds(1)) { pile in
                for id in targets { pile.sendStatus201(connector: id, pile.status(of: id) ?? .Available, force: true) }
            }
        case .meterValues:
            after(.milliseconds(1)) { pile in
                for c in pile.connectors where targets.contains(c.id) {
                    let reading = pile.reading201(c, measurands: pile.configuration.list("MeterValuesSampledData"), context: .trigger, registerWh: c.registerWh)
                    pile.send(V201.MeterValues.name, V201.MeterValues.encode(V201.MeterValues.Request(evseId: c.id, meterValue: [reading])))
                }
            }
        case .transactionEvent:
            let running = targets.filter { v201.transactions[$0] != nil }
            guard !running.isEmpty else { return .init(status: .rejected) }
            after(.milliseconds(1)) { pile in
                for id in running { pile.emit201(connector: id, .updated, trigger: .trigger, chargingState: pile.v201.transactions[id]?.chargingState) }
            }
        case .signChargingStationCertificate:
            requestCertificate()
        default:
            return .init(status: .notImplemented)
        }
        return .init(status: .accepted)
    }

    func changeAvailability201(_ request: V201.ChangeAvailability.Request) -> V201.ChangeAvailability.Response {
        let inoperative = request.operationalStatus == .inoperative
        let answer = changeAvailability(V16.ChangeAvailability.Request(connectorId: request.evse?.id ?? 0, type: inoperative ? .Inoperative : .Operative))
        if answer.status != .Rejected {
            v201.deviceModel.setAvailability(evse: request.evse?.id, inoperative ? "Unavailable" : "Available")
        }
        return .init(status: V201.ChangeAvailabilityStatusEnum(rawValue: answer.status.rawValue) ?? .rejected)
    }

    func transactionStatus201(_ request: V201.GetTransactionStatus.Request) -> V201.GetTransactionStatus.Response {
        guard let id = request.transactionId else { return .init(messagesInQueue: !queue.isEmpty) }
        let queued = queue.entries.contains { $0.action == V201.TransactionEvent.name && $0.payload.contains("\"\(id)\"") }
        return .init(messagesInQueue: queued, ongoingIndicator: v201.transactions.values.contains { $0.id == id })
    }

    func getVariables201(_ request: V201.GetVariables.Request) -> V201.GetVariables.Response {
        .init(getVariableResult: request.getVariableData.map { v201.deviceModel.get($0, configuration) })
    }

    func setVariables201(_ request: V201.SetVariables.Request) -> V201.SetVariables.Response {
        let results = request.setVariableData.map { data in
            data.variable.name == "BasicAuthPassword" && !Self.acceptablePassword(data.attributeValue)
                ? V201.SetVariableResult(attributeStatus: .rejected, component: data.component, variable: data.variable, attributeType: data.attributeType)
                : v201.deviceModel.set(data, &configuration)
        }
        if results.contains(where: { $0.attributeStatus == .accepted && $0.variable.name == "HeartbeatInterval" }) { scheduleHeartbeat() }
        if results.contains(where: { $0.attributeStatus == .accepted && $0.variable.name == "BasicAuthPassword" }) { passwordChanged() }
        return .init(setVariableResult: results)
    }

    /// Accepts, then sends the report as NotifyReport pages of ItemsPerMessage rows (B07): seqNo from 0, tbc on all but the last.
    func baseReport201(_ request: V201.GetBaseReport.Request) -> V201.GetBaseReport.Response {
        let rows = v201.deviceModel.report(request.reportBase, configuration)
        guard !rows.isEmpty else { return .init(status: .emptyResultSet) }
        let size = max(1, v201.deviceModel.itemsPerReport)
        let pages = stride(from: 0, to: rows.count, by: size).map { Array(rows[$0..<min($0 + size, rows.count)]) }
        after(.milliseconds(1)) { pile in
            for (seqNo, page) in pages.enumerated() {
                let report = V201.NotifyReport.Request(
                    requestId: request.requestId, generatedAt: pile.context.clock.stamp(pile.context.clock.now()), seqNo: seqNo, reportData: page,
                    tbc: seqNo < pages.count - 1)
                pile.send(V201.NotifyReport.name, V201.NotifyReport.encode(report))
            }
        }
        return .init(status: .accepted)
    }
}
