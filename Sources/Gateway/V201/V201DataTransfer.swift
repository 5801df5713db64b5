import OCPP
import OCPPWebSocket
import SessionStore

/// P01: vendor-specific data, answered by the handler registered for the vendor (the
/// same registry as 1.6; the data is handed over as JSON text).
struct V201DataTransfer: CallHandler {
    typealias Action = V201.DataTransfer

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.keep(findings)
        let asked = VendorData(vendorId: request.vendorId, messageId: request.messageId, data: request.data.map(\.text))
        let answer = pile.services.dataTransfer.handle(asked, from: pile.identity)
        let status = V201.DataTransferStatusEnum(rawValue: answer.status.rawValue) ?? .rejected
        pile.reply(Action.self, to: call, .init(status: status, data: answer.data.map(JSON.string)))
    }
}
