import Foundation
import NIOCore
import OCPP
import OCPPWebSocket
import SessionStore

/// A transactional CALL in the relay's durable queue.
struct QueuedCall {
    var record: RelayQueueRecord
    /// The pile's CALL while the pile still waits for the backend's own answer; nil once
    /// answered here (or when the pile has gone).
    var call: IncomingCall?
    /// OCPP 1.6 StartTransaction answered here: the transaction id the pile was given.
    var localTransactionId: Int64?
    var timeouts = 0
}

/// The durable outage queue: a transactional CALL the backend cannot confirm now is
/// stored before the relay confirms it, delivered to the backend one at a time in the
/// pile's order, and leaves the store only when the backend has answered it. A CALL the
/// backend went away without answering is delivered again, with its message id.
extension RelaySession {
    static let transactionalActions: Set<String> = ["StartTransaction", "StopTransaction", "MeterValues", "TransactionEvent"]

    static func isTransactional(_ action: String) -> Bool { transactionalActions.contains(action) }

    /// Where the relay's own 1.6 transaction ids start: far above what backends issue, and
    /// within the 32-bit integers piles keep them in.
    static let localTransactionIdBase: Int64 = 1_900_000_000

    /// `triedOnce`: why the backend did not answer it when it was sent straight on.
    func enqueue(_ call: IncomingCall, _ bytes: [UInt8], triedOnce: (any Error)? = nil) {
        let record = RelayQueueRecord(
            chargePointId: identity, ocppVersion: version.subprotocol, messageId: call.messageId, action: call.action,
            frame: String(decoding: bytes, as: UTF8.self), queuedAt: call.receivedAt)
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        store.submit(.relayEnqueue(record), frame: nil, findings: []) { result in
            bound.eventLoop.execute {
                let session = bound.value
                switch result {
                case .success(.relayQueued(let id)):
                    session.queued(call, record: record, id: id, triedOnce: triedOnce)
                case .success, .failure:
                    session.logger.error("the relay's queue could not store \(call.action)", metadata: ["messageId": "\(call.messageId)"])
                    session.pile?.reply(to: call, error: RPCError(.internalError, "the relay could not store this message; retry"))
                }
            }
        }
    }

    private func queued(_ call: IncomingCall, record: RelayQueueRecord, id: Int64, triedOnce: (any Error)?) {
        var stored = record
        stored.id = id
        var entry = QueuedCall(record: stored, call: call)
        if case RPCCallError.timedOut? = triedOnce { entry.timeouts = 1 }
        if version == .v16 && call.action == "StartTransaction" {
            entry.localTransactionId = Self.localTransactionIdBase + id % 200_000_000
        }
        // Behind a backlog, or with no backend to answer soon, the pile is answered now.
        let answerNow = triedOnce != nil || upstream == nil || !queue.isEmpty
        queue.append(entry)
        relay.metrics.queued.increment()
        if answerNow { answerLocally(queue.count - 1) }
        deliverNext()
    }

    /// Confirms a stored CALL to the pile the way the backend would have: a 1.6
    /// StartTransaction gets the relay's own transaction id, the rest an empty confirmation.
    func answerLocally(_ index: Int) {
        guard queue.indices.contains(index), let call = queue[index].call else { return }
        queue[index].call = nil
        if let local = queue[index].localTransactionId {
            relay.keepsState(identity)
            pile?.reply(to: call, result: ["idTagInfo": ["status": "Accepted"], "transactionId": .integer(local)])
        } else {
            pile?.reply(to: call, result: .object(JSONObject()))
        }
    }

    /// Sends the oldest queued CALL to the backend, if one is connected and none is on its way.
    func deliverNext() {
        guard !delivering, let upstream, let head = queue.first else { return }
        delivering = true
        let started = NIODeadline.now()
        let bytes = rewrittenForBackend(head.record)
        upstream.relay(messageId: head.record.messageId, action: head.record.action, raw: bytes, timeout: callTimeout)
            .assumeIsolated().whenComplete { result in
                self.delivering = false
                guard self.queue.first?.record.id == head.record.id else { return }
                switch result {
                case .success(let reply):
                    self.relay.metrics.latency.recordNanoseconds((NIODeadline.now() - started).nanoseconds)
                    self.checkBackendReply(reply, to: head.record.action)
                    self.delivered(reply)
                case .failure(let error):
                    self.backendFailed(error, action: head.record.action, messageId: head.record.messageId)
                    self.answerLocally(0)
                    if case RPCCallError.timedOut = error { self.timedOut() }
                }
            }
    }

    /// The backend answered the queue's head: the pile gets that answer if it still
    /// waits, the store lets the CALL go, the next one follows.
    private func delivered(_ reply: RelayedReply) {
        let head = queue.removeFirst()
        relay.metrics.queued.decrement()
        var mapping: RelayTransactionRecord?
        if let local = head.localTransactionId, case .callResult(_, let payload) = reply.frame, let backendId = payload["transactionId"]?.intValue {
            transactionIds[local] = backendId
            mapping = RelayTransactionRecord(chargePointId: identity, localId: local, backendId: backendId)
        }
        if let call = head.call {
            pile?.reply(to: call, raw: Array(reply.text.utf8), messageType: reply.frame.messageTypeId)
        }
        store.submit(.relayDelivered(queueId: head.record.id, transaction: mapping), frame: nil, findings: []) { _ in }
        deliverNext()
        finishIfIdle()
    }

    /// A backend that leaves the head unanswered gets it again, up to three times; then
    /// it is given up (a finding says which), so one message cannot block the pile forever.
    private func timedOut() {
        queue[0].timeouts += 1
        guard queue[0].timeouts >= 3 else {
            deliverNext()
            return
        }
        let head = queue.removeFirst()
        relay.metrics.queued.decrement()
        recordBackend(
            .backendUndelivered, "\(head.record.action) \(head.record.messageId) was left unanswered three times and is given up",
            messageId: head.record.messageId)
        store.submit(.relayDelivered(queueId: head.record.id, transaction: nil), frame: nil, findings: []) { _ in }
        deliverNext()
        finishIfIdle()
    }

    /// OCPP 1.6: StopTransaction and MeterValues of a transaction started here name the
    /// backend's id for it, once the backend gave one.
    private func rewrittenForBackend(_ record: RelayQueueRecord) -> [UInt8] {
        let bytes = Array(record.frame.utf8)
        guard version == .v16, !transactionIds.isEmpty, record.action == "StopTransaction" || record.action == "MeterValues",
            case .call(let id, let action, .object(var body))? = try? RPCFrame.parse(bytes),
            let local = body["transactionId"]?.intValue, let backendId = transactionIds[local]
        else { return bytes }
        body["transactionId"] = .integer(backendId)
        return RPCFrame.call(messageId: id, action: action, payload: .object(body)).encoded(for: version)
    }

    /// Takes over what an earlier session (or process) left in the store for this pile.
    func restoreQueue(_ records: [RelayQueueRecord], transactions: [RelayTransactionRecord]) {
        for t in transactions { transactionIds[t.localId] = t.backendId }
        let known = Set(queue.map(\.record.id))
        let restored = records.filter { !known.contains($0.id) }.map { record -> QueuedCall in
            var entry = QueuedCall(record: record)
            if record.action == "StartTransaction" && version == .v16 { entry.localTransactionId = Self.localTransactionIdBase + record.id % 200_000_000 }
            return entry
        }
        queue = (restored + queue).sorted { $0.record.id < $1.record.id }
        for _ in restored { relay.metrics.queued.increment() }
        deliverNext()
    }
}
