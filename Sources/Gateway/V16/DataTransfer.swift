import OCPP
import OCPPWebSocket
import SessionStore

/// 1.6 §4.3: vendor-specific data, answered by the handler registered for the vendor.
struct V16DataTransfer: CallHandler {
    typealias Action = V16.DataTransfer

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.keep(findings)
        let answer = pile.services.dataTransfer.handle(
            VendorData(vendorId: request.vendorId, messageId: request.messageId, data: request.data), from: pile.identity)
        let status = V16.DataTransferStatus(rawValue: answer.status.rawValue) ?? .Rejected
        pile.reply(Action.self, to: call, .init(status: status, data: answer.data))
    }
}
