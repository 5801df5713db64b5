import OCPP
import OCPPWebSocket
import SessionStore

/// 1.6 §4.8: a transaction began; its id is the session's. Answered only once stored.
struct V16StartTransaction: CallHandler {
    typealias Action = V16.StartTransaction

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        guard !pile.refusedConnector(request.connectorId, call) else { return }
        var verdict = Verdict(findings: findings)
        let start = SessionStart(
            chargePointId: pile.identity, connectorId: request.connectorId, idTag: request.idTag,
            meterStartWh: Int64(pile.checkedRegister(request.meterStart, what: "meterStart", call: call, into: &verdict)),
            startTime: pile.checkedTime(request.timestamp, what: "StartTransaction timestamp", call: call, into: &verdict),
            reservationId: request.reservationId, authorizationStatus: "", ocppVersion: pile.version.label, receivedAt: call.receivedAt)
        pile.sessionStarted(start, call, verdict: verdict) { session, id, token, _ in
            session.reply(Action.self, to: call, .init(idTagInfo: V16.IdTagInfo(token), transactionId: Int(clamping: id)))
        }
    }
}
