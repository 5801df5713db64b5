import Foundation
import OCPP

/// E01–E07: a 2.0.1 station's transactions as TransactionEvent sequences. Where one starts
/// and ends follows TxCtrlr.TxStartPoint / TxStopPoint; the energy comes from the same
/// connector state, physics and vehicles as a 1.6 pile's (the shared `transaction` of a
/// connector is set while the power path is closed). Every event goes through the shared
/// offline queue, in order; one made while disconnected says `offline: true`.
extension SimulatedPile {
    var speaks201: Bool { profile.ocppVersion == .v201 }
    func has(_ quirk: V201Quirk) -> Bool { profile.v201Quirks.contains(quirk) }

    // MARK: What happens at the EVSE

    /// The cable is plugged in (the connector already moved to Preparing).
    func evConnected201(connector: Int, idTag: String?, vin: String?) {
        if v201.authorizations[connector] != nil {
            powerPathClosed201(connector: connector, trigger: .cablePluggedIn)
            return
        }
        if v201.transactions[connector] != nil {
            emit201(connector: connector, .updated, trigger: .cablePluggedIn, chargingState: .evConnected)
        } else if v201.deviceModel.txStartPoints.contains(.evConnected), !closing {
            start201(connector: connector, trigger: .cablePluggedIn, chargingState: .evConnected)
        }
        if let idTag {
            authorize201(connector: connector, idTag: idTag)
        } else if profile.plugAndCharge, let vin {
            authorized201(connector: connector, token: String(vin.prefix(20)), trigger: .authorized, remoteStartId: nil)
        }
    }

    /// The cable leaves: whatever runs on the EVSE ends (EVDeparted).
    func evDisconnected201(connector: Int) {
        guard let i = index(of: connector) else { return }
        v201.authorizations[connector] = nil
        guard let tx = v201.transactions[connector] else { return }
        if connectors[i].transaction != nil {
            stopTransaction(connector: connector, cause: .unplugged)
        } else {
            end201(connector: connector, trigger: .evDeparted, reason: tx.pendingStopReason ?? .evDisconnected, at: context.clock.now(), byToken: false, vehicleStays: false)
        }
    }

    /// Asks the CSMS about a token (C01); an unanswered request is taken as accepted, as a
    /// station with offline authorization does.
    func authorize201(connector: Int, idTag: String, remoteStartId: Int? = nil) {
        let token = V201.IdToken(idToken: idTag, type: remoteStartId == nil ? .iso14443 : .central)
        call(V201.Authorize.name, V201.Authorize.encode(V201.Authorize.Request(idToken: token))) { pile, result in
            var status = V201.AuthorizationStatusEnum.accepted
            if case .success(let json) = result, let (response, _) = try? V201.Authorize.decodeResponse(json, mode: .lenient) {
                status = response.idTokenInfo.status
            }
            guard status == .accepted else { return }
            pile.authorized201(connector: connector, token: idTag, trigger: remoteStartId == nil ? .authorized : .remoteStart, remoteStartId: remoteStartId)
        }
    }

    /// A token is accepted for the EVSE (a swipe, a remote start, a VIN).
    func authorized201(connector: Int, token: String, trigger: V201.TriggerReasonEnum, remoteStartId: Int?) {
        guard !closing, let i = index(of: connector) else { return }
        v201.authorizations[connector] = V201Authorization(idToken: token, remoteStartId: remoteStartId)
        if var tx = v201.transactions[connector] {
            if tx.idToken == nil { tx.idToken = token }
            if tx.remoteStartId == nil { tx.remoteStartId = remoteStartId }
            v201.transactions[connector] = tx
        }
        if connectors[i].vehicle != nil {
            powerPathClosed201(connector: connector, trigger: trigger)
            return
        }
        if v201.transactions[connector] == nil, v201.deviceModel.txStartPoints.contains(.authorized) {
            start201(connector: connector, trigger: trigger, chargingState: .idle)
        }
        // No cable yet: wait EVConnectionTimeOut for it (E03).
        let timeout = Double(configuration.int("ConnectionTimeOut") ?? 120)
        after(context.clock.wallDelay(timeout)) { pile in
            guard let i = pile.index(of: connector), pile.connectors[i].vehicle == nil, pile.v201.authorizations[connector] != nil else { return }
            pile.v201.authorizations[connector] = nil
            if pile.v201.transactions[connector] != nil {
                pile.end201(connector: connector, trigger: .evConnectTimeout, reason: .timeout, at: pile.context.clock.now(), byToken: false, vehicleStays: false)
            }
        }
    }

    /// Plugged in and authorized: energy flows. Opens the transaction now if no earlier start point did.
    func powerPathClosed201(connector: Int, trigger: V201.TriggerReasonEnum) {
        guard let i = index(of: connector), let auth = v201.authorizations[connector], connectors[i].vehicle != nil,
            connectors[i].transaction == nil, !closing
        else { return }
        if v201.transactions[connector] == nil {
            start201(connector: connector, trigger: trigger, chargingState: .charging)
        } else {
            emit201(connector: connector, .updated, trigger: trigger, chargingState: .charging)
        }
        guard let tx = v201.transactions[connector] else { return }
        let now = context.clock.now()
        connectors[i].transaction = .init(local: tx.local, id: nil, idTag: auth.idToken, meterStartWh: connectors[i].registerWh, start: now)
        connectors[i].lastAdvance = now
        connectors[i].lastSample = now
        move(connector, to: .Charging)
        scheduleTick()
    }

    // MARK: Starting and ending

    func start201(connector: Int, trigger: V201.TriggerReasonEnum, chargingState: V201.ChargingStateEnum) {
        guard let i = index(of: connector) else { return }
        let local = nextLocalTransaction
        nextLocalTransaction += 1
        let id: String
        if has(.transactionIdReused), let last = v201.lastTransactionId[connector] {
            id = last
        } else {
            id = String(format: "TX-%08X-%d", UInt32(truncatingIfNeeded: random.next()), local)
        }
        v201.lastTransactionId[connector] = id
        let auth = v201.authorizations[connector]
        var tx = V201Transaction(id: id, local: local, meterStartWh: connectors[i].registerWh, start: context.clock.now())
        tx.idToken = auth?.idToken
        tx.remoteStartId = auth?.remoteStartId
        tx.startTrigger = trigger
        v201.transactions[connector] = tx
        if let remote = connectors[i].pendingChargingProfile {
            connectors[i].pendingChargingProfile = nil
            if remote.idTag == auth?.idToken { installRemoteStartProfile(remote.profile, connector: connector) }
        }
        let begin = reading201(connectors[i], measurands: configuration.list("MeterValuesSampledData"), context: .transactionBegin, registerWh: tx.meterStartWh)
        emit201(connector: connector, .started, trigger: trigger, chargingState: chargingState, meter: [begin])
        notify(.sessionStarted(pile: identity, connector: connector, transactionId: local))
    }

    /// The 2.0.1 side of `stopTransaction`: ends the transaction, or only the energy when
    /// TxStopPoint waits for the cable (EVConnected alone).
    func stopTransaction201(connector: Int, cause: StopCause, at time: Date?) {
        guard let i = index(of: connector), var tx = v201.transactions[connector] else { return }
        advance(until: time ?? context.clock.now())
        let stopTime = time ?? context.clock.now()
        let points = v201.deviceModel.txStopPoints
        let endsOnDeauthorization = closing || !points.isDisjoint(with: [.authorized, .powerPathClosed, .energyTransfer]) || !points.contains(.evConnected)
        let deauthorizing = [StopCause.remote, .local, .targetReached, .deauthorized, .evFull].contains(cause)
        if deauthorizing && !endsOnDeauthorization {
            v201.authorizations[connector] = nil
            tx.pendingStopReason = cause.reason201
            v201.transactions[connector] = tx
            emit201(connector: connector, .updated, trigger: cause.trigger201, chargingState: .evConnected, at: stopTime)
            connectors[i].transaction = nil
            connectors[i].powerKW = 0
            move(connector, to: .Finishing)
            return
        }
        end201(
            connector: connector, trigger: cause.trigger201, reason: cause.reason201, at: stopTime, byToken: [.local, .targetReached].contains(cause),
            vehicleStays: cause != .unplugged)
        switch cause {
        case .unplugged, .fault, .reset: break  // the caller sets the next status
        default: move(connector, to: .Finishing)
        }
    }

    /// The Ended event, with the begin and end readings of TxEndedMeasurands.
    func end201(connector: Int, trigger: V201.TriggerReasonEnum, reason: V201.ReasonEnum, at stopTime: Date, byToken: Bool, vehicleStays: Bool) {
        guard let i = index(of: connector), var tx = v201.transactions[connector] else { return }
        let measurands = configuration.list("StopTxnSampledData")
        let begin = reading201(connectors[i], at: tx.start, measurands: measurands, context: .transactionBegin, registerWh: tx.meterStartWh)
        let end = reading201(connectors[i], at: stopTime, measurands: measurands, context: .transactionEnd, registerWh: connectors[i].registerWh)
        if byToken {
            tx.idTokenSent = false  // the Ended event names the token that stopped it (E06)
            v201.transactions[connector] = tx
        }
        let state: V201.ChargingStateEnum = vehicleStays && connectors[i].vehicle != nil ? .evConnected : .idle
        emit201(connector: connector, .ended, trigger: trigger, chargingState: state, meter: [begin, end], stoppedReason: reason, at: stopTime)
        if has(.updatedAfterEnded) {
            let late = reading201(connectors[i], measurands: ["Energy.Active.Import.Register"], context: .samplePeriodic, registerWh: connectors[i].registerWh)
            emit201(connector: connector, .updated, trigger: .meterValuePeriodic, meter: [late])
        }
        notify(.sessionStopped(pile: identity, connector: connector, energyWh: connectors[i].registerWh - tx.meterStartWh, reason: reason.rawValue))
        v201.transactions[connector] = nil
        v201.authorizations[connector] = nil
        transactionProfilesEnded(connector: connector)
        connectors[i].transaction = nil
        connectors[i].powerKW = 0
        if v201.resetWhenIdle && v201.transactions.isEmpty {
            v201.resetWhenIdle = false
            v201.nextBootReason = .remoteReset
            after(.milliseconds(10)) { $0.rebootOnceDelivered(tries: 100) }
        }
    }

    /// Ends transactions that wait without energy (e.g. started at EVConnected), for `endSessions()`.
    func endIdleTransactions201() {
        for (connector, _) in v201.transactions {
            guard let i = index(of: connector), connectors[i].transaction == nil else { continue }
            end201(connector: connector, trigger: .stopAuthorized, reason: .local, at: context.clock.now(), byToken: false, vehicleStays: true)
        }
    }

    /// A periodic or clock-aligned reading as an Updated event.
    func sampled201(connector: Int, context readingContext: V16.ReadingContext, at time: Date? = nil) {
        guard let i = index(of: connector) else { return }
        let key = readingContext == .sampleClock ? "MeterValuesAlignedData" : "MeterValuesSampledData"
        let reading = reading201(connectors[i], at: time, measurands: configuration.list(key), context: readingContext, registerWh: connectors[i].registerWh)
        emit201(connector: connector, .updated, trigger: readingContext == .sampleClock ? .meterValueClock : .meterValuePeriodic, meter: [reading], at: time)
    }

    // MARK: The event itself

    /// Numbers, fills and queues one TransactionEvent of the EVSE's transaction.
    func emit201(
        connector: Int, _ eventType: V201.TransactionEventEnum, trigger: V201.TriggerReasonEnum, chargingState: V201.ChargingStateEnum? = nil,
        meter: [V201.MeterValue]? = nil, stoppedReason: V201.ReasonEnum? = nil, at time: Date? = nil
    ) {
        guard var tx = v201.transactions[connector] else { return }
        var info = V201.Transaction(transactionId: tx.id, chargingState: chargingState, stoppedReason: stoppedReason)
        if chargingState != nil && chargingState == tx.chargingState && eventType == .updated { info.chargingState = nil }
        if let state = chargingState { tx.chargingState = state }
        if let remote = tx.remoteStartId, !tx.remoteStartIdSent {
            info.remoteStartId = remote
            tx.remoteStartIdSent = true
        }
        let reason = has(.staleTriggerReason) && eventType != .started ? (tx.startTrigger ?? trigger) : trigger
        var request = V201.TransactionEvent.Request(
            eventType: eventType, timestamp: context.clock.stamp(time ?? context.clock.now()), triggerReason: reason, seqNo: tx.seqNo, transactionInfo: info)
        tx.seqNo += has(.seqNoGap) && eventType == .started ? 2 : 1
        if (!tx.evseSent || has(.evseInEveryEvent)) && !has(.evseMissing) {
            request.evse = V201.EVSE(id: connector, connectorId: 1)
        }
        tx.evseSent = true
        if let token = tx.idToken, !tx.idTokenSent, !(has(.noIdTokenAfterRemoteStart) && tx.remoteStartId != nil) {
            request.idToken = V201.IdToken(idToken: token, type: tx.remoteStartId == nil ? .iso14443 : .central)
            tx.idTokenSent = true
        }
        if let meter, !meter.isEmpty, !(has(.meterValuesOnlyInEnded) && eventType != .ended) { request.meterValue = meter }
        if !isConnected && !has(.offlineFlagMissing) { request.offline = true }
        v201.transactions[connector] = tx
        enqueue(V201.TransactionEvent.name, V201.TransactionEvent.encode(request), localTransaction: nil)
    }

    /// A 2.0.1 meter value from the same readings a 1.6 pile takes.
    func reading201(_ c: ConnectorState, at time: Date? = nil, measurands: [String], context readingContext: V16.ReadingContext, registerWh: Double) -> V201.MeterValue {
        let v16 = sample(c, at: time ?? context.clock.now(), measurands: measurands, context: readingContext, registerWh: registerWh)
        let values = v16.sampledValue.map { s in
            V201.SampledValue(
                value: Double(s.value) ?? 0, context: s.context.flatMap { V201.ReadingContextEnum(rawValue: $0.rawValue) },
                measurand: s.measurand.flatMap { V201.MeasurandEnum(rawValue: $0.rawValue) }, location: s.location.flatMap { V201.LocationEnum(rawValue: $0.rawValue) },
                unitOfMeasure: s.unit.map { V201.UnitOfMeasure(unit: $0.rawValue) })
        }
        return V201.MeterValue(sampledValue: values, timestamp: v16.timestamp)
    }

    /// After a reconnect: the seqno-restart-at-reconnect quirk numbers running transactions from 0 again.
    func reconnected201() {
        guard has(.seqNoRestartAtReconnect) else { return }
        for connector in v201.transactions.keys { v201.transactions[connector]?.seqNo = 0 }
    }
}

extension StopCause {
    var trigger201: V201.TriggerReasonEnum {
        switch self {
        case .remote: .remoteStop
        case .local, .targetReached: .stopAuthorized
        case .unplugged, .evFull: .evDeparted
        case .fault: .abnormalCondition
        case .reset: .resetCommand
        case .unlock: .unlockCommand
        case .deauthorized: .deauthorized
        }
    }

    var reason201: V201.ReasonEnum {
        switch self {
        case .remote: .remote
        case .local, .targetReached: .local
        case .unplugged, .evFull: .evDisconnected
        case .fault, .unlock: .other
        case .reset(let hard): hard ? .immediateReset : .reboot
        case .deauthorized: .deAuthorized
        }
    }
}

extension SimulatedPile {
    /// The station's id of the transaction running on `evse` (2.0.1), for tests and scenarios.
    public func transactionId201(evse: Int) -> String? { v201.transactions[evse]?.id }
}

extension SimulatedPile {
    /// E05: a token the CSMS does not accept in its answer stops the transaction when
    /// TxCtrlr.StopTxOnInvalidId is true (Deauthorized / DeAuthorized).
    func transactionEventAnswered(_ sent: String, _ json: JSON) {
        guard let (response, _) = try? V201.TransactionEvent.decodeResponse(json, mode: .lenient),
            let status = response.idTokenInfo?.status, status != .accepted, configuration.bool("StopTransactionOnInvalidId"),
            let event = try? JSONParser.parse(sent), let id = event["transactionInfo"]?["transactionId"]?.stringValue,
            let connector = v201.transactions.first(where: { $0.value.id == id })?.key, let i = index(of: connector)
        else { return }
        if connectors[i].transaction != nil {
            stopTransaction(connector: connector, cause: .deauthorized)
        } else {
            end201(connector: connector, trigger: .deauthorized, reason: .deAuthorized, at: context.clock.now(), byToken: false, vehicleStays: true)
        }
    }
}
