import OCPP
import OCPPWebSocket
import SessionStore

/// 1.6 §4.7: readings, for a transaction or a connector. The busiest message: read
/// straight from the validated JSON. Answered only once stored.
struct V16MeterValues: ValidatedJSONHandler {
    typealias Action = V16.MeterValues

    func handle(validated payload: JSON, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        let connectorId = Int(payload["connectorId"]?.intValue ?? 0)
        guard !pile.refusedConnector(connectorId, call) else { return }
        var verdict = Verdict(findings: findings)
        let samples = pile.readings(payload["meterValue"], call: call, into: &verdict)
        pile.samplesReported(connectorId: connectorId, transactionId: payload["transactionId"]?.intValue, samples: samples, call, verdict: verdict) {
            $0.reply(Action.self, to: call, .init())
        }
    }
}
