import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// G02: liveness, and the CSMS's clock for the station.
struct V201Heartbeat: CallHandler {
    typealias Action = V201.Heartbeat

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        pile.heartbeatReceived(call, findings: findings)
        pile.reply(Action.self, to: call, .init(currentTime: Date()))
    }
}

/// G01: a connector's status. The session model counts connectors by EVSE (the outlet a
/// driver scans), so an EVSE's connector is recorded as connector `evseId`.
struct V201StatusNotification: CallHandler {
    typealias Action = V201.StatusNotification

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        guard !pile.refusedConnector(request.evseId, call), !pile.refusedConnector(request.connectorId, call) else { return }
        var verdict = Verdict(findings: findings)
        let change = ConnectorChange(
            connectorId: request.evseId, state: ConnectorState(request.connectorStatus), errorCode: nil, info: nil, vendorErrorCode: nil,
            timestamp: pile.checkedTime(request.timestamp, what: "StatusNotification timestamp", call: call, into: &verdict))
        guard pile.connectorChanged(change, call, verdict: &verdict) else { return }
        pile.reply(Action.self, to: call, .init())
    }
}
