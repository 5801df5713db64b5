import EVModel
import Foundation
import OCPP
import OCPPWebSocket

/// A gun of the pile, with the vehicle on it and the transaction it runs.
public struct ConnectorState: Sendable {
    public let id: Int
    public internal(set) var machine = ConnectorStateMachine()
    /// Energy register, Wh: never decreases (except with the meter-register-reset quirk).
    public internal(set) var registerWh: Double = 0
    public internal(set) var vehicle: VehicleProfile?
    /// The car came with the fleet's arrivals, so its driver leaves after the dwell; a car
    /// plugged in by hand (a test, a scenario, the demo's app users) stays until unplugged.
    var fleetDriver = false
    public internal(set) var soc: Double = 0
    public internal(set) var targetSoC: Double = 100
    public internal(set) var powerKW: Double = 0
    public internal(set) var transaction: Transaction?
    /// Who will be charged once the transaction starts (local tag, remote start, VIN).
    var pendingIdTag: String?
    /// The reservation the pending start uses (remote start under a reservation before the plug).
    var pendingReservation: Int?
    /// The TxProfile a RemoteStartTransaction carried, installed when a transaction of its tag begins.
    var pendingChargingProfile: (idTag: String, profile: ChargingLimitProfile)?
    var lastAdvance: Date?
    var lastSample: Date?
    var lastAligned: Date?
    var unavailableAfterTransaction = false
    var resetDone = false
    var jumpDone = false

    public struct Transaction: Sendable {
        public let local: Int
        public internal(set) var id: Int?
        public let idTag: String
        public let meterStartWh: Double
        public let start: Date
    }

    init(id: Int) { self.id = id }
}

public enum StopCause: Sendable, Equatable {
    case remote, unplugged, targetReached, evFull, fault, reset(hard: Bool), unlock, deauthorized, local

    var reason: V16.Reason {
        switch self {
        case .remote: .Remote
        case .unplugged: .EVDisconnected
        case .targetReached, .local: .Local
        case .evFull: .EVDisconnected
        case .fault: .Other
        case .reset(let hard): hard ? .HardReset : .SoftReset
        case .unlock: .UnlockCommand
        case .deauthorized: .DeAuthorized
        }
    }
}

extension SimulatedPile {
    func index(of connector: Int) -> Int? { connectors.firstIndex { $0.id == connector } }

    /// Moves a connector and notifies the central system; illegal moves are refused.
    @discardableResult
    func move(_ connector: Int, to status: V16.ChargePointStatus, errorCode: V16.ChargePointErrorCode = .NoError) -> Bool {
        guard let i = index(of: connector) else { return false }
        do {
            if try connectors[i].machine.move(to: status) {
                // A faulted or unavailable connector loses its reservation.
                if status == .Faulted || status == .Unavailable { reservations[connector] = nil }
                sendStatus(connector: connector, status, errorCode: errorCode)
                if status == .Finishing || status == .SuspendedEV { scheduleDeparture(connector) }
            }
            return true
        } catch {
            return false
        }
    }

    // MARK: What drivers and vehicles do

    /// A vehicle plugs in. With `idTag` the driver also swipes a card; with plug and charge
    /// the pile uses the VIN; otherwise it waits for a remote start.
    public func plugIn(connector: Int, vehicle: VehicleProfile, soc: Double, targetSoC: Double = 100, idTag: String? = nil, vin: String? = nil) {
        guard let i = index(of: connector), connectors[i].vehicle == nil,
            [.Available, .Preparing, .Reserved].contains(connectors[i].machine.status)
        else { return }
        connectors[i].vehicle = vehicle
        connectors[i].soc = soc
        connectors[i].targetSoC = min(targetSoC, 100)
        // A reserved connector stays Reserved until the reserved driver starts.
        if connectors[i].machine.status != .Reserved || speaks201 { move(connector, to: .Preparing) }
        if speaks201 { return evConnected201(connector: connector, idTag: idTag, vin: vin) }
        if let tag = connectors[i].pendingIdTag {
            beginTransaction(connector: connector, idTag: tag)
        } else if let idTag {
            authorizeThenStart(connector: connector, idTag: idTag)
        } else if profile.plugAndCharge, let vin {
            beginTransaction(connector: connector, idTag: String(vin.prefix(20)))
        }
    }

    /// The driver swipes a card (or the app sends the tag) at a connector with a vehicle.
    public func swipe(connector: Int, idTag: String) {
        authorizeThenStart(connector: connector, idTag: idTag)
    }

    public func unplug(connector: Int) {
        guard let i = index(of: connector), connectors[i].vehicle != nil else { return }
        if speaks201 {
            evDisconnected201(connector: connector)
        } else if connectors[i].transaction != nil {
            stopTransaction(connector: connector, cause: .unplugged)
        }
        connectors[i].vehicle = nil
        connectors[i].fleetDriver = false
        connectors[i].powerKW = 0
        connectors[i].pendingIdTag = nil
        connectors[i].pendingReservation = nil
        connectors[i].pendingChargingProfile = nil
        if reservations[connector] != nil, connectors[i].machine.status == .Reserved {
            // Another driver's car leaves a connector still held for the reserved one.
        } else if connectors[i].unavailableAfterTransaction {
            connectors[i].unavailableAfterTransaction = false
            move(connector, to: .Unavailable)
        } else {
            move(connector, to: .Available)
        }
    }

    /// A fault on a connector: a running transaction stops, the connector reports Faulted.
    public func fault(connector: Int, code: V16.ChargePointErrorCode = .GroundFailure) {
        guard let i = index(of: connector) else { return }
        if connectors[i].transaction != nil { stopTransaction(connector: connector, cause: .fault) }
        move(connector, to: .Faulted, errorCode: code)
    }

    public func recover(connector: Int) {
        guard let i = index(of: connector), connectors[i].machine.status == .Faulted else { return }
        move(connector, to: connectors[i].vehicle == nil ? .Available : .Preparing)
    }

    // MARK: Transactions

    func authorizeThenStart(connector: Int, idTag: String) {
        if speaks201 { return authorize201(connector: connector, idTag: idTag) }
        call(V16.Authorize.name, V16.Authorize.encode(V16.Authorize.Request(idTag: idTag))) { pile, result in
            switch result {
            case .success(let json):
                // An answer we cannot read counts as Accepted, as before.
                let info = (try? V16.Authorize.decodeResponse(json, mode: .lenient))?.0.idTagInfo
                guard (info?.status ?? .Accepted) == .Accepted else { return }
                pile.beginTransaction(connector: connector, idTag: idTag, parentIdTag: info?.parentIdTag)
            case .failure(let error as RPCCallError) where error.isTransport:
                // Offline: the local list decides (1.6 §3.5, LocalAuthorizeOffline).
                let verdict = pile.offlineAuthorization(idTag)
                guard verdict.start else { return }
                pile.beginTransaction(connector: connector, idTag: idTag, parentIdTag: verdict.parentIdTag)
            case .failure:
                pile.beginTransaction(connector: connector, idTag: idTag)  // a CALLERROR: optimism, as before
            }
        }
    }

    /// Starts the transaction: StartTransaction is queued (it must not be lost), charging begins.
    func beginTransaction(connector: Int, idTag: String, parentIdTag: String? = nil) {
        if speaks201 { return authorized201(connector: connector, token: idTag, trigger: .authorized, remoteStartId: nil) }
        guard !closing else { return }
        guard let i = index(of: connector), connectors[i].transaction == nil else { return }
        // A reserved connector starts only for the reserved tag (or its group); the start uses the reservation.
        guard let reservation = reservationCheck(connector: connector, idTag: idTag, parent: parentIdTag) else { return }
        if let reservation {
            reservations[connector] = nil
            connectors[i].pendingReservation = reservation
            if connectors[i].machine.status == .Reserved { move(connector, to: .Preparing) }
        }
        guard connectors[i].vehicle != nil else {
            // Remote start before the plug: wait for the vehicle up to ConnectionTimeOut.
            connectors[i].pendingIdTag = idTag
            move(connector, to: .Preparing)
            let timeout = Double(configuration.int("ConnectionTimeOut") ?? 120)
            after(context.clock.wallDelay(timeout)) { pile in
                guard let i = pile.index(of: connector), pile.connectors[i].vehicle == nil, pile.connectors[i].pendingIdTag != nil else { return }
                pile.connectors[i].pendingIdTag = nil
                pile.connectors[i].pendingReservation = nil
                pile.move(connector, to: .Available)
            }
            return
        }
        let now = context.clock.now()
        let local = nextLocalTransaction
        nextLocalTransaction += 1
        connectors[i].pendingIdTag = nil
        let reservationId = connectors[i].pendingReservation
        connectors[i].pendingReservation = nil
        if let remote = connectors[i].pendingChargingProfile {
            connectors[i].pendingChargingProfile = nil
            if remote.idTag == idTag { installRemoteStartProfile(remote.profile, connector: connector) }
        }
        connectors[i].transaction = .init(local: local, id: nil, idTag: idTag, meterStartWh: connectors[i].registerWh, start: now)
        connectors[i].lastAdvance = now
        connectors[i].lastSample = now
        let request = V16.StartTransaction.Request(
            connectorId: connector, idTag: idTag, meterStart: Int(connectors[i].registerWh.rounded()), reservationId: reservationId,
            timestamp: context.clock.stamp(now))
        let payload = V16.StartTransaction.encode(request)
        lastStartTransaction = payload
        enqueue(V16.StartTransaction.name, payload, localTransaction: local)
        if profile.quirks.contains(.meterValuesBeforeStartConf), let connection {
            // Straight onto the wire, not behind the StartTransaction in flight: that is the quirk.
            let payload = encoder.encode(action: V16.MeterValues.name, meterValues(connector: connectors[i], context: .transactionBegin, transactionId: nil))
            connection.send(.call(messageId: "early-\(local)", action: V16.MeterValues.name, payload: payload), action: V16.MeterValues.name, latency: nil)
        }
        move(connector, to: .Charging)
        scheduleTick()
    }

    func startTransactionAnswered(local: Int, json: JSON) {
        guard let (response, _) = try? V16.StartTransaction.decodeResponse(json, mode: .lenient) else { return }
        queue.assign(local: local, id: response.transactionId)
        guard let i = connectors.firstIndex(where: { $0.transaction?.local == local }) else { return }
        connectors[i].transaction?.id = response.transactionId
        notify(.sessionStarted(pile: identity, connector: connectors[i].id, transactionId: response.transactionId))
        if response.idTagInfo.status != .Accepted && configuration.bool("StopTransactionOnInvalidId") {
            stopTransaction(connector: connectors[i].id, cause: .deauthorized)
        }
    }

    /// Ends the transaction on `connector`: StopTransaction (with transactionData) is queued.
    func stopTransaction(connector: Int, cause: StopCause, at time: Date? = nil) {
        if speaks201 { return stopTransaction201(connector: connector, cause: cause, at: time) }
        guard let i = index(of: connector), let transaction = connectors[i].transaction else { return }
        advance(until: time ?? context.clock.now())
        let stopTime = time ?? context.clock.now()
        var data: [V16.MeterValue] = []
        let stopMeasurands = configuration.list("StopTxnSampledData")
        if !stopMeasurands.isEmpty {
            data.append(sample(connectors[i], at: transaction.start, measurands: stopMeasurands, context: .transactionBegin, registerWh: transaction.meterStartWh))
            data.append(sample(connectors[i], at: stopTime, measurands: stopMeasurands, context: .transactionEnd, registerWh: connectors[i].registerWh))
        }
        let request = V16.StopTransaction.Request(
            idTag: transaction.idTag, meterStop: Int(connectors[i].registerWh.rounded()), timestamp: context.clock.stamp(stopTime),
            transactionId: transaction.id ?? 0, reason: cause.reason, transactionData: data.isEmpty ? nil : data)
        enqueue(V16.StopTransaction.name, V16.StopTransaction.encode(request), localTransaction: transaction.local)
        notify(.sessionStopped(pile: identity, connector: connector, energyWh: connectors[i].registerWh - transaction.meterStartWh, reason: cause.reason.rawValue))
        connectors[i].transaction = nil
        connectors[i].powerKW = 0
        transactionProfilesEnded(connector: connector)
        switch cause {
        case .unplugged, .fault, .reset: break  // the caller sets the next status
        default: move(connector, to: .Finishing)
        }
    }

    // MARK: Physics tick

    /// While any gun charges, advance the physics every sample interval (at most 30
    /// simulated seconds), send MeterValues when due and stop at the target.
    func scheduleTick() {
        guard tickTimer == nil, connectors.contains(where: { $0.transaction != nil }) else { return }
        let sampleInterval = Double(max(configuration.int("MeterValueSampleInterval") ?? 60, 1))
        tickTimer = after(context.clock.wallDelay(min(sampleInterval, 30))) { pile in
            pile.tickTimer = nil
            pile.tick()
            pile.scheduleTick()
        }
    }

    func tick() {
        let now = context.clock.now()
        // Clock-aligned readings are taken at the slot boundary itself: integrate up to it first.
        let aligned = Double(configuration.int("ClockAlignedDataInterval") ?? 0)
        if aligned > 0 {
            let slot = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / aligned).rounded(.down) * aligned)
            advance(until: slot)
            for i in connectors.indices {
                guard let transaction = connectors[i].transaction, slot > transaction.start,
                    connectors[i].lastAligned.map({ $0 < slot }) ?? true
                else { continue }
                connectors[i].lastAligned = slot
                if speaks201 {
                    sampled201(connector: connectors[i].id, context: .sampleClock, at: slot)
                    continue
                }
                let reading = meterValues(connector: connectors[i], context: .sampleClock, transactionId: transaction.id, at: slot)
                enqueue(V16.MeterValues.name, reading, localTransaction: transaction.local)
            }
        }
        advance(until: now)
        let sampleInterval = Double(configuration.int("MeterValueSampleInterval") ?? 60)
        for i in connectors.indices {
            guard let transaction = connectors[i].transaction else { continue }
            if sampleInterval > 0, let last = connectors[i].lastSample, now.timeIntervalSince(last) >= sampleInterval {
                connectors[i].lastSample = now
                if speaks201 {
                    sampled201(connector: connectors[i].id, context: .samplePeriodic)
                    continue
                }
                enqueue(V16.MeterValues.name, meterValues(connector: connectors[i], context: .samplePeriodic, transactionId: transaction.id), localTransaction: transaction.local)
            }
        }
    }

    /// Integrates every charging gun up to `time`, sharing the pile's power budget.
    func advance(until time: Date) {
        let charging = connectors.indices.filter { connectors[$0].transaction != nil && connectors[$0].vehicle != nil }
        guard !charging.isEmpty else { return }
        // Charging profiles cap each gun and the pile, at the limits in force when the step begins.
        let caps = charging.map { i in limitKW(connector: connectors[i].id, at: connectors[i].lastAdvance ?? time) ?? .infinity }
        let demand = charging.enumerated().map { k, i in
            min(caps[k], connectors[i].vehicle.map { ChargingPhysics.power(vehicle: $0, pile: profile, soc: connectors[i].soc, grantedKW: profile.maxPowerKW) } ?? 0)
        }
        let pileCap = charging.first.flatMap { limitKW(connector: 0, at: connectors[$0].lastAdvance ?? time) } ?? .infinity
        var granted = ChargingPhysics.share(totalKW: min(profile.totalPowerKW, pileCap), demandKW: demand)
        for k in granted.indices { granted[k] = min(granted[k], caps[k]) }
        for (k, i) in charging.enumerated() {
            guard let vehicle = connectors[i].vehicle, let from = connectors[i].lastAdvance else { continue }
            let seconds = time.timeIntervalSince(from)
            guard seconds > 0 else {
                // No time passed, but the limits may have (a profile just installed or cleared).
                connectors[i].powerKW = ChargingPhysics.power(vehicle: vehicle, pile: profile, soc: connectors[i].soc, grantedKW: granted[k])
                continue
            }
            let result = ChargingPhysics.advance(
                vehicle: vehicle, pile: profile, soc: connectors[i].soc, grantedKW: granted[k], seconds: seconds,
                targetSoC: connectors[i].targetSoC)
            connectors[i].registerWh += result.energyKWh * 1000
            connectors[i].soc = result.soc
            connectors[i].lastAdvance = time
            connectors[i].powerKW = ChargingPhysics.power(vehicle: vehicle, pile: profile, soc: result.soc, grantedKW: granted[k])
            if profile.quirks.contains(.meterRegisterReset), connectors[i].soc > 50, !connectors[i].resetDone {
                connectors[i].resetDone = true
                connectors[i].registerWh = 0
            }
            if profile.quirks.contains(.registerJump), connectors[i].soc > 50, !connectors[i].jumpDone {
                connectors[i].jumpDone = true
                connectors[i].registerWh += 4_294_967_296
            }
            if connectors[i].powerKW == 0 && !result.reachedTarget {
                // The car takes no power here (e.g. an 800 V pack on a 750 V pile): it
                // suspends, and its driver unplugs after the dwell.
                move(connectors[i].id, to: .SuspendedEV)
            }
            if result.reachedTarget {
                let id = connectors[i].id
                let at = from.addingTimeInterval(result.seconds)
                let cause: StopCause = connectors[i].targetSoC >= 100 ? .evFull : .targetReached
                if cause == .evFull {
                    connectors[i].powerKW = 0
                    move(id, to: .SuspendedEV)
                } else {
                    stopTransaction(connector: id, cause: cause, at: at)
                }
            }
        }
    }

    // MARK: Readings

    /// A MeterValues payload: clock-aligned readings carry MeterValuesAlignedData, the rest MeterValuesSampledData.
    func meterValues(connector: ConnectorState, context readingContext: V16.ReadingContext, transactionId: Int?, at time: Date? = nil) -> JSON {
        let key = readingContext == .sampleClock ? "MeterValuesAlignedData" : "MeterValuesSampledData"
        let value = sample(
            connector, at: time ?? context.clock.now(), measurands: configuration.list(key), context: readingContext,
            registerWh: connector.registerWh)
        return V16.MeterValues.encode(V16.MeterValues.Request(connectorId: connector.id, transactionId: transactionId, meterValue: [value]))
    }

    func sample(_ c: ConnectorState, at time: Date, measurands: [String], context: V16.ReadingContext, registerWh: Double) -> V16.MeterValue {
        let voltage = profile.current == .ac ? 220 : (c.vehicle?.packVoltageV ?? 0)
        var values: [V16.SampledValue] = []
        for name in measurands {
            guard let measurand = V16.Measurand(rawValue: name) else { continue }
            switch measurand {
            case .energyActiveImportRegister:
                values.append(.init(value: String(Int(registerWh.rounded())), context: context, measurand: measurand, unit: .Wh))
            case .powerActiveImport:
                values.append(.init(value: String(Int((c.powerKW * 1000).rounded())), context: context, measurand: measurand, unit: .W))
            case .currentImport:
                let amps = voltage > 0 ? c.powerKW * 1000 / voltage : 0
                values.append(.init(value: String(format: "%.1f", amps), context: context, measurand: measurand, unit: .A))
            case .voltage:
                values.append(.init(value: String(format: "%.1f", voltage), context: context, measurand: measurand, unit: .V))
            case .soc where profile.current == .dc && c.vehicle != nil:
                values.append(.init(value: String(Int(c.soc.rounded(.down))), context: context, measurand: measurand, location: .EV, unit: .Percent))
            default:
                continue
            }
        }
        if values.isEmpty {
            values.append(.init(value: String(Int(registerWh.rounded())), context: context, measurand: .energyActiveImportRegister, unit: .Wh))
        }
        return V16.MeterValue(timestamp: self.context.clock.stamp(time), sampledValue: values)
    }
}
