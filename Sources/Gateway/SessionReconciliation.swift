import Foundation
import NIOCore
import OCPP
import SessionStore

/// Sessions always end. A pile that reboots, reconnects without a running transaction,
/// lets a connector go idle or starts a new transaction on a busy connector has forgotten
/// a session; its own StopTransaction may still come from its queue, so each suspicion
/// waits `sessionReconcileGrace` for the pile to mention the session, then closes what it
/// never mentioned as `abandoned` at its last known register. A scan that never became a
/// transaction is closed as `failed` with the reason.
struct ReconcileWatch {
    struct Suspicion {
        var connectorId: Int?
        var since: Date
        var reason: StopReason
    }

    var suspicions: [Suspicion] = []
    /// Sessions the pile mentioned, and when last.
    var mentioned: [Int64: Date] = [:]

    func keeping(since: Date) -> [Int64] { mentioned.filter { $0.value >= since }.map(\.key) }
}

extension ChargePointSession {
    /// The pile showed it is alive in `sessionId`: no suspicion closes it.
    func mentioned(_ sessionId: Int64) {
        guard reconcile != nil else { return }
        reconcile?.mentioned[sessionId] = Date()
    }

    /// Sessions on `connectorId` (or the whole pile) that the pile does not mention within
    /// the grace period are closed as abandoned.
    func suspectForgotten(connectorId: Int?, reason: StopReason, since: Date = Date()) {
        guard let eventLoop = connection?.eventLoop else { return }
        var watch = reconcile ?? ReconcileWatch()
        // One suspicion per connector and reason is enough: the earliest decides.
        if !watch.suspicions.contains(where: { $0.connectorId == connectorId && $0.reason == reason }) {
            watch.suspicions.append(.init(connectorId: connectorId, since: since, reason: reason))
        }
        reconcile = watch
        let grace = services.configuration.sessionReconcileGrace
        // Held until the check, even if the pile disconnects meanwhile: the suspicion stands.
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: .milliseconds(Int64(grace * 1000))) { bound.value.settleSuspicions(olderThan: grace) }
    }

    private func settleSuspicions(olderThan grace: Double) {
        guard var watch = reconcile else { return }
        let now = Date()
        let due = watch.suspicions.filter { now.timeIntervalSince($0.since) >= grace - 0.001 }
        watch.suspicions.removeAll { now.timeIntervalSince($0.since) >= grace - 0.001 }
        for suspicion in due {
            services.close(
                .abandonSessions(
                    SessionAbandonment(
                        chargePointId: identity, connectorId: suspicion.connectorId, keeping: watch.keeping(since: suspicion.since),
                        receivedBefore: suspicion.since, reason: suspicion.reason.rawValue, at: now)))
        }
        reconcile = watch.suspicions.isEmpty ? nil : watch
    }
}

extension GatewayServices {
    /// Applies a command that closes sessions, then tells everyone who follows them: the
    /// live events, the authorizer (the tag may start again), the active-session gauge and billing.
    func close(_ command: StoreCommand) {
        store.submit(command, frame: nil, findings: []) { result in
            guard case .success(.sessionsClosed(let ids)) = result, !ids.isEmpty else { return }
            Task { await self.announceClosed(ids) }
        }
    }

    func announceClosed(_ ids: [Int64]) async {
        for id in ids {
            do {
                guard let detail = try await store.session(id: id) else { continue }
                let session = detail.session
                if session.status == .abandoned {
                    authorizer.transactionEnded(chargePointId: session.chargePointId, transactionId: id)
                    metrics.activeSessions.decrement()
                    load.sessionStopped(chargePointId: session.chargePointId, sessionId: id)
                    logger.notice(
                        "session \(id) abandoned (\(session.stopReason ?? "-")) at \(session.meterStopWh ?? session.meterStartWh) Wh",
                        metadata: ["chargePoint": "\(session.chargePointId)"])
                    settle(sessionId: id)
                } else {
                    logger.info("scanned session \(id) closed: \(session.failure ?? "-")", metadata: ["chargePoint": "\(session.chargePointId)"])
                }
                events.publish(.session(session, Self.closedFigures(session)))
            } catch {
                logger.error("closed session \(id) could not be read back: \(error)")
            }
        }
    }

    static func closedFigures(_ session: SessionRecord) -> LiveFigures {
        let energy = session.meterStopWh.map { Double($0.saturatingSubtract(session.meterStartWh)) } ?? 0
        return LiveFigures(
            powerKW: 0, energyKWh: max(0, energy) / 1000, soc: nil,
            elapsedSeconds: max(0, (session.stopTime ?? session.startTime).timeIntervalSince(session.startTime)), costFen: session.costFen)
    }
}
