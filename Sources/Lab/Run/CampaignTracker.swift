import Foundation
import HTTPAPI
import Simulator
import Synchronization

/// Follows a campaign's sessions: what each connector is charging, what the pile
/// delivered, and in the end whether the gateway recorded each session faithfully.
final class CampaignTracker: PileObserver {
    struct Planned: Sendable {
        let index: Int
        let pile: String
        let connector: Int
        let profile: PileProfile
        let vehicle: String
        let soc: Double
        let target: Double
        var idTag: String { String(format: "CAMP%06d", index) }
    }

    struct Done: Sendable {
        let planned: Planned
        let energyWh: Double
        let reason: String
    }

    private let state = Mutex<(current: [String: (Planned, StopSignal)], done: [Done], finished: Int)>(([:], [], 0))
    let total: Int
    let progress: @Sendable (String) -> Void
    let started = Date()

    init(total: Int, progress: @escaping @Sendable (String) -> Void) {
        self.total = total
        self.progress = progress
    }

    /// Registers the next session on a connector; the signal fires when the pile stops it.
    func expect(_ planned: Planned) -> StopSignal {
        let signal = StopSignal()
        state.withLock { $0.current["\(planned.pile)#\(planned.connector)"] = (planned, signal) }
        return signal
    }

    func pile(_ event: PileEvent) {
        guard case .sessionStopped(let pile, let connector, let energyWh, let reason) = event else { return }
        let (signal, finished) = state.withLock { state -> (StopSignal?, Int) in
            guard let (planned, signal) = state.current.removeValue(forKey: "\(pile)#\(connector)") else { return (nil, state.finished) }
            state.done.append(Done(planned: planned, energyWh: energyWh, reason: reason))
            state.finished += 1
            return (signal, state.finished)
        }
        signal?.fire()
        let step = max(total / 20, 1)
        if finished % step == 0 || finished == total {
            let elapsed = Date().timeIntervalSince(started)
            progress(String(format: "campaign: %d/%d sessions stopped (%.0f s, %.0f sessions/s)", finished, total, elapsed, Double(finished) / max(elapsed, 0.001)))
        }
    }

    /// Compares every stopped session with the gateway's record of it (matched by its unique id tag).
    func results(view: any GatewayView, gatewayStore: RunningGateway?) async throws -> [CaseResult] {
        let done = state.withLock { $0.done }
        var recorded: [String: LabSession] = [:]
        var findings: [String: [LabFinding]] = [:]
        if let running = gatewayStore {
            for record in try await running.store.sessions(chargePointId: nil, status: nil, limit: Int.max / 2) {
                if let tag = record.idTag { recorded[tag] = LabSession(record) }
            }
            for finding in try await running.store.findings(chargePointId: nil, limit: Int.max / 2).reversed() {
                findings[finding.chargePointId, default: []].append(LabFinding(finding, apiBase: nil))
            }
        } else {
            for pile in Set(done.map(\.planned.pile)) {
                for session in try await view.sessions(chargePointId: pile) { if let tag = session.idTag { recorded[tag] = session } }
                findings[pile] = try await view.findings(chargePointId: pile)
            }
        }
        return done.sorted { $0.planned.index < $1.planned.index }.map { item in
            let p = item.planned
            var failures: [String] = []
            let session = recorded[p.idTag]
            if let session {
                if session.status != "completed" { failures.append("session \(session.id): status \(session.status), expected completed") }
                let energy = Double(session.energyWh ?? -1)
                // Registers go on the wire as whole Wh: allow the rounding of both ends.
                if abs(energy - item.energyWh) > 2 {
                    failures.append(String(format: "session %lld: energy %.0f Wh recorded, the pile delivered %.1f Wh", session.id, energy, item.energyWh))
                }
                if session.stopReason != item.reason { failures.append("session \(session.id): stop reason \(session.stopReason ?? "none"), the pile sent \(item.reason)") }
            } else {
                failures.append("no session recorded for id tag \(p.idTag)")
            }
            let evidence = failures.isEmpty ? [] : session.map { [SessionEvidence(session: $0, apiLink: APIRoute.getSession.path(String($0.id)), trace: nil, findings: [], curve: [])] } ?? []
            var result = CaseResult(
                scenario: "campaign", file: "campaign", caseName: "campaign #\(p.index + 1) [\(p.profile.id) \(p.profile.ocppVersion.subprotocol) \(p.vehicle) soc=\(Int(p.soc))→\(Int(p.target))]",
                tags: ["campaign"], network: p.profile.network, model: "\(p.profile.vendor) \(p.profile.model)", firmware: p.profile.firmware,
                ocppVersion: p.profile.ocppVersion.label, profile: p.profile.id, vehicle: p.vehicle, soc: p.soc, chargePointId: p.pile, outcome: failures.isEmpty ? .passed : .failed,
                failures: failures, skipReason: nil, findings: [], sessions: evidence, wallSeconds: 0)
            // A case answers for its own session and for what the pile did outside any session.
            result.judge((findings[p.pile] ?? []).filter { $0.sessionId == nil || $0.sessionId == session?.id }, expected: [])
            return result
        }
    }
}

/// Fires once; `wait` returns true when fired, false after its timeout. Each wait has
/// a generation, so a late timer of an earlier wait cannot end a later one.
final class StopSignal: Sendable {
    private struct State {
        var fired = false
        var generation = 0
        var timedOut = -1
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private let state = Mutex(State())

    var fired: Bool { state.withLock { $0.fired } }

    func fire() {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.fired = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: true)
    }

    func wait(wallSeconds: Double) async -> Bool {
        let generation = state.withLock { state -> Int in
            state.generation += 1
            return state.generation
        }
        let timer = Task { [weak self] in
            try await Task.sleep(for: .milliseconds(Int64(max(wallSeconds, 0.001) * 1000)))
            self?.timeOut(generation)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool? in
                if state.fired { return true }
                if state.timedOut == generation { return false }
                state.waiter = continuation
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    private func timeOut(_ generation: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard state.generation == generation else { return nil }
            state.timedOut = generation
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: false)
    }
}
