import OCPP
import OCPPWebSocket
import SessionStore

/// 1.6 §4.3: vendor-specific data, answered by the handler registered for the vendor.
struct V16DataTransfer: CallHandler {
    typealias Action = V16.DataTransfer

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.keep(findings)
        pile.reply(Action.self, to: call, pile.services.dataTransfer.handle(request, from: pile.identity))
    }
}
