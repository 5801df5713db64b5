import OCPP
import OCPPWebSocket
import SessionStore

/// A01: security events, a notice on the pile's record (counted in /metrics) like 1.6's;
/// L01 and N01: firmware and log upload statuses, the same notices as 1.6's, with their
/// requestId. N07 monitoring events are acknowledged; their frames are the record.
struct V201SecurityEventNotification: CallHandler {
    typealias Action = V201.SecurityEventNotification

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.noticeReported(.security, status: request.type, requestId: nil, detail: request.techInfo, call, findings: findings) {
            $0.reply(Action.self, to: call, .init())
        }
    }
}

struct V201FirmwareStatusNotification: CallHandler {
    typealias Action = V201.FirmwareStatusNotification

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.noticeReported(.firmware, status: request.status.rawValue, requestId: request.requestId, detail: nil, call, findings: findings) {
            $0.reply(Action.self, to: call, .init())
        }
    }
}

struct V201LogStatusNotification: CallHandler {
    typealias Action = V201.LogStatusNotification

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.noticeReported(.log, status: request.status.rawValue, requestId: request.requestId, detail: nil, call, findings: findings) {
            $0.reply(Action.self, to: call, .init())
        }
    }
}

struct V201NotifyEvent: CallHandler {
    typealias Action = V201.NotifyEvent

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.keep(findings)
        pile.reply(Action.self, to: call, .init())
    }
}
