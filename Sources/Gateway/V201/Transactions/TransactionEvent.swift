import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// E01–E07, E13–E15: the life of a 2.0.1 transaction, in events Started, Updated and Ended
/// under the station's own `transactionId`. Each becomes the neutral session events (the
/// same session model as a 1.6 StartTransaction, MeterValues and StopTransaction), and is
/// answered only once what it carried is stored. Always acknowledged: a station retries
/// an unanswered event, so values out of range are bounded, never refused.
///
/// - `seqNo` orders a transaction's events: a retried event (a seqNo already seen here) is
///   acknowledged again but stored once; a gap or a repeat with other content is a finding.
/// - `offline: true` events are history: stored, not shown as live.
/// - `evse` comes in the first event only; the idToken may come in a later Updated event.
/// - A transaction first heard of in an Updated or Ended event (its Started lost, or sent
///   to another node before a restart) is opened then, so nothing it reports is lost.
struct V201TransactionEvent: CallHandler {
    typealias Action = V201.TransactionEvent

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        var verdict = Verdict(findings: findings)
        let ref = request.transactionInfo.transactionId
        // Started again after it ended: a new transaction under a reused id (events keep
        // their order, so it cannot be a retry of the first Started).
        if pile.eventSequences[ref]?.ended == true && request.eventType == .started {
            pile.flag(.transactionIdReused, "transaction \(ref) was Started again after it ended; recorded as a new session", call: call, mayReject: false, into: &verdict)
            pile.eventSequences[ref] = nil
        }
        let known = pile.eventSequences[ref]
        if let known, known.saw(request.seqNo) {
            if known.events[request.seqNo] != V201TransactionTrack.Fingerprint(request) {
                pile.flag(.seqNoRepeated, "seqNo \(request.seqNo) of transaction \(ref) came again with other content", call: call, mayReject: false, into: &verdict)
            }
            pile.keep(verdict.findings)
            pile.reply(Action.self, to: call, .init(idTokenInfo: request.idToken.map { V201.IdTokenInfo(pile.tokenVerdict($0.idToken)) }))
            return
        }
        pile.judgeSequence(request, known: known, call, into: &verdict)
        let time = pile.checkedTime(request.timestamp, what: "TransactionEvent timestamp", call: call, acknowledged: true, into: &verdict)
        if let evse = request.evse, pile.refusedConnector(evse.id, call) { return }
        let samples = pile.readings(request.meterValue ?? [], call: call, acknowledged: true, into: &verdict)
        let connectorId = request.evse?.id ?? known?.connectorId ?? 1

        // The session first: opened on the first event this connection sees.
        let opened: (@escaping (ChargePointSession, Int64, TokenVerdict?) -> Void) -> Void = { next in
            if let id = known?.sessionId {
                let token = request.idToken.map { token in
                    known?.idTag == nil ? pile.tokenLearned(token.idToken, sessionId: id, connectorId: connectorId) : pile.tokenVerdict(token.idToken)
                }
                next(pile, id, token)
                return
            }
            var start = SessionStart(
                chargePointId: pile.identity, connectorId: connectorId, idTag: request.idToken?.idToken ?? "",
                meterStartWh: Int64(Self.register(in: samples) ?? 0), startTime: time, reservationId: request.reservationId,
                authorizationStatus: "", ocppVersion: pile.version.label, receivedAt: call.receivedAt, transactionRef: ref,
                remoteStartId: request.transactionInfo.remoteStartId.map(Int64.init))
            start.startsNewTransaction = request.eventType == .started
            pile.sessionStarted(start, call, verdict: Verdict(), resuming: true, tokenless: request.idToken == nil) {
                session, id, token, wasKnown in
                // Judged once the store has answered: a transaction of an earlier connection
                // (events queued while offline) had its first event there.
                if !wasKnown && request.eventType != .started {
                    session.record(.eventWithoutStarted, "the first event of transaction \(ref) was \(request.eventType.rawValue)", messageId: call.messageId, sessionId: id)
                }
                // seqNo 0 belongs to Started: an Updated or Ended numbered 0 for a transaction
                // the store knows counts again from the start (seen after a reconnect).
                if wasKnown && request.eventType != .started && request.seqNo == 0 {
                    session.record(
                        .seqNoRepeated, "seqNo 0 again in \(request.eventType.rawValue) of transaction \(ref), continued from an earlier connection",
                        messageId: call.messageId, sessionId: id)
                }
                if !wasKnown && request.evse == nil {
                    session.record(.evseMissing, "the first event of transaction \(ref) names no evse; read as EVSE 1", messageId: call.messageId, sessionId: id)
                }
                guard let idToken = request.idToken else { return next(session, id, nil) }
                // A stored session of an earlier connection may still wait for its token.
                next(session, id, wasKnown ? session.tokenLearned(idToken.idToken, sessionId: id, connectorId: connectorId) : token)
            }
        }
        opened { session, id, token in
            session.eventSequences[ref, default: .init(sessionId: id, connectorId: connectorId)].note(request, idTag: request.idToken?.idToken)
            if request.offline == true { session.offlineReadings(of: id, until: samples.map(\.time).max() ?? time) }
            if let state = request.transactionInfo.chargingState.flatMap(ConnectorState.init) {
                session.connectorObserved(ConnectorChange(connectorId: connectorId, state: state, timestamp: time), call)
            }
            let answer = Action.Response(idTokenInfo: token.map(V201.IdTokenInfo.init))
            session.samplesReported(
                connectorId: connectorId, transactionId: id, samples: samples, call, verdict: verdict, live: request.offline != true,
                // The first event of a transaction this connection hears of may be a retry of
                // one stored before a reconnect or restart: its readings are stored once.
                mayRepeat: known == nil
            ) { session in
                guard request.eventType == .ended else {
                    session.reply(Action.self, to: call, answer)
                    return
                }
                let register = Self.register(in: samples) ?? session.live[id].map { $0.registerWh }
                var stop = SessionStop(
                    chargePointId: session.identity, transactionId: id, meterStopWh: Int64(register ?? 0), stopTime: time,
                    reason: StopReason(request.transactionInfo.stoppedReason ?? .local).rawValue, idTag: request.idToken?.idToken,
                    samples: [], receivedAt: call.receivedAt)
                stop.meterStopFromReadings = Self.register(in: samples) == nil
                var ended = Verdict()
                session.checkEndedReadings(samples, sessionId: id, call, into: &ended)
                session.sessionEnded(stop, call, verdict: ended) { session, _ in session.reply(Action.self, to: call, answer) }
            }
        }
    }

    /// The highest outlet energy register among readings, in Wh.
    static func register(in samples: [SampleRecord]) -> Double? {
        samples.filter(\.isOutletEnergyRegister).map(\.value).max()
    }
}

/// What a connection saw of one 2.0.1 transaction's events.
struct V201TransactionTrack {
    var sessionId: Int64
    var connectorId: Int
    var idTag: String?
    var lastSeqNo: Int?
    var ended = false
    /// What the last few events said, by seqNo, to tell a retry (the same event again) from
    /// a repeat with other content. A fingerprint, not the event: a station may run a
    /// transaction for hours, and 10,000 stations each keep one.
    var events: [Int: Fingerprint] = [:]

    struct Fingerprint: Equatable {
        var eventType: V201.TransactionEventEnum
        var timestamp: Date
        var triggerReason: V201.TriggerReasonEnum
        var readings: Int

        init(_ event: V201.TransactionEvent.Request) {
            eventType = event.eventType
            timestamp = event.timestamp
            triggerReason = event.triggerReason
            readings = event.meterValue?.reduce(0) { $0 + $1.sampledValue.count } ?? 0
        }
    }

    /// Whether an event with this seqNo is among the ones kept (a lookup: no Set of the keys per event).
    func saw(_ seqNo: Int) -> Bool { events[seqNo] != nil }

    init(sessionId: Int64, connectorId: Int) {
        self.sessionId = sessionId
        self.connectorId = connectorId
    }

    mutating func note(_ event: V201.TransactionEvent.Request, idTag: String?) {
        if self.idTag == nil { self.idTag = idTag }
        lastSeqNo = max(lastSeqNo ?? event.seqNo, event.seqNo)
        if event.eventType == .ended { ended = true }
        events[event.seqNo] = Fingerprint(event)
        if events.count > 8, let oldest = events.keys.min() { events[oldest] = nil }
    }
}
