import Foundation

// Frames and samples in the record log, with what older versions left in `message_log`
// and `meter_samples` read alongside (it is older than anything in the log).

extension SQLiteSessionStore {
    /// A session's readings join the batch's records (writer thread). Readings of no
    /// session are in their frame only: nothing reads them by themselves.
    func record(_ samples: [SampleRecord], sessionId: Int64?, chargePointId: String, connectorId: Int) {
        guard let sessionId, !samples.isEmpty else { return }
        batchRecords.append(
            .samples(
                SessionSamples(
                    sessionId: sessionId, chargePointId: chargePointId, connectorId: connectorId, receivedAt: Date(), samples: samples)))
    }

    /// Every reading stored for a session, oldest first: older versions' rows, the log's
    /// records and, on the writer, those of the batch being applied.
    func storedSamples(sessionId: Int64, db: SQLiteDatabase) throws -> [SampleRecord] {
        var samples = try db.query(
            """
            SELECT time, measurand, value, unit, phase, location, context FROM meter_samples
            WHERE session_id = ? ORDER BY time, id
            """, [.integer(sessionId)]
        ).map(Self.sample)
        var logged: [SampleRecord] = []
        let key = RecordLog.Key(kind: .samples, key: String(sessionId))
        for location in try log.locations(of: key, db: db, since: try sessionStart(sessionId, db)).reversed() {
            if case .samples(let batch)? = try log.read(location) { logged += batch.samples }
        }
        if db === writer {
            for case .samples(let batch) in batchRecords where batch.sessionId == sessionId { logged += batch.samples }
        }
        // Readings come in time order per message; the log keeps arrival order across them.
        samples += logged.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        return samples
    }

    /// When the gateway received the session's start: no reading of it is logged before,
    /// so reads of its samples need not walk older chunks.
    private func sessionStart(_ sessionId: Int64, _ db: SQLiteDatabase) throws -> Double? {
        try db.query("SELECT received_at FROM sessions WHERE id = ?", [.integer(sessionId)]).first?.double(0)
    }

    /// What a session's readings say about its end (writer thread): the highest plausible
    /// outlet register, and the last reading's time.
    func readingSummary(sessionId: Int64) throws -> (highestRegister: Double?, lastTime: Double?) {
        let samples = try storedSamples(sessionId: sessionId, db: writer)
        let registers = samples.filter { $0.isOutletEnergyRegister && (0...1e12).contains($0.value) }.map(\.value)
        return (registers.max(), samples.map(\.time.timeIntervalSince1970).max())
    }

    /// The newest reading of each measurand (phase-less), from the session's newest
    /// records back (at most 16 of them), then older versions' rows.
    func latestSamples(sessionId: Int64, db: SQLiteDatabase) throws -> [SampleRecord] {
        var newest: [String: SampleRecord] = [:]
        let key = RecordLog.Key(kind: .samples, key: String(sessionId))
        for location in try log.locations(of: key, db: db, limit: 16, since: try sessionStart(sessionId, db)) {
            guard case .samples(let batch)? = try log.read(location) else { continue }
            for sample in batch.samples.reversed() where sample.phase == nil && newest[sample.measurand] == nil {
                newest[sample.measurand] = sample
            }
        }
        let legacy = try db.query(
            """
            SELECT time, measurand, value, unit, phase, location, context, max(id) FROM meter_samples
            WHERE session_id = ? AND phase IS NULL GROUP BY measurand
            """, [.integer(sessionId)])
        for sample in legacy.map(Self.sample) where newest[sample.measurand] == nil { newest[sample.measurand] = sample }
        return newest.values.sorted { ($0.time, $0.measurand) < ($1.time, $1.measurand) }
    }

    /// A pile's frames in the log, newest first: at most `scanning` of them looked at (from
    /// `until` back to `since`), those `keep` takes returned, at most `limit`.
    func loggedFrames(
        chargePointId: String, db: SQLiteDatabase, limit: Int, scanning: Int, since: Double? = nil, until: Double? = nil,
        keep: (FrameRecord) -> Bool = { _ in true }
    ) throws -> [FrameRecord] {
        var found: [FrameRecord] = []
        let locations = try log.locations(of: .init(kind: .frame, key: chargePointId), db: db, limit: scanning, since: since, until: until)
        for location in locations where found.count < limit {
            if let since, location.time < since { continue }
            if let until, location.time > until { continue }
            if case .frame(let frame)? = try log.read(location), keep(frame) { found.append(frame) }
        }
        return found
    }
}
