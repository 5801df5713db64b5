import Foundation
import OCPP

/// B01 and G01: a 2.0.1 station's boot and connector statuses. Heartbeats are the same
/// empty CALL in both versions and stay on the shared timer.
extension SimulatedPile {
    func boot201(reason: String) {
        let bootReason = v201.nextBootReason ?? (reason == "Triggered" ? .triggered : .powerUp)
        let station = V201.ChargingStation(
            model: profile.model, vendorName: profile.vendor, serialNumber: identity.suffix(25).description, firmwareVersion: profile.firmware)
        let request = V201.BootNotification.Request(chargingStation: station, reason: bootReason)
        call(V201.BootNotification.name, V201.BootNotification.encode(request)) { pile, result in
            guard case .success(let json) = result, let (response, _) = try? V201.BootNotification.decodeResponse(json, mode: .lenient) else {
                pile.after(pile.context.clock.protocolDelay(30)) { $0.boot(reason: reason) }
                return
            }
            pile.v201.nextBootReason = nil
            pile.registration = V16.RegistrationStatus(rawValue: response.status.rawValue)
            pile.notify(.booted(pile: pile.identity, status: response.status.rawValue))
            switch response.status {
            case .accepted:
                pile.bootedOnce = true
                if response.interval > 0 { _ = pile.configuration.change("HeartbeatInterval", to: String(response.interval)) }
                pile.sendAllStatuses()
                pile.pumpQueue()
                pile.scheduleHeartbeat()
                pile.bootQuirks(repeating: V201.BootNotification.name, V201.BootNotification.encode(request))
            case .pending, .rejected:
                let wait = Double(response.interval > 0 ? response.interval : 60)
                pile.after(pile.context.clock.protocolDelay(wait)) { $0.boot(reason: reason) }
            }
        }
    }

    /// What a 2.0.1 connector reports for the shared (1.6-shaped) state: Occupied from plug
    /// to unplug, whatever the charging does meanwhile.
    func connectorStatus201(_ c: ConnectorState, _ status: V16.ChargePointStatus) -> V201.ConnectorStatusEnum {
        switch status {
        case .Unavailable: .unavailable
        case .Faulted: .faulted
        case .Reserved: .reserved
        default: c.vehicle == nil ? .available : .occupied
        }
    }

    /// The 2.0.1 side of `sendStatus`: a StatusNotification when the 2.0.1 status changed,
    /// and an Updated event when the charging state did (SuspendedEV).
    func sendStatus201(connector: Int, _ status: V16.ChargePointStatus, force: Bool = false) {
        guard connector != 0, let i = index(of: connector) else { return }  // 2.0.1 reports EVSEs, not the station
        if status == .SuspendedEV, let tx = v201.transactions[connector], tx.chargingState != .suspendedEV {
            emit201(connector: connector, .updated, trigger: .chargingStateChanged, chargingState: .suspendedEV)
        }
        let next = connectorStatus201(connectors[i], status)
        guard force || v201.reported[connector] != next else { return }
        v201.reported[connector] = next
        let request = V201.StatusNotification.Request(
            timestamp: context.clock.stamp(context.clock.now()), connectorStatus: next, evseId: connector, connectorId: 1)
        send(V201.StatusNotification.name, V201.StatusNotification.encode(request))
    }

    func sendAllStatuses201() {
        for c in connectors { sendStatus201(connector: c.id, c.machine.status, force: true) }
    }
}
