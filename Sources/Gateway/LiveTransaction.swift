import Foundation
import SessionStore

/// A running transaction as its pile's session sees it: enough to tell live views the
/// power, energy, state of charge and cost so far without reading the store.
struct LiveTransaction {
    var record: SessionRecord
    var ledger: EnergyLedger?
    var group: String?
    var network: String?
    var powerW: Double?
    var soc: Double?
    var registerWh: Double
    /// The newest reading's time: a simulated pile's clock may run ahead of ours.
    var lastReading: Date
    /// What the EV last said it needs (2.0.1 NotifyEVChargingNeeds), for load management.
    var chargingNeeds: EVChargingNeeds?

    init(record: SessionRecord, plan: TariffPlan?, account: Account?, network: String?) {
        self.record = record
        registerWh = Double(record.meterStartWh)
        lastReading = record.startTime
        group = account?.group
        self.network = network
        if let plan {
            var ledger = EnergyLedger(plan: plan)
            ledger.add(time: record.startTime, registerWh: registerWh)
            self.ledger = ledger
        }
    }

    /// Takes in one MeterValues' readings: the outlet's totals, and the car's state of charge.
    mutating func apply(_ samples: [SampleRecord]) {
        for sample in samples where sample.phase == nil {
            lastReading = max(lastReading, sample.time)
            if sample.measurand == "SoC" {
                soc = sample.value
                continue
            }
            if sample.isOutletEnergyRegister {
                registerWh = max(registerWh, sample.value)
                ledger?.add(time: sample.time, registerWh: sample.value)
            } else if sample.measurand == "Power.Active.Import" && (sample.location ?? "Outlet") == "Outlet" {
                powerW = sample.value
            }
        }
    }

    func figures(now: Date) -> LiveFigures {
        let cost = ledger.map {
            Receipt(sessionId: record.id, network: network, ledger: $0, stopTime: record.stopTime, unpluggedAt: nil, now: now, group: group)
                .totalFen
        }
        return LiveFigures(
            powerKW: powerW.map { $0 / 1000 }, energyKWh: (registerWh - Double(record.meterStartWh)) / 1000, soc: soc,
            elapsedSeconds: max(0, (record.stopTime ?? max(now, lastReading)).timeIntervalSince(record.startTime)), costFen: cost)
    }
}

extension ChargePointSession {
    func startLive(id: Int64, start: SessionStart) {
        let account = services.accountsByTag[start.idTag.lowercased()]
        let record = SessionRecord(
            id: id, chargePointId: identity, connectorId: start.connectorId, idTag: start.idTag, ocppVersion: start.ocppVersion,
            status: .active, authorizationStatus: start.authorizationStatus, startTime: start.startTime, stopTime: nil,
            meterStartWh: start.meterStartWh, meterStopWh: nil, energyWh: nil, stopReason: nil, stopIdTag: nil, costFen: nil,
            reservationId: start.reservationId, account: account?.id)
        let transaction = LiveTransaction(
            record: record, plan: services.plan(forChargePoint: identity), account: account,
            network: services.knownChargePoints[identity]?.network)
        live[id] = transaction
        services.events.publish(.session(transaction.record, transaction.figures(now: Date())))
    }

    func updateLive(id: Int64, samples: [SampleRecord]) {
        guard live[id] != nil else { return }
        live[id]?.apply(samples)
        guard services.events.hasSubscribers, let transaction = live[id] else { return }
        services.events.publish(.session(transaction.record, transaction.figures(now: Date())))
    }

    func stopLive(id: Int64, stop: SessionStop) {
        guard var transaction = live.removeValue(forKey: id) else { return }
        lastStopped[transaction.record.connectorId] = id
        transaction.apply(stop.samples)
        transaction.registerWh = max(transaction.registerWh, Double(stop.meterStopWh))
        transaction.ledger?.add(time: stop.stopTime, registerWh: Double(stop.meterStopWh))
        transaction.record.status = .completed
        transaction.record.stopTime = stop.stopTime
        transaction.record.meterStopWh = stop.meterStopWh
        transaction.record.energyWh = stop.meterStopWh.saturatingSubtract(transaction.record.meterStartWh)
        transaction.record.stopReason = stop.reason
        services.events.publish(.session(transaction.record, transaction.figures(now: Date())))
    }
}
