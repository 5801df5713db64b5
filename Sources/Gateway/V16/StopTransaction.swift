import OCPP
import OCPPWebSocket
import SessionStore

/// 1.6 §4.10: a transaction ended. Always acknowledged (values out of range are bounded,
/// never refused); answered only once stored.
struct V16StopTransaction: ValidatedJSONHandler {
    typealias Action = V16.StopTransaction

    func handle(validated payload: JSON, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        guard let request = pile.typed(Action.self, payload, call) else { return }
        var verdict = Verdict(findings: findings)
        let stop = SessionStop(
            chargePointId: pile.identity, transactionId: Int64(request.transactionId),
            meterStopWh: Int64(pile.checkedRegister(request.meterStop, what: "meterStop", call: call, acknowledged: true, into: &verdict)),
            stopTime: pile.checkedTime(request.timestamp, what: "StopTransaction timestamp", call: call, acknowledged: true, into: &verdict),
            reason: StopReason(request.reason ?? .Local).rawValue, idTag: request.idTag,
            samples: pile.readings(payload["transactionData"], call: call, acknowledged: true, into: &verdict), receivedAt: call.receivedAt)
        pile.sessionEnded(stop, call, verdict: verdict) { session, token in
            session.reply(Action.self, to: call, .init(idTagInfo: token.map(V16.IdTagInfo.init)))
        }
    }
}
