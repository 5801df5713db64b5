import OCPP
import OCPPWebSocket
import SessionStore

/// Firmware Management and the security extension's reports, 1.6 §6.3, §6.11 and the
/// security whitepaper: each a notice on the pile's record, acknowledged once stored.
struct V16FirmwareStatusNotification: CallHandler {
    typealias Action = V16.FirmwareStatusNotification

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.noticeReported(.firmware, status: request.status.rawValue, requestId: nil, detail: nil, call, findings: findings) {
            $0.reply(Action.self, to: call, .init())
        }
    }
}

struct V16DiagnosticsStatusNotification: CallHandler {
    typealias Action = V16.DiagnosticsStatusNotification

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.noticeReported(.diagnostics, status: request.status.rawValue, requestId: nil, detail: nil, call, findings: findings) {
            $0.reply(Action.self, to: call, .init())
        }
    }
}

struct V16SignedFirmwareStatusNotification: CallHandler {
    typealias Action = V16.SignedFirmwareStatusNotification

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.noticeReported(.firmware, status: request.status.rawValue, requestId: request.requestId, detail: "signed", call, findings: findings) {
            $0.reply(Action.self, to: call, .init())
        }
    }
}

struct V16LogStatusNotification: CallHandler {
    typealias Action = V16.LogStatusNotification

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.noticeReported(.log, status: request.status.rawValue, requestId: request.requestId, detail: nil, call, findings: findings) {
            $0.reply(Action.self, to: call, .init())
        }
    }
}

struct V16SecurityEventNotification: CallHandler {
    typealias Action = V16.SecurityEventNotification

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.noticeReported(.security, status: request.type, requestId: nil, detail: request.techInfo, call, findings: findings) {
            $0.reply(Action.self, to: call, .init())
        }
    }
}
