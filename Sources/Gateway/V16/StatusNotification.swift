import OCPP
import OCPPWebSocket
import SessionStore

/// 1.6 §4.9: a connector's status (connector 0 is the pile as a whole).
struct V16StatusNotification: CallHandler {
    typealias Action = V16.StatusNotification

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        guard !pile.refusedConnector(request.connectorId, call) else { return }
        var verdict = Verdict(findings: findings)
        let change = ConnectorChange(
            connectorId: request.connectorId, state: ConnectorState(request.status), errorCode: request.errorCode.rawValue,
            info: request.info, vendorErrorCode: request.vendorErrorCode,
            timestamp: request.timestamp.map { pile.checkedTime($0, what: "StatusNotification timestamp", call: call, into: &verdict) })
        guard pile.connectorChanged(change, call, verdict: &verdict) else { return }
        pile.reply(Action.self, to: call, .init())
    }
}
