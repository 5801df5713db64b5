import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// 1.6 §4.2: the pile says who it is; Accepted piles get the heartbeat interval, others
/// the interval after which to boot again.
struct V16BootNotification: CallHandler {
    typealias Action = V16.BootNotification

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        let boot = BootInfo(
            vendor: request.chargePointVendor, model: request.chargePointModel,
            serialNumber: request.chargePointSerialNumber ?? request.chargeBoxSerialNumber, firmwareVersion: request.firmwareVersion)
        let (status, interval) = pile.booted(boot, call, findings: findings)
        pile.reply(Action.self, to: call, .init(status: V16.RegistrationStatus(status), currentTime: Date(), interval: interval))
        if status == .accepted { pile.services.operations.acceptedBoot(pile.identity) }
    }
}
