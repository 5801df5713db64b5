import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// K09: the station's answer to our GetChargingProfiles, page by page (`tbc`). Each page's
/// profiles join the gateway's record of the pile at once, with the chargingLimitSource
/// they were reported under (`GET /api/chargepoints/{id}/charging-profiles`: `source`,
/// `reportedAt`); the last page of a requested report replaces what the record held in the
/// request's scope (SmartChargingEvents.swift). Read as validated JSON so each profile is
/// kept as the station wrote it.
struct V201ReportChargingProfiles: ValidatedJSONHandler {
    typealias Action = V201.ReportChargingProfiles

    func handle(validated payload: JSON, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        // The schema requires all three; past Int they are out of range.
        let evseId = payload["evseId"]?.intValue.map { Int(clamping: $0) } ?? -1
        guard !pile.refusedConnector(evseId, call) else { return }
        let requestId = payload["requestId"]?.intValue.map { Int(clamping: $0) } ?? -1
        pile.profilesReported(
            requestId: requestId, evseId: evseId, source: payload["chargingLimitSource"]?.stringValue ?? "CSO",
            profiles: payload["chargingProfile"]?.arrayValue ?? [], lastPage: payload["tbc"] != JSON.bool(true), call, findings: findings
        ) { $0.reply(Action.self, to: call, .init()) }
    }
}

/// K12: a limit set outside the CSMS (an EMS, the grid operator): a notice with its source
/// and checked schedule; the latest per EVSE is in the pile's view (`chargingLimits`).
struct V201NotifyChargingLimit: CallHandler {
    typealias Action = V201.NotifyChargingLimit

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        let evseId = request.evseId ?? 0
        guard !pile.refusedConnector(evseId, call) else { return }
        var verdict = Verdict(findings: findings)
        let schedules = request.chargingSchedule.map { pile.checkedSchedules($0, call, into: &verdict) }
        let limit = ExternalChargingLimit(
            evseId: evseId, source: request.chargingLimit.chargingLimitSource.rawValue, isGridCritical: request.chargingLimit.isGridCritical,
            chargingSchedule: schedules, reportedAt: call.receivedAt)
        pile.smartChargingNotice(.chargingLimit, status: limit.source, limit, call, findings: verdict.findings) {
            $0.reply(Action.self, to: call, .init())
        }
    }
}

/// K13: the external limit of that source has gone (on one EVSE, or on all).
struct V201ClearedChargingLimit: CallHandler {
    typealias Action = V201.ClearedChargingLimit

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        if let evseId = request.evseId, pile.refusedConnector(evseId, call) { return }
        let cleared = ExternalChargingLimit(evseId: request.evseId, source: request.chargingLimitSource.rawValue, reportedAt: call.receivedAt)
        pile.smartChargingNotice(.chargingLimitCleared, status: cleared.source, cleared, call, findings: findings) {
            $0.reply(Action.self, to: call, .init())
        }
    }
}

/// K15/K17: what the EV needs (ISO 15118), range-checked, on its transaction and as a
/// notice (the pile's view: `evChargingNeeds`). Accepted: the gateway computes no
/// schedule for the EV yet; its load manager may read the needs.
struct V201NotifyEVChargingNeeds: CallHandler {
    typealias Action = V201.NotifyEVChargingNeeds

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        guard !pile.refusedConnector(request.evseId, call) else { return }
        var verdict = Verdict(findings: findings)
        let needs = pile.checkedNeeds(request, call, into: &verdict)
        if pile.rejected(verdict, call) { return }
        pile.evNeedsReported(needs)
        pile.smartChargingNotice(.evChargingNeeds, status: needs.requestedEnergyTransfer, needs, call, findings: verdict.findings) {
            $0.reply(Action.self, to: call, .init(status: .accepted))
        }
    }
}

/// K17: the schedule the EV chose within its limits: a notice, Accepted.
struct V201NotifyEVChargingSchedule: CallHandler {
    typealias Action = V201.NotifyEVChargingSchedule

    /// The notice's content.
    struct Notified: Encodable {
        var evseId: Int
        var timeBase: Date
        var chargingSchedule: V201.ChargingSchedule?
    }

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        guard !pile.refusedConnector(request.evseId, call) else { return }
        var verdict = Verdict(findings: findings)
        let timeBase = pile.checkedTime(request.timeBase, what: "timeBase", call: call, acknowledged: true, into: &verdict)
        let schedule = pile.checkedSchedules([request.chargingSchedule], call, into: &verdict).first
        let notified = Notified(evseId: request.evseId, timeBase: timeBase, chargingSchedule: schedule)
        pile.smartChargingNotice(.evChargingSchedule, status: request.chargingSchedule.chargingRateUnit.rawValue, notified, call, findings: verdict.findings) {
            $0.reply(Action.self, to: call, .init(status: .accepted))
        }
    }
}
