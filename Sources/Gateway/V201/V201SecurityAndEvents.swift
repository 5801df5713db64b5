import OCPP
import OCPPWebSocket
import SessionStore

/// A01 and N07: security events and monitoring events, acknowledged. The frames themselves
/// are the record (message log, session timelines).
struct V201SecurityEventNotification: CallHandler {
    typealias Action = V201.SecurityEventNotification

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.logger.notice("security event \(request.type): \(request.techInfo ?? "-")", metadata: ["messageId": "\(call.messageId)"])
        pile.keep(findings)
        pile.reply(Action.self, to: call, .init())
    }
}

struct V201NotifyEvent: CallHandler {
    typealias Action = V201.NotifyEvent

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.keep(findings)
        pile.reply(Action.self, to: call, .init())
    }
}
