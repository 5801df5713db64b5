import OCPP
import OCPPWebSocket
import SessionStore

/// 1.6 §4.1: may this id tag charge?
struct V16Authorize: CallHandler {
    typealias Action = V16.Authorize

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.keep(findings)
        pile.reply(Action.self, to: call, .init(idTagInfo: V16.IdTagInfo(pile.tokenVerdict(request.idTag))))
    }
}
