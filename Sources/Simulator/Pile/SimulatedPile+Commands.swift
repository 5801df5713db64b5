import Foundation
import OCPP
import OCPPWebSocket

/// The central system's commands, answered with real effect on the simulated pile.
extension SimulatedPile {
    public func rpcConnection(_ connection: RPCConnection, didReceive call: IncomingCall) {
        // A Rejected pile ignores the central system until it boots again (1.6 §4.2).
        if registration == .Rejected {
            respond(connection, call, error: RPCError(.genericError, "not registered"))
            return
        }
        if speaks201 { return receive201(call, connection) }
        // A feature profile the pile does not play: as if the action were unknown to it.
        if let feature = FeatureProfile.of(action: call.action), !profile.featureProfiles.contains(feature) {
            respond(connection, call, error: RPCError(.notSupported, "\(call.action) is not supported by this pile (\(feature.rawValue) not in SupportedFeatureProfiles)"))
            return
        }
        if Self.securityExtensionActions.contains(call.action) && !profile.securityExtension {
            respond(connection, call, error: RPCError(.notSupported, "\(call.action) is not supported by this pile (no security extension)"))
            return
        }
        switch Self.v16Router.route(call.action, role: "pile") {
        case .handler(let handler): handler(self, call, connection)
        case .refused(let error): respond(connection, call, error: error)
        }
    }

    typealias V16Command = @Sendable (SimulatedPile, IncomingCall, RPCConnection) -> Void

    /// The 1.6 security whitepaper's certificate messages, played only with `securityExtension`.
    static let securityExtensionActions: Set<String> = [
        V16.ExtendedTriggerMessage.name, V16.CertificateSigned.name, V16.InstallCertificate.name, V16.GetInstalledCertificateIds.name,
        V16.DeleteCertificate.name,
    ]

    /// The 1.6 commands the pile serves, through the shared `CallRouter`: a 1.6 action it does
    /// not serve is NotSupported, an unknown name NotImplemented, as the gateway answers.
    static let v16Router = CallRouter<V16Command>(version: .v16, catalog: V16.catalog, knownElsewhere: V16.unsupportedActions, handlers: [
        V16.RemoteStartTransaction.name: { p, c, n in p.handle(V16.RemoteStartTransaction.self, c, n) { $0.remoteStart($1) } },
        V16.RemoteStopTransaction.name: { p, c, n in p.handle(V16.RemoteStopTransaction.self, c, n) { $0.remoteStop($1) } },
        V16.Reset.name: { p, c, n in p.handle(V16.Reset.self, c, n) { $0.reset($1) } },
        V16.ChangeAvailability.name: { p, c, n in p.handle(V16.ChangeAvailability.self, c, n) { $0.changeAvailability($1) } },
        V16.ChangeConfiguration.name: { p, c, n in
            p.handle(V16.ChangeConfiguration.self, c, n) { pile, request in
                let isPassword = request.key.caseInsensitiveCompare(SimulatedPile.passwordKey) == .orderedSame
                if isPassword && !SimulatedPile.acceptablePassword(request.value) { return .init(status: .Rejected) }
                let status = pile.configuration.change(request.key, to: request.value)
                if status == .Accepted && request.key == "HeartbeatInterval" { pile.scheduleHeartbeat() }
                if status == .Accepted && isPassword { pile.passwordChanged() }
                return .init(status: status)
            }
        },
        V16.GetConfiguration.name: { p, c, n in p.handle(V16.GetConfiguration.self, c, n) { pile, request in pile.configuration.get(request.key) } },
        V16.TriggerMessage.name: { p, c, n in p.handle(V16.TriggerMessage.self, c, n) { $0.trigger($1) } },
        V16.UnlockConnector.name: { p, c, n in p.handle(V16.UnlockConnector.self, c, n) { $0.unlock($1) } },
        V16.ClearCache.name: { p, c, n in p.handle(V16.ClearCache.self, c, n) { _, _ in .init(status: .Accepted) } },
        V16.ReserveNow.name: { p, c, n in p.handle(V16.ReserveNow.self, c, n) { $0.reserveNow($1) } },
        V16.CancelReservation.name: { p, c, n in p.handle(V16.CancelReservation.self, c, n) { $0.cancelReservation($1) } },
        V16.SendLocalList.name: { p, c, n in p.handle(V16.SendLocalList.self, c, n) { $0.sendLocalList($1) } },
        V16.GetLocalListVersion.name: { p, c, n in p.handle(V16.GetLocalListVersion.self, c, n) { pile, _ in .init(listVersion: pile.localListVersion) } },
        V16.SetChargingProfile.name: { p, c, n in p.handle(V16.SetChargingProfile.self, c, n) { $0.setChargingProfile($1) } },
        V16.ClearChargingProfile.name: { p, c, n in p.handle(V16.ClearChargingProfile.self, c, n) { $0.clearChargingProfile($1) } },
        V16.GetCompositeSchedule.name: { p, c, n in p.handle(V16.GetCompositeSchedule.self, c, n) { $0.compositeSchedule($1) } },
        V16.UpdateFirmware.name: { p, c, n in p.handle(V16.UpdateFirmware.self, c, n) { $0.updateFirmware($1) } },
        V16.SignedUpdateFirmware.name: { p, c, n in p.handle(V16.SignedUpdateFirmware.self, c, n) { $0.signedUpdateFirmware($1) } },
        V16.GetDiagnostics.name: { p, c, n in p.handle(V16.GetDiagnostics.self, c, n) { $0.getDiagnostics($1) } },
        V16.GetLog.name: { p, c, n in p.handle(V16.GetLog.self, c, n) { $0.getLog($1) } },
        V16.ExtendedTriggerMessage.name: { p, c, n in p.handle(V16.ExtendedTriggerMessage.self, c, n) { $0.extendedTrigger($1) } },
        V16.CertificateSigned.name: { p, c, n in
            p.handle(V16.CertificateSigned.self, c, n) { pile, request in .init(status: pile.certificateSigned(request.certificateChain) ? .Accepted : .Rejected) }
        },
        V16.InstallCertificate.name: { p, c, n in p.handle(V16.InstallCertificate.self, c, n) { $0.install16($1) } },
        V16.GetInstalledCertificateIds.name: { p, c, n in p.handle(V16.GetInstalledCertificateIds.self, c, n) { $0.installedIds16($1) } },
        V16.DeleteCertificate.name: { p, c, n in p.handle(V16.DeleteCertificate.self, c, n) { $0.delete16($1) } },
        V16.DataTransfer.name: { p, c, n in
            p.handle(V16.DataTransfer.self, c, n) { pile, request in
                .init(status: request.vendorId == pile.profile.vendor ? .UnknownMessageId : .UnknownVendorId)
            }
        },
    ])

    /// Validates, runs `body`, and answers, after the profile's reply delay (or late, with slow-replies).
    func handle<A: OCPPAction>(
        _ action: A.Type, _ call: IncomingCall, _ connection: RPCConnection, _ body: @escaping (SimulatedPile, A.Request) -> A.Response
    ) {
        let request: A.Request
        do {
            request = try A.decodeRequest(call.payload, mode: .strict).0
        } catch {
            respond(connection, call, error: error.rpcError)
            return
        }
        let response = encoder.encodeReply(action: A.name, A.encode(body(self, request)))
        let delay = profile.quirks.contains(.slowReplies) ? context.slowReplySeconds : profile.replyDelay
        if delay > 0 {
            after(.nanoseconds(Int64(delay * 1e9))) { _ in connection.reply(to: call, result: response) }
        } else {
            connection.reply(to: call, result: response)
        }
    }

    func respond(_ connection: RPCConnection, _ call: IncomingCall, error: RPCError) {
        guard profile.quirks.contains(.nonstandardErrorCodes) else { return connection.reply(to: call, error: error) }
        let code = error.code == .notImplemented || error.code == .notSupported ? "UnknownAction" : "Rejected"
        connection.reply(to: call, errorCode: code, description: error.description)
    }

    func remoteStart(_ request: V16.RemoteStartTransaction.Request) -> V16.RemoteStartStopResponse {
        guard registration == .Accepted else { return .init(status: .Rejected) }
        let candidates = request.connectorId.map { id in connectors.filter { $0.id == id } } ?? connectors
        // A reserved connector takes a remote start for its reserved tag only.
        guard
            let target = candidates.first(where: { c in
                c.transaction == nil
                    && ([.Available, .Preparing].contains(c.machine.status) || c.machine.status == .Reserved)
                    && (reservations[c.id].map { $0.admits(request.idTag, parent: nil) } ?? true)
            })
        else {
            return .init(status: .Rejected)
        }
        let connector = target.id
        if let p = request.chargingProfile, profile.featureProfiles.contains(.SmartCharging), let i = index(of: connector) {
            connectors[i].pendingChargingProfile = (request.idTag, ChargingLimitProfile(p, installedAt: context.clock.now(), time: context.clock.unstamp))
        }
        if configuration.bool("AuthorizeRemoteTxRequests") {
            // Answer first, then authorize like a local swipe (1.6 §5.11).
            after(.milliseconds(1)) { $0.authorizeThenStart(connector: connector, idTag: request.idTag) }
        } else {
            after(.milliseconds(1)) { $0.beginTransaction(connector: connector, idTag: request.idTag) }
        }
        return .init(status: .Accepted)
    }

    func remoteStop(_ request: V16.RemoteStopTransaction.Request) -> V16.RemoteStartStopResponse {
        guard let connector = connectors.first(where: { $0.transaction?.id == request.transactionId }) else { return .init(status: .Rejected) }
        let id = connector.id
        after(.milliseconds(1)) { $0.stopTransaction(connector: id, cause: .remote) }
        return .init(status: .Accepted)
    }

    func reset(_ request: V16.Reset.Request) -> V16.Reset.Response {
        let hard = request.type == .Hard
        after(.milliseconds(10)) { pile in
            for connector in pile.connectors where connector.transaction != nil {
                pile.stopTransaction(connector: connector.id, cause: .reset(hard: hard))
            }
            pile.reboot()
        }
        return .init(status: .Accepted)
    }

    /// Closes the socket, waits a few simulated seconds and boots again (BootNotification).
    public func reboot() {
        heartbeatTimer?.cancel()
        bootedOnce = false
        registration = nil
        for i in connectors.indices where connectors[i].machine.status != .Unavailable {
            connectors[i].machine = ConnectorStateMachine(connectors[i].vehicle == nil ? .Available : .Preparing)
        }
        connection?.close(code: .normalClosure, reason: "rebooting")
    }

    func changeAvailability(_ request: V16.ChangeAvailability.Request) -> V16.ChangeAvailability.Response {
        let targets = request.connectorId == 0 ? connectors.map(\.id) : [request.connectorId]
        guard targets.allSatisfy({ index(of: $0) != nil }) else { return .init(status: .Rejected) }
        var scheduled = false
        for id in targets {
            guard let i = index(of: id) else { continue }
            switch request.type {
            case .Inoperative:
                if connectors[i].transaction != nil {
                    connectors[i].unavailableAfterTransaction = true
                    scheduled = true
                } else {
                    move(id, to: .Unavailable)
                }
            case .Operative:
                connectors[i].unavailableAfterTransaction = false
                if connectors[i].machine.status == .Unavailable { move(id, to: connectors[i].vehicle == nil ? .Available : .Preparing) }
            }
        }
        if request.connectorId == 0 {
            let status: V16.ChargePointStatus = request.type == .Inoperative ? .Unavailable : .Available
            if (try? pileStatus.move(to: status)) == true { sendStatus(connector: 0, status) }
        }
        return .init(status: scheduled ? .Scheduled : .Accepted)
    }

    func trigger(_ request: V16.TriggerMessage.Request) -> V16.TriggerMessage.Response {
        let connector = request.connectorId
        if let connector, connector != 0, index(of: connector) == nil { return .init(status: .Rejected) }
        switch request.requestedMessage {
        case .BootNotification:
            after(.milliseconds(1)) { $0.boot(reason: "Triggered") }
        case .Heartbeat:
            after(.milliseconds(1)) { $0.send(V16.Heartbeat.name, [:]) }
        case .StatusNotification:
            after(.milliseconds(1)) { pile in
                if let connector {
                    pile.sendStatus(connector: connector, pile.status(of: connector) ?? .Available)
                } else {
                    pile.sendAllStatuses()
                }
            }
        case .MeterValues:
            after(.milliseconds(1)) { pile in
                for c in pile.connectors where connector == nil || connector == c.id {
                    pile.send(V16.MeterValues.name, pile.meterValues(connector: c, context: .trigger, transactionId: c.transaction?.id))
                }
            }
        case .DiagnosticsStatusNotification:
            guard profile.featureProfiles.contains(.FirmwareManagement) else { return .init(status: .NotImplemented) }
            after(.milliseconds(1)) { $0.diagnosticsStatus($0.firmwareWork.diagnostics) }
        case .FirmwareStatusNotification:
            guard profile.featureProfiles.contains(.FirmwareManagement) else { return .init(status: .NotImplemented) }
            after(.milliseconds(1)) { $0.firmwareStatus($0.firmwareWork.firmware) }
        }
        return .init(status: .Accepted)
    }

    func unlock(_ request: V16.UnlockConnector.Request) -> V16.UnlockConnector.Response {
        if let forced = scripted(V16.UnlockConnector.name, V16.UnlockStatus.self) { return .init(status: forced) }
        guard let i = index(of: request.connectorId) else { return .init(status: .NotSupported) }
        if connectors[i].transaction != nil {
            let id = request.connectorId
            after(.milliseconds(1)) { $0.stopTransaction(connector: id, cause: .unlock) }
        }
        return .init(status: .Unlocked)
    }
}
