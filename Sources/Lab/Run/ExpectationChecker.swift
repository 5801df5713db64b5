import Foundation
import OCPP

/// Checks a scenario's expectations against what the gateway recorded; returns one line
/// per expectation not met.
struct ExpectationChecker {
    let view: any GatewayView
    let identity: String
    /// What the simulated pile's register advanced by in each session it stopped, in order.
    let delivered: [CaseObserver.Stopped]
    let serial: String
    /// How often a status sequence is read before it counts as not recorded (every 100 ms).
    static let statusReads = 20

    func check(_ expect: Expectations, sessions: [LabSession], findings: [String]) async throws -> [String] {
        var failures: [String] = []
        if let sequences = expect.statuses {
            for expected in sequences {
                let connector = expected.connector ?? 1
                let want = expected.sequence.map(\.rawValue)
                // The pile's last StatusNotification may still be on its way to the log when
                // the steps end: read again for a moment (bounded) before calling it missing.
                var seen: [String] = []
                for attempt in 0..<Self.statusReads {
                    if attempt > 0 { try await Task.sleep(for: .milliseconds(100)) }
                    seen = Self.statuses(try await view.frames(chargePointId: identity), connector: connector)
                    let ok = (expected.match ?? .exact) == .exact ? seen == want : Self.isSubsequence(want, of: seen)
                    if ok { break }
                    if attempt == Self.statusReads - 1 {
                        failures.append("statuses on connector \(connector): expected \(want.joined(separator: " → ")), recorded \(seen.joined(separator: " → "))")
                    }
                }
            }
        }
        if let count = expect.sessions, count != sessions.count {
            failures.append("expected \(count) session(s), the gateway recorded \(sessions.count)")
        }
        if let want = expect.session {
            let candidates = want.index == nil && want.connector != nil ? sessions.filter { $0.connectorId == want.connector } : sessions
            let index = want.index ?? candidates.count - 1
            if index < 0 || index >= candidates.count {
                failures.append("no session \(want.index.map { "#\($0)" } ?? "")\(want.connector.map { " on connector \($0)" } ?? "") recorded (the gateway has \(sessions.count))")
            } else {
                failures += try await check(want, candidates[index], all: sessions)
            }
        }
        if let want = expect.eachSession {
            for session in sessions { failures += try await check(want, session, all: sessions) }
        }
        if let range = expect.pilePowerKW {
            var readings: [[LabSample]] = []
            for session in sessions {
                let power = (try await view.session(id: session.id)?.samples ?? []).filter { $0.measurand == "Power.Active.Import" }
                readings.append(power.sorted { $0.time < $1.time })
            }
            if let peak = Self.peakTotal(readings) {
                if let low = range.min, peak < low { failures.append(String(format: "the pile's peak power %.1f kW, expected at least %.1f", peak, low)) }
                if let high = range.max, peak > high { failures.append(String(format: "the pile's peak power %.1f kW, expected at most %.1f", peak, high)) }
            } else {
                failures.append("no power readings recorded for the pile")
            }
        }
        if let expected = expect.findings {
            let seen = Set(findings)
            for rule in expected.present ?? [] where !seen.contains(rule) {
                failures.append("finding \(rule) expected, not recorded (recorded: \(findings.isEmpty ? "none" : findings.joined(separator: ", ")))")
            }
            for rule in expected.absent ?? [] where seen.contains(rule) {
                failures.append("finding \(rule) recorded, expected none")
            }
        }
        return failures
    }

    private func check(_ want: Expectations.SessionExpectation, _ session: LabSession, all: [LabSession]) async throws -> [String] {
        var failures: [String] = []
        let label = "session \(session.id)"
        if let status = want.status, status != session.status { failures.append("\(label): status \(session.status), expected \(status)") }
        if let reason = want.stopReason, reason.rawValue != session.stopReason {
            failures.append("\(label): stop reason \(session.stopReason ?? "none"), expected \(reason.rawValue)")
        }
        if let tag = want.idTag?.replacingOccurrences(of: "{n}", with: serial), tag != session.idTag { failures.append("\(label): idTag \(session.idTag ?? "none"), expected \(tag)") }
        if let reservation = want.reservationId, reservation != session.reservationId {
            failures.append("\(label): reservation \(session.reservationId.map(String.init) ?? "none"), expected \(reservation)")
        }
        if let connector = want.connector, connector != session.connectorId {
            failures.append("\(label): connector \(session.connectorId), expected \(connector)")
        }
        if let energy = want.energy {
            let recorded = Double(session.energyWh ?? 0) / 1000
            var expected = energy.kWh
            if energy.delivered == true {
                // The k-th session on a connector is the k-th the pile stopped there.
                let stops = delivered.filter { $0.connector == session.connectorId }
                let position = all.filter { $0.connectorId == session.connectorId }.firstIndex { $0.id == session.id } ?? 0
                expected = stops.indices.contains(position) ? stops[position].energyWh / 1000 : nil
            }
            if let expected {
                let tolerance = max(energy.toleranceKWh ?? 0, abs(expected) * (energy.tolerancePercent ?? 0) / 100, 0.001)
                if session.energyWh == nil || abs(recorded - expected) > tolerance {
                    failures.append(String(format: "%@: energy %@ kWh, expected %.3f ± %.3f kWh", label, session.energyWh == nil ? "none" : String(format: "%.3f", recorded), expected, tolerance))
                }
            } else {
                failures.append("\(label): the pile delivered nothing to compare the recorded energy with")
            }
        }
        if let range = want.costFen {
            let cost = try await view.costFen(sessionId: session.id) ?? session.costFen
            if let cost {
                if let low = range.min, Double(cost) < low { failures.append("\(label): cost \(cost) fen, expected at least \(Int(low))") }
                if let high = range.max, Double(cost) > high { failures.append("\(label): cost \(cost) fen, expected at most \(Int(high))") }
            } else {
                failures.append("\(label): the gateway reports no costFen")
            }
        }
        if let range = want.maxPowerKW {
            let samples = try await view.session(id: session.id)?.samples ?? []
            let peak = samples.filter { $0.measurand == "Power.Active.Import" }.map { $0.value / 1000 }.max()
            if let peak {
                if let low = range.min, peak < low { failures.append(String(format: "%@: peak power %.1f kW, expected at least %.1f", label, peak, low)) }
                if let high = range.max, peak > high { failures.append(String(format: "%@: peak power %.1f kW, expected at most %.1f", label, peak, high)) }
            } else {
                failures.append("\(label): no power readings recorded")
            }
        }
        return failures
    }

    /// The highest sum, kW, of each session's latest power reading at any reading time: a
    /// session counts from its first reading to its last, since its connectors sample at
    /// their own times (readings in W, each list in time order).
    static func peakTotal(_ sessions: [[LabSample]]) -> Double? {
        SitePowerSeries.totals(sessions).map(\.kW).max()
    }

    /// The statuses the pile reported for `connector`, in order, repeats collapsed.
    static func statuses(_ frames: [LabFrame], connector: Int) -> [String] {
        if frames.contains(where: { $0.action == "TransactionEvent" || $0.text.contains("\"connectorStatus\"") }) {
            return statuses201(frames, evse: connector)
        }
        var result: [String] = []
        let names = Dictionary(uniqueKeysWithValues: V16.ChargePointStatus.allCases.map { ($0.rawValue.lowercased(), $0.rawValue) })
        for frame in frames where frame.direction == "in" && frame.action == "StatusNotification" && frame.messageType == 2 {
            guard let items = (try? JSONParser.parse(frame.text))?.arrayValue, items.count > 3, let payload = items[3].objectValue,
                payload["connectorId"]?.intValue == Int64(connector), let raw = payload["status"]?.stringValue
            else { continue }
            let status = names[raw.lowercased()] ?? raw
            if result.last != status { result.append(status) }
        }
        return result
    }

    static func isSubsequence(_ wanted: [String], of seen: [String]) -> Bool {
        var rest = wanted[...]
        for status in seen where rest.first == status { rest = rest.dropFirst() }
        return rest.isEmpty
    }
}
