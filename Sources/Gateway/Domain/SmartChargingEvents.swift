import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// Bounds on what a station's smart-charging messages may hold (docs/wire-values.md):
/// past them a value is dropped with a finding, and a report stops being kept.
enum SmartChargingBounds {
    /// A schedule period's limit, in A or W: ten megawatts is past any grid connection.
    static let limit: ClosedRange<Double> = 0...10_000_000
    static let phases: ClosedRange<Int> = 1...3
    static let currentA: ClosedRange<Int64> = 0...10_000
    static let voltageV: ClosedRange<Int64> = 0...10_000
    static let powerW: ClosedRange<Int64> = 0...10_000_000
    static let percent: ClosedRange<Int64> = 0...100
    /// Schedules of one notification kept (a profile has at most three).
    static let schedules = 3
    /// Profiles kept from the reports of one GetChargingProfiles, and from the reports no
    /// request of this connection asked for.
    static let reportedProfiles = 1_000
    /// Our GetChargingProfiles remembered while their reports come.
    static let pendingRequests = 4
}

/// One of our GetChargingProfiles while its reports come in, or the reports nobody asked
/// for. Only the ids reported are kept: each page is stored at once.
struct ProfileReportWatch {
    var requestId: Int
    var messageId: String?
    /// What the request asked about; nil for unrequested reports.
    var scope: ChargingProfileScope?
    var reportedIds: Set<Int> = []
    var truncated = false
}

/// A connection's report watches; made when the first GetChargingProfiles goes out.
struct ProfileReports {
    var pending: [ProfileReportWatch] = []
    /// Every report of this connection no request asked for, under one budget.
    var unrequested = ProfileReportWatch(requestId: -1)
}

extension ChargePointSession {
    /// Our GetChargingProfiles going out: its requestId names the reports to come.
    func noteProfilesCall(_ tap: FrameTap) {
        guard tap.action == V201.GetChargingProfiles.name, let messageId = tap.messageId,
            let payload = try? JSONParser.parse(tap.text).arrayValue?.last,
            let requestId = payload["requestId"]?.intValue.flatMap({ Int(exactly: $0) })
        else { return }
        func int(_ value: JSON?) -> Int? { value?.intValue.flatMap { Int(exactly: $0) } }
        let criterion = payload["chargingProfile"]
        let scope = ChargingProfileScope(
            evseId: int(payload["evseId"]), purpose: criterion?["chargingProfilePurpose"]?.stringValue, stackLevel: int(criterion?["stackLevel"]),
            ids: criterion?["chargingProfileId"]?.arrayValue?.compactMap { int($0) }, sources: criterion?["chargingLimitSource"]?.arrayValue?.compactMap(\.stringValue))
        var reports = profileReports ?? ProfileReports()
        reports.pending.removeAll { $0.requestId == requestId }
        reports.pending.append(ProfileReportWatch(requestId: requestId, messageId: messageId, scope: scope))
        if reports.pending.count > SmartChargingBounds.pendingRequests { reports.pending.removeFirst() }
        profileReports = reports
    }

    /// The station's answer to our GetChargingProfiles: NoProfiles means it holds none in
    /// the request's scope; an error ends the wait.
    func noteProfilesReply(_ tap: FrameTap) {
        guard tap.action == V201.GetChargingProfiles.name, let index = profileReports?.pending.firstIndex(where: { $0.messageId == tap.messageId })
        else { return }
        let status = tap.messageType == 3 ? (try? JSONParser.parse(tap.text).arrayValue?.last)?["status"]?.stringValue : nil
        if status == V201.GetChargingProfileStatusEnum.accepted.rawValue { return }
        guard let watch = profileReports?.pending.remove(at: index) else { return }
        guard status == V201.GetChargingProfileStatusEnum.noProfiles.rawValue, let scope = watch.scope, watch.reportedIds.isEmpty else { return }
        store.submit(.reportChargingProfiles(.init(chargePointId: identity, scope: scope, profiles: [])), frame: nil, findings: []) { _ in }
    }

    /// A page of ReportChargingProfiles: its profiles are stored at once (with their source);
    /// the last page of a requested report also drops what the gateway held in the
    /// request's scope and the station did not report. Then `reply`.
    func profilesReported(
        requestId: Int, evseId: Int, source: String, profiles: [JSON], lastPage: Bool, _ call: IncomingCall, findings: [FindingRecord],
        reply: @escaping (ChargePointSession) -> Void
    ) {
        var verdict = Verdict(findings: findings)
        var watch = takeProfileWatch(requestId, call, into: &verdict)
        var records: [ChargingProfileRecord] = []
        for profile in profiles {
            guard watch.reportedIds.count < SmartChargingBounds.reportedProfiles else {
                if !watch.truncated {
                    flag(
                        .profileReportTooLarge, "request \(requestId) reported more than \(SmartChargingBounds.reportedProfiles) profiles; the rest are not kept",
                        call: call, mayReject: false, into: &verdict)
                }
                watch.truncated = true
                break
            }
            guard var record = Gateway.profileRecord(profile, connectorId: Int64(evseId), version: version, chargePointId: identity, now: call.receivedAt)
            else {
                flag(.valueOutOfRange, "ReportChargingProfiles: a profile's id or stackLevel is beyond an integer; not kept", call: call, mayReject: false, into: &verdict)
                continue
            }
            record.source = source
            record.reportedAt = call.receivedAt
            records.append(record)
            watch.reportedIds.insert(record.chargingProfileId)
        }
        var report = ChargingProfileReport(chargePointId: identity, scope: nil, profiles: records)
        if watch.scope == nil {
            profileReports?.unrequested = watch
        } else if lastPage {
            // The whole report is in: it is the truth for what the request asked about.
            report.scope = watch.truncated ? nil : watch.scope
            report.alreadyReported = watch.reportedIds.subtracting(records.map(\.chargingProfileId))
        } else {
            profileReports?.pending.append(watch)
        }
        commit(.reportChargingProfiles(report), findings: verdict.findings, answering: call) { session, _ in reply(session) }
    }

    /// The watch of `requestId`, taken out of the list (put back while pages remain), or,
    /// with a finding, the connection's watch of reports no request asked for.
    private func takeProfileWatch(_ requestId: Int, _ call: IncomingCall, into verdict: inout Verdict) -> ProfileReportWatch {
        var reports = profileReports ?? ProfileReports()
        defer { profileReports = reports }
        if let index = reports.pending.firstIndex(where: { $0.requestId == requestId }) { return reports.pending.remove(at: index) }
        flag(
            .unrequestedProfileReport, "ReportChargingProfiles for request \(requestId), which no GetChargingProfiles of this connection sent",
            call: call, mayReject: false, into: &verdict)
        return reports.unrequested
    }
}

extension ChargePointSession {
    /// A smart-charging notice (external limit, its clearing, the EV's needs or schedule),
    /// its content as JSON, stored; then `reply`.
    func smartChargingNotice<Content: Encodable>(
        _ kind: PileNoticeRecord.Kind, status: String, _ content: Content, _ call: IncomingCall, findings: [FindingRecord],
        reply: @escaping (ChargePointSession) -> Void
    ) {
        let detail = (try? JSONValueEncoder().encode(content))?.text
        if detail == nil { logger.error("\(call.action) content could not be encoded", metadata: ["messageId": "\(call.messageId)"]) }
        noticeReported(kind, status: status, requestId: nil, detail: detail, call, findings: findings, reply: reply)
    }

    /// The EV's needs on its EVSE's running transaction, for a load manager on this connection.
    func evNeedsReported(_ needs: EVChargingNeeds) {
        for (id, transaction) in live where transaction.record.connectorId == needs.evseId { live[id]?.chargingNeeds = needs }
    }

    /// Schedules from the station with what no pile can mean left out: a schedule starting
    /// outside the timestamp window or lasting past WireBounds.intervalSeconds, and periods
    /// with a limit outside SmartChargingBounds.limit, a negative start or a phase count
    /// other than 1–3. Each is a finding; the CALL is acknowledged anyway.
    func checkedSchedules(_ schedules: [V201.ChargingSchedule], _ call: IncomingCall, into verdict: inout Verdict) -> [V201.ChargingSchedule] {
        if schedules.count > SmartChargingBounds.schedules {
            flag(.valueOutOfRange, "\(call.action): \(schedules.count) schedules; the first \(SmartChargingBounds.schedules) kept", call: call, mayReject: false, into: &verdict)
        }
        var kept: [V201.ChargingSchedule] = []
        for var schedule in schedules.prefix(SmartChargingBounds.schedules) {
            if let start = schedule.startSchedule, !timestampWindow.contains(start, around: call.receivedAt) {
                flag(.timestampOutOfWindow, "\(call.action): schedule \(schedule.id) starts \(OCPPTimestamp.format(start)); not kept", call: call, mayReject: false, into: &verdict)
                continue
            }
            if let duration = schedule.duration, !WireBounds.intervalSeconds.contains(Int64(duration)) {
                flag(.valueOutOfRange, "\(call.action): schedule \(schedule.id) lasts \(duration) s; not kept", call: call, mayReject: false, into: &verdict)
                continue
            }
            let periods = schedule.chargingSchedulePeriod.filter { period in
                SmartChargingBounds.limit.contains(period.limit) && WireBounds.intervalSeconds.contains(Int64(period.startPeriod))
                    && (period.numberPhases.map(SmartChargingBounds.phases.contains) ?? true)
            }
            if periods.count < schedule.chargingSchedulePeriod.count {
                flag(
                    .valueOutOfRange, "\(call.action): \(schedule.chargingSchedulePeriod.count - periods.count) period(s) of schedule \(schedule.id) with a limit, start or phase count no pile can mean; left out",
                    call: call, mayReject: false, into: &verdict)
            }
            if let rate = schedule.minChargingRate, !SmartChargingBounds.limit.contains(rate) {
                flag(.valueOutOfRange, "\(call.action): minChargingRate \(rate); left out", call: call, mayReject: false, into: &verdict)
                schedule.minChargingRate = nil
            }
            schedule.chargingSchedulePeriod = periods
            if !periods.isEmpty { kept.append(schedule) }
        }
        return kept
    }

    /// NotifyEVChargingNeeds' numbers, each in its range or left out (with a finding).
    func checkedNeeds(_ request: V201.NotifyEVChargingNeeds.Request, _ call: IncomingCall, into verdict: inout Verdict) -> EVChargingNeeds {
        func bounded(_ value: Int?, _ range: ClosedRange<Int64>, _ name: String) -> Int? {
            guard let value else { return nil }
            guard range.contains(Int64(value)) else {
                flag(.valueOutOfRange, "NotifyEVChargingNeeds: \(name) \(value) is outside \(range.lowerBound)…\(range.upperBound); left out", call: call, into: &verdict)
                return nil
            }
            return value
        }
        let needs = request.chargingNeeds
        let ac = needs.acChargingParameters
        let dc = needs.dcChargingParameters
        var departure = needs.departureTime
        if let time = departure, !timestampWindow.contains(time, around: call.receivedAt) {
            flag(.timestampOutOfWindow, "NotifyEVChargingNeeds: departureTime \(OCPPTimestamp.format(time)); left out", call: call, into: &verdict)
            departure = nil
        }
        let energy = WireBounds.energyWh
        return EVChargingNeeds(
            evseId: request.evseId, requestedEnergyTransfer: needs.requestedEnergyTransfer.rawValue, departureTime: departure,
            energyAmountWh: bounded(ac?.energyAmount ?? dc?.energyAmount, energy, "energyAmount"),
            evMinCurrentA: bounded(ac?.evMinCurrent, SmartChargingBounds.currentA, "evMinCurrent"),
            evMaxCurrentA: bounded(ac?.evMaxCurrent ?? dc?.evMaxCurrent, SmartChargingBounds.currentA, "evMaxCurrent"),
            evMaxVoltageV: bounded(ac?.evMaxVoltage ?? dc?.evMaxVoltage, SmartChargingBounds.voltageV, "evMaxVoltage"),
            evMaxPowerW: bounded(dc?.evMaxPower, SmartChargingBounds.powerW, "evMaxPower"),
            stateOfCharge: bounded(dc?.stateOfCharge, SmartChargingBounds.percent, "stateOfCharge"),
            evEnergyCapacityWh: bounded(dc?.evEnergyCapacity, energy, "evEnergyCapacity"),
            fullSoC: bounded(dc?.fullSoC, SmartChargingBounds.percent, "fullSoC"), bulkSoC: bounded(dc?.bulkSoC, SmartChargingBounds.percent, "bulkSoC"),
            maxScheduleTuples: bounded(request.maxScheduleTuples, 0...1_024, "maxScheduleTuples"), reportedAt: call.receivedAt)
    }
}
