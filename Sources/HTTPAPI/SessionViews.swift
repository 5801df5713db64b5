import Foundation
import Gateway
import OCPP
import SessionStore

/// Sessions as the app and the dashboard see them: the stored record plus live figures
/// (power, energy, state of charge, elapsed time, cost so far).
struct SessionViews {
    let gateway: Gateway
    var store: any SessionStore { gateway.store }

    /// The record with `live` (for sessions that have started).
    static func view(_ session: SessionRecord, live: LiveFigures?) -> JSON {
        var o = encodeJSON(session).objectValue ?? JSONObject()
        o["live"] = live.map(encodeJSON) ?? .null
        return .object(o)
    }

    /// Live figures from the store: the latest samples and the cost so far.
    func live(_ session: SessionRecord, latest: [SampleRecord], samples: [SampleRecord]?, now: Date) -> LiveFigures? {
        guard session.status == .active || session.status == .completed else { return nil }
        func value(_ measurand: String) -> Double? { latest.last { $0.measurand == measurand }?.value }
        let register = session.meterStopWh.map(Double.init) ?? value("Energy.Active.Import.Register") ?? Double(session.meterStartWh)
        var cost = session.costFen
        if let samples, let receipt = gateway.receipt(for: session, samples: samples, now: now) { cost = receipt.totalFen }
        return LiveFigures(
            powerKW: session.status == .active ? value("Power.Active.Import").map { $0 / 1000 } : 0,
            energyKWh: max(0, register - Double(session.meterStartWh)) / 1000, soc: value("SoC"),
            elapsedSeconds: max(0, (session.stopTime ?? max(now, latest.map(\.time).max() ?? now)).timeIntervalSince(session.startTime)),
            costFen: cost)
    }

    /// A list with live figures. Active sessions are priced from their samples, which also
    /// give their latest readings; completed ones need only the latest readings.
    func list(_ sessions: [SessionRecord], now: Date) async throws -> JSON {
        let latest = try await store.latestSamples(sessionIds: sessions.filter { $0.status == .completed }.map(\.id))
        var views: [JSON] = []
        for session in sessions {
            if session.status == .active {
                let samples = try await store.samples(sessionId: session.id)
                views.append(Self.view(session, live: live(session, latest: Self.latest(samples), samples: samples, now: now)))
            } else {
                views.append(Self.view(session, live: live(session, latest: latest[session.id] ?? [], samples: nil, now: now)))
            }
        }
        return .array(views)
    }

    /// The newest reading of each measurand (whole-pile values), from samples in time order.
    static func latest(_ samples: [SampleRecord]) -> [SampleRecord] {
        Dictionary(grouping: samples.filter { $0.phase == nil }, by: \.measurand).compactMap { $0.value.last }
    }

    func detail(_ detail: SessionDetail, now: Date) -> JSON {
        var o = Self.view(detail.session, live: live(detail.session, latest: Self.latest(detail.samples), samples: detail.samples, now: now)).objectValue ?? JSONObject()
        o["samples"] = encodeJSON(detail.samples)
        o["findings"] = FindingViews.list(detail.findings)
        o["timeline"] = .array(detail.timeline.map(Self.frame))
        return .object(o)
    }

    /// A frame in the timeline: the recorded text is embedded as JSON when it parses.
    static func frame(_ f: FrameRecord) -> JSON {
        var o = JSONObject()
        o["time"] = .string(OCPPTimestamp.format(f.time))
        o["direction"] = .string(f.direction.rawValue)
        o["messageType"] = .integer(Int64(f.messageType))
        if let id = f.messageId { o["messageId"] = .string(id) }
        if let action = f.action { o["action"] = .string(action) }
        o["frame"] = (try? JSONParser.parse(f.text)) ?? .string(f.text)
        if let latency = f.latencyMs { o["latencyMs"] = .number(latency) }
        return .object(o)
    }
}
