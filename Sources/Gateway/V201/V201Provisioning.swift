import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// B01–B04: the station says who it is; Accepted stations get the heartbeat interval,
/// others the interval after which to boot again.
struct V201BootNotification: CallHandler {
    typealias Action = V201.BootNotification

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        let station = request.chargingStation
        let boot = BootInfo(
            vendor: station.vendorName, model: station.model, serialNumber: station.serialNumber, firmwareVersion: station.firmwareVersion)
        let (status, interval) = pile.booted(boot, call, findings: findings)
        pile.reply(Action.self, to: call, .init(currentTime: Date(), interval: interval, status: V201.RegistrationStatusEnum(status)))
        if status == .accepted { pile.services.operations.acceptedBoot(pile.identity) }
    }
}

/// B07/B08: a report the CSMS asked for (GetBaseReport, GetReport), page by page: stored
/// as the station's device model (`GET /api/chargepoints/{id}/device-model`).
struct V201NotifyReport: CallHandler {
    typealias Action = V201.NotifyReport

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        let variables = (request.reportData ?? []).flatMap { data in
            data.variableAttribute.map { attribute in
                DeviceVariableRecord(
                    component: data.component.name, componentInstance: data.component.instance, evseId: data.component.evse?.id,
                    connectorId: data.component.evse?.connectorId, variable: data.variable.name, variableInstance: data.variable.instance,
                    attribute: (attribute.type ?? .actual).rawValue, value: attribute.value, mutability: attribute.mutability?.rawValue,
                    dataType: data.variableCharacteristics?.dataType.rawValue, unit: data.variableCharacteristics?.unit,
                    reportedAt: call.receivedAt)
            }
        }
        pile.noteDeviceModel(variables, requestId: request.requestId, lastPage: request.tbc != true)
        pile.store.submit(.deviceModel(chargePointId: pile.identity, variables: variables), frame: nil, findings: findings) { _ in }
        pile.reply(Action.self, to: call, .init())
    }
}
