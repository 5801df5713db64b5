import CoreMetrics
import Foundation
import Logging

/// The embedded store: one SQLite file in WAL mode for sessions, piles, findings and the
/// rest, an append-only record log beside it for frames and meter samples, one writer
/// thread that commits both in batches, one reader connection for queries.
///
/// Where frames live: every frame of both directions, and the meter samples stored for a
/// session, are records of the log (`RecordLog`, files under `<path>-log/<node>/`). They
/// used to be rows of `message_log` and `meter_samples`; each such row touched a leaf of a
/// per-pile or per-session index somewhere else in the file, so a commit of a few messages
/// wrote and fsynced tens of KB of pages (issue 15). Those tables keep what older versions
/// wrote and are read alongside.
///
/// How they are made durable: group commit. While a batch commits, new writes queue up;
/// the next batch takes them all. A batch first commits its SQLite changes (sessions,
/// connectors, findings: few at steady state; `synchronous=FULL` fsyncs them), then appends
/// its records to the log in one direct write and one fdatasync (`durability: full`), and
/// only then answers its writes. So an acknowledged write survives a power cut, with one
/// small sync per batch where every frame used to dirty several pages. A crash between the
/// two leaves SQLite changes whose replies were never sent; the pile repeats the message
/// and the store recognises the repeat (duplicate starts, stops of stopped sessions).
/// Commits append pages to SQLite's WAL (`<path>-wal`); a PASSIVE checkpoint thread copies
/// them into the database file, and the writer keeps the WAL within `walLimitBytes`
/// (`WALBound`).
///
/// How they are read back: the log indexes its records by pile (frames) and by session
/// (samples), in memory since the last seal and in `log_index` rows written at each seal
/// (every `logSealSeconds`, and when a segment is full); see `RecordLog`. Queries walk those
/// and read the records at their offsets (`frames(chargePointId:…)`, session timelines and
/// samples, record and replay). Other gateway nodes sharing the store read a node's
/// records once they are sealed.
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
    /// When the oldest pending write that someone waits for, and the oldest of all, came.
    private var oldestAwaited: Date?
    private var oldestPending: Date?
    private var closing = false
    private var closed = false
    /// Set by the writer as it leaves: the log is sealed and released for a reopen.
    private var writerStopped = false
    private var stopWaiters: [CheckedContinuation<Void, Never>] = []
    private var writerThread: Thread?
    /// How long a write someone waits for (a reply) may wait for company before its commit:
    /// bounds the latency group commit adds, and lets a quiet gateway still batch.
    private let commitWindow: TimeInterval
    /// How long frames no one waits for (replies sent, heartbeats) may wait to ride along
    /// with such a write before they are committed on their own.
    private let frameWindow: TimeInterval
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
    /// Frames and samples (appended by the writer, read from any thread).
    let log: RecordLog
    // Used only by the writer thread: the records of the batch being applied.
    var batchRecords: [LogRecord] = []
    let readQueue = DispatchQueue(label: "pilegate.store.read")

    /// What the WAL may grow to before the writer checkpoints it and starts it over.
    public static let defaultWALLimitBytes: Int64 = 64 << 20

    /// Opens (creating if needed) and migrates the database, then starts the writer.
    /// `node` names this gateway process, so its restart marks only its own piles offline.
    /// `walLimitBytes` bounds the WAL file (nil: SQLite's own behaviour, which under steady
    /// writes never starts it over).
    public init(
        path: String, durability: Durability = .full, node: String = "default", commitWindow: TimeInterval = 0.004,
        frameWindow: TimeInterval = 0.02,
        walLimitBytes: Int64? = SQLiteSessionStore.defaultWALLimitBytes, logSegmentBytes: Int = 64 << 20,
        logSealSeconds: Double = 10, logger: Logger = Logger(label: "pilegate.store")
    ) throws {
        self.path = path
        self.commitWindow = commitWindow
        self.frameWindow = frameWindow
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
        log = try RecordLog(
            storePath: path, node: node, segmentBytes: logSegmentBytes, sealSeconds: logSealSeconds, sync: durability == .full,
            db: writer)
        try log.sealRecovered(db: writer)
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
        // The writer wakes for the first write, and the first awaited one, to set its deadline.
        var wake = false
        if oldestPending == nil {
            oldestPending = Date()
            wake = true
        }
        if write.completion != nil, oldestAwaited == nil {
            oldestAwaited = oldestPending
            wake = true
        }
        if wake { condition.signal() }
        condition.unlock()
    }

    public func flush() async throws {
        _ = try await write(.none)
    }

    public func close() async throws {
        try await flush()
        stopWriter()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            if writerStopped {
                condition.unlock()
                continuation.resume()
            } else {
                stopWaiters.append(continuation)
                condition.unlock()
            }
        }
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
            // Group commit: a commit costs a sync whatever its size, so a write waits for
            // company up to `commitWindow` after the oldest awaited write came (at once when
            // a commit took longer than that), frames alone up to `frameWindow`.
            while !closing {
                if let deadline = commitDeadline() {
                    if pending.count >= 1000 || deadline <= Date() { break }
                    _ = condition.wait(until: deadline)
                } else if !condition.wait(until: Date().addingTimeInterval(1)), pending.isEmpty {
                    // Quiet: the last records still get sealed, for other nodes to read.
                    condition.unlock()
                    do {
                        try log.sealIfDue(now: Date().timeIntervalSince1970, db: writer)
                    } catch {
                        logger.error("store: log chunk not sealed: \(error)")
                    }
                    condition.lock()
                }
            }
            if pending.isEmpty && closing {
                condition.unlock()
                do {
                    // Sealed now, the records need no recovery at the next start.
                    try log.sealIfDue(now: Date().timeIntervalSince1970, db: writer, force: true)
                } catch {
                    logger.warning("store: log chunk not sealed at close: \(error)")
                }
                log.release()
                condition.lock()
                writerStopped = true
                let waiters = stopWaiters
                stopWaiters = []
                condition.unlock()
                for waiter in waiters { waiter.resume() }
                return
            }
            let batch = pending
            pending = []
            oldestAwaited = nil
            oldestPending = nil
            condition.unlock()
            let started = DispatchTime.now().uptimeNanoseconds
            let results = apply(batch)
            commitTimer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
            batchSize.record(batch.count)
            lastCommit = Date()
            for (write, result) in zip(batch, results) { write.completion?(result) }
            do {
                try log.sealIfDue(now: lastCommit.timeIntervalSince1970, db: writer)
            } catch {
                logger.error("store: log chunk not sealed: \(error)")
            }
            boundWAL()
        }
    }

    /// When the pending writes are due (under `condition`); nil with none pending.
    private func commitDeadline() -> Date? {
        let frames = oldestPending.map { $0.addingTimeInterval(frameWindow) }
        guard let awaited = oldestAwaited.map({ $0.addingTimeInterval(commitWindow) }) else { return frames }
        return min(awaited, frames ?? awaited)
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

    /// Applies a batch: its commands in one SQLite transaction, then its frames and
    /// samples in one append to the log. Each command runs inside a savepoint, so one that
    /// fails is rolled back alone (its samples with it) and reported alone.
    private func apply(_ batch: [PendingWrite]) -> [Result<StoreOutcome, any Error>] {
        batchRecords = batch.compactMap { $0.frame.map(LogRecord.frame) }
        defer { batchRecords = [] }
        // Frames alone (heartbeats, replies) need the log only.
        var results: [Result<StoreOutcome, any Error>] =
            batch.allSatisfy { $0.findings.isEmpty && $0.command.isNone } ? batch.map { _ in .success(.done) } : applyCommands(batch)
        do {
            try log.append(batchRecords)
        } catch {
            logger.error("store: \(batchRecords.count) records not logged, \(batch.count) writes fail: \(error)")
            results = batch.map { _ in .failure(error) }
        }
        return results
    }

    /// The batch's commands in one transaction; if it does not commit, the samples they
    /// added to `batchRecords` go too (its frames stay).
    private func applyCommands(_ batch: [PendingWrite]) -> [Result<StoreOutcome, any Error>] {
        let frames = batchRecords.count
        var results: [Result<StoreOutcome, any Error>] = []
        results.reserveCapacity(batch.count)
        do {
            try writer.run("BEGIN IMMEDIATE")
        } catch {
            logger.error("store: cannot begin a write transaction: \(error)")
            return batch.map { _ in .failure(error) }
        }
        for write in batch {
            do {
                if case .none = write.command, write.findings.isEmpty {
                    results.append(.success(.done))
                    continue
                }
                try writer.run("SAVEPOINT command")
                let recorded = batchRecords.count
                do {
                    let outcome = try apply(write.command)
                    try insert(write.findings, sessionId: outcome.sessionId)
                    try writer.run("RELEASE command")
                    results.append(.success(outcome))
                } catch {
                    try writer.run("ROLLBACK TO command")
                    try writer.run("RELEASE command")
                    batchRecords.removeLast(batchRecords.count - recorded)
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
            batchRecords.removeLast(batchRecords.count - frames)
            return batch.map { _ in .failure(error) }
        }
        return results
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

extension StoreCommand {
    var isNone: Bool {
        if case .none = self { return true }
        return false
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
