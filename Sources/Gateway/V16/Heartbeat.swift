import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// 1.6 §4.6: liveness, and the central system's clock for the pile.
struct V16Heartbeat: CallHandler {
    typealias Action = V16.Heartbeat

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.heartbeatReceived(call, findings: findings)
        pile.reply(Action.self, to: call, .init(currentTime: Date()))
    }
}
