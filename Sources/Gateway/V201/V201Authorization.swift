import OCPP
import OCPPWebSocket
import SessionStore

/// C01: may this id token charge? The same accounts and tags as 1.6 piles.
struct V201Authorize: CallHandler {
    typealias Action = V201.Authorize

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.keep(findings)
        pile.reply(Action.self, to: call, .init(idTokenInfo: V201.IdTokenInfo(pile.tokenVerdict(request.idToken.idToken))))
    }
}
