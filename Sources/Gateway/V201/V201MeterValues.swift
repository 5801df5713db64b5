import OCPP
import OCPPWebSocket
import SessionStore

/// J01: readings outside a transaction's events, per EVSE (0 = the station's main meter).
/// Answered only once stored.
struct V201MeterValues: CallHandler {
    typealias Action = V201.MeterValues

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        guard !pile.refusedConnector(request.evseId, call) else { return }
        var verdict = Verdict(findings: findings)
        let samples = pile.readings(request.meterValue, call: call, into: &verdict)
        pile.samplesReported(connectorId: request.evseId, transactionId: nil, samples: samples, call, verdict: verdict) {
            $0.reply(Action.self, to: call, .init())
        }
    }
}
