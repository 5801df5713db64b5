import CoreMetrics
import Foundation
import Logging

/// The embedded store: one SQLite file in WAL mode, one writer thread that commits in
/// batches, one reader connection for queries.
///
/// Where frames live: every frame of both directions is a row of `message_log` in the
/// same file as the sessions, samples and findings it led to, written in the same
/// transaction (multi-row INSERTs). They are read back from there, by pile and time or by
/// message id, on the reader connection (`frames(chargePointId:…)`, session timelines,
/// record and replay).
///
/// How they are made durable: group commit. While a batch commits, new writes queue up;
/// the next batch takes them all in one transaction. With `synchronous=FULL` every commit
/// is fsynced before its writes are answered, so an acknowledged write survives a power
/// cut, yet the fsync is paid once per batch, not once per message. Commits append pages
/// to the WAL (`<path>-wal`); a PASSIVE checkpoint thread copies them into the database
/// file, and the writer keeps the WAL within `walLimitBytes` (`WALBound`).
public final class SQLiteSessionStore: SessionStore, @unchecked Sendable {
    public enum Durability: String, Sendable, CaseIterable {
        /// fsync on every commit: survives power loss.
        case full
        /// fsync at checkpoints only: survives a process crash, may lose the last commits on power loss.
        case normal
    }

    private struct PendingWrite {
        var command: StoreCommand
        var frame: FrameRecord?
        var findings: [FindingRecord]
        var completion: (@Sendable (Result<StoreOutcome, any Error>) -> Void)?
    }

    public let path: String
    /// How long each batch takes to apply and commit (fsync included), and how big it is.
    private let commitTimer = Timer(label: "pilegate_store_commit_duration_seconds")
    private let batchSize = Recorder(label: "pilegate_store_batch_size")
    /// The WAL's length after the last commit, and the writer's checkpoints that bound it.
    private let walBytes = Gauge(label: "pilegate_store_wal_bytes")
    private let walRestarts = Counter(label: "pilegate_store_wal_restarts_total")
    private let walBusy = Counter(label: "pilegate_store_wal_restart_busy_total")
    let node: String
    private let logger: Logger
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [PendingWrite] = []
    private var closing = false
    private var closed = false
    private var writerThread: Thread?
    /// How long writes may wait for company before a commit; bounds the added reply latency.
    private let commitWindow: TimeInterval
    // Used only by the writer thread.
    private var lastCommit = Date.distantPast
    // Used only by the writer thread; nil: the WAL is not bounded.
    private var walBound: WALBound?
    // Used only by the writer thread.
    let writer: SQLiteDatabase
    // Used only by the checkpoint thread.
    private let checkpointer: SQLiteDatabase
    // Used only on `readQueue`.
    let reader: SQLiteDatabase
    let readQueue = DispatchQueue(label: "pilegate.store.read")

    /// What the WAL may grow to before the writer checkpoints it and starts it over.
    public static let defaultWALLimitBytes: Int64 = 64 << 20

    /// Opens (creating if needed) and migrates the database, then starts the writer.
    /// `node` names this gateway process, so its restart marks only its own piles offline.
    /// `walLimitBytes` bounds the WAL file (nil: SQLite's own behaviour, which under steady
    /// writes never starts it over).
    public init(
        path: String, durability: Durability = .full, node: String = "default", commitWindow: TimeInterval = 0.002,
        walLimitBytes: Int64? = SQLiteSessionStore.defaultWALLimitBytes, logger: Logger = Logger(label: "pilegate.store")
    ) throws {
        self.path = path
        self.commitWindow = commitWindow
        self.node = node
        self.logger = logger
        writer = try SQLiteDatabase(path: path)
        // 4 KiB pages (SQLite's default, stated so it is a decision): measured against 16 KiB,
        // fewer bytes per dirty page reach the WAL and its fsync, and p99 fell from
        // 65–720 ms to 12–71 ms at 10,000 piles (docs/benchmarks.md). Applies to new files.
        try writer.execute("PRAGMA page_size=4096")
        // Switching a fresh file to WAL needs it to itself, and SQLite answers busy at once
        // (no busy timeout) when another process opening the same store holds it: retry.
        for attempt in 1...200 {
            do {
                try writer.execute("PRAGMA journal_mode=WAL")
                break
            } catch let error as SQLiteError where error.code == 5 /* SQLITE_BUSY */ && attempt < 200 {
                usleep(10_000)
            }
        }
        try writer.execute("PRAGMA synchronous=\(durability == .full ? "FULL" : "NORMAL")")
        try writer.execute("PRAGMA cache_size=-16000")
        // Checkpoints run on their own thread (see `checkpointLoop`), never in a commit's way.
        try writer.execute("PRAGMA wal_autocheckpoint=0")
        if let walLimitBytes {
            // Once started over, the WAL file is cut back to the limit at the next commit.
            try writer.execute("PRAGMA journal_size_limit=\(max(0, walLimitBytes))")
            let pageSize = try writer.query("PRAGMA page_size").first?.int(0) ?? 4096
            walBound = WALBound(limitBytes: max(0, walLimitBytes), pageSize: pageSize)
            writer.watchWALLength()
        }
        try Migrations.apply(to: writer)
        // Piles this node held before a crash are not connected any more.
        try writer.run("UPDATE charge_points SET connected = 0 WHERE node = ?", [.text(node)])
        reader = try SQLiteDatabase(path: path)
        try reader.execute("PRAGMA query_only=1")
        checkpointer = try SQLiteDatabase(path: path)
        let thread = Thread { [unowned self] in self.writeLoop() }
        thread.name = "pilegate-store-writer"
        writerThread = thread
        thread.start()
        // Strong: the thread may first run after a short-lived store is closed and released.
        let checkpointThread = Thread { [self] in self.checkpointLoop() }
        checkpointThread.name = "pilegate-store-checkpoint"
        checkpointThread.start()
    }

    /// Copies the WAL back into the database once a second with a PASSIVE checkpoint on
    /// a connection of its own: it runs beside the writer instead of stalling a commit
    /// (an automatic checkpoint inside a commit held replies for over a second at load).
    private func checkpointLoop() {
        while true {
            Thread.sleep(forTimeInterval: 1)
            condition.lock()
            let done = closed
            condition.unlock()
            if done { return }
            do {
                try checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")
            } catch {
                logger.warning("store: checkpoint failed: \(error)")
            }
        }
    }

    // MARK: Writing

    public func submit(
        _ command: StoreCommand, frame: FrameRecord?, findings: [FindingRecord],
        completion: @escaping @Sendable (Result<StoreOutcome, any Error>) -> Void
    ) {
        enqueue(PendingWrite(command: command, frame: frame, findings: findings, completion: completion))
    }

    public func append(frame: FrameRecord) {
        enqueue(PendingWrite(command: .none, frame: frame, findings: [], completion: nil))
    }

    private func enqueue(_ write: PendingWrite) {
        condition.lock()
        if closed {
            condition.unlock()
            write.completion?(.failure(SQLiteError(code: 0, message: "the store is closed", sql: nil)))
            return
        }
        pending.append(write)
        if pending.count == 1 { condition.signal() }
        condition.unlock()
    }

    public func flush() async throws {
        _ = try await write(.none)
    }

    public func close() async throws {
        try await flush()
        stopWriter()
    }

    private func stopWriter() {
        condition.lock()
        closing = true
        closed = true
        condition.signal()
        condition.unlock()
    }

    private func writeLoop() {
        while true {
            condition.lock()
            while pending.isEmpty && !closing { condition.wait() }
            // Group commit: a transaction costs file locks, a WAL append and (full
            // durability) an fsync whatever its size, so let writes gather for up to
            // `commitWindow` after the previous commit before starting the next.
            let gatherUntil = lastCommit.addingTimeInterval(commitWindow)
            if !closing && pending.count < 1000 && gatherUntil > Date() {
                _ = condition.wait(until: gatherUntil)
            }
            if pending.isEmpty && closing {
                condition.unlock()
                return
            }
            let batch = pending
            pending = []
            condition.unlock()

            let started = DispatchTime.now().uptimeNanoseconds
            let results = apply(batch)
            commitTimer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
            batchSize.record(batch.count)
            lastCommit = Date()
            for (write, result) in zip(batch, results) { write.completion?(result) }
            boundWAL()
        }
    }

    /// Between batches, after the last one was answered: keeps the WAL within its limit.
    private func boundWAL() {
        guard var bound = walBound else { return }
        walBytes.record(bound.walBytes(writer))
        do {
            switch try bound.check(writer) {
            case .within: break
            case .restarted: walRestarts.increment()
            case .busy: walBusy.increment()
            }
        } catch {
            logger.warning("store: WAL checkpoint failed: \(error)")
        }
        walBound = bound
    }

    /// Applies a batch in one transaction. Each command runs inside a savepoint, so one
    /// that fails is rolled back alone and reported alone.
    private func apply(_ batch: [PendingWrite]) -> [Result<StoreOutcome, any Error>] {
        var results: [Result<StoreOutcome, any Error>] = []
        results.reserveCapacity(batch.count)
        do {
            try writer.run("BEGIN IMMEDIATE")
        } catch {
            logger.error("store: cannot begin a write transaction: \(error)")
            return batch.map { _ in .failure(error) }
        }
        do {
            try insert(batch.compactMap(\.frame))
        } catch {
            logger.error("store: frames not recorded: \(error)")
        }
        for write in batch {
            do {
                if case .none = write.command, write.findings.isEmpty {
                    results.append(.success(.done))
                    continue
                }
                try writer.run("SAVEPOINT command")
                do {
                    let outcome = try apply(write.command)
                    try insert(write.findings, sessionId: outcome.sessionId)
                    try writer.run("RELEASE command")
                    results.append(.success(outcome))
                } catch {
                    try writer.run("ROLLBACK TO command")
                    try writer.run("RELEASE command")
                    logger.error("store: command failed: \(error)")
                    results.append(.failure(error))
                }
            } catch {
                results.append(.failure(error))
            }
        }
        do {
            try writer.run("COMMIT")
        } catch {
            logger.error("store: commit failed, \(batch.count) writes lost: \(error)")
            try? writer.run("ROLLBACK")
            return batch.map { _ in .failure(error) }
        }
        return results
    }

    func insert(_ samples: [SampleRecord], sessionId: Int64?, chargePointId: String, connectorId: Int) throws {
        try insertRows(
            into: "meter_samples(session_id, charge_point_id, connector_id, time, measurand, value, unit, phase, location, context)",
            columns: 10,
            samples.map { s in
                [
                    .init(sessionId), .text(chargePointId), .init(connectorId), .init(s.time), .text(s.measurand),
                    .real(s.value), .init(s.unit), .init(s.phase), .init(s.location), .init(s.context),
                ]
            })
    }

    private func insert(_ frames: [FrameRecord]) throws {
        try insertRows(
            into: "message_log(time, direction, charge_point_id, message_type, message_id, action, frame, latency_ms)",
            columns: 8,
            frames.map { f in
                [
                    .init(f.time), .text(f.direction.rawValue), .text(f.chargePointId), .init(f.messageType),
                    .init(f.messageId), .init(f.action), .text(f.text), .init(f.latencyMs),
                ]
            })
    }

    /// Multi-row INSERTs of up to 64 rows: one statement step per chunk rather than per row
    /// is what makes recording every frame affordable (measured on this stack: about ten
    /// times the rows per second of single-row INSERTs).
    private func insertRows(into target: String, columns: Int, _ rows: [[SQLiteValue]]) throws {
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + 64)]
            let placeholders = "(" + Array(repeating: "?", count: columns).joined(separator: ",") + ")"
            let statement = try writer.prepare(
                "INSERT INTO \(target) VALUES " + Array(repeating: placeholders, count: chunk.count).joined(separator: ","))
            var index: Int32 = 1
            for row in chunk {
                for value in row {
                    try statement.bind(value, at: index)
                    index += 1
                }
            }
            while try statement.step() {}
            start += chunk.count
        }
    }

    private func insert(_ findings: [FindingRecord], sessionId: Int64?) throws {
        for f in findings {
            try writer.run(
                """
                INSERT INTO findings(time, rule, severity, charge_point_id, session_id, message_id, detail)
                VALUES(?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .init(f.time), .text(f.rule), .text(f.severity), .text(f.chargePointId), .init(f.sessionId ?? sessionId),
                    .init(f.messageId), .text(f.detail),
                ])
        }
    }
}

extension StoreOutcome {
    /// The session a command concerned, for findings that ride along with it.
    var sessionId: Int64? {
        switch self {
        case .sessionStarted(let id, _), .samplesStored(.some(let id)): id
        case .sessionStopped(.stopped(let id, _)), .sessionStopped(.alreadyStopped(let id)): id
        default: nil
        }
    }
}
