import CSQLite
import Foundation

/// Keeps the store's write-ahead log (`<store>-wal`) within a configured size.
///
/// SQLite starts the WAL over from its beginning only when a writer finds every frame
/// copied back into the database and no reader left on an older snapshot. Under steady
/// writes the PASSIVE checkpoints that run beside the writer never find that: frames land
/// while they copy. So the WAL only grew (397 MB after 60 s at 300 msg/s, issue 15), and
/// so would the disk it sits on.
///
/// After a commit that left the WAL past the limit, the writer itself, between two
/// batches (so no frame can land meanwhile), runs a RESTART checkpoint: it copies what the
/// PASSIVE checkpoints have not, syncs the database file, and waits briefly for readers to
/// leave the old snapshot. The next commit then writes from the WAL's start, and SQLite
/// truncates the file to the limit (`journal_size_limit`). The batch before has been
/// answered already; writes that arrive meanwhile wait for the next batch, as they wait
/// for a commit. Durability is untouched: a checkpoint only copies committed frames.
///
/// Readers or another gateway process holding it up past `busyMilliseconds` make it give
/// up and try again `retryAfter` later. A reader that pins one snapshot for long can still
/// let the WAL grow past the limit while it reads; `pilegate_store_wal_bytes` shows it.
struct WALBound {
    /// What `check` did after a commit.
    enum Outcome: Equatable {
        /// The WAL is within the limit (or it is not its turn after a busy attempt).
        case within
        /// The WAL was past the limit and was checkpointed; the next commit starts it over.
        case restarted
        /// Readers or another writer kept the checkpoint from finishing.
        case busy
    }

    let limitBytes: Int64
    /// One WAL frame: a page and its 24-byte header.
    let frameBytes: Int64
    let busyMilliseconds: Int32 = 20
    let retryAfter: TimeInterval = 0.25
    private var notBefore = Date.distantPast

    init(limitBytes: Int64, pageSize: Int64) {
        self.limitBytes = limitBytes
        frameBytes = pageSize + 24
    }

    /// The WAL's length in bytes after `database`'s last commit (its 32-byte header included).
    func walBytes(_ database: SQLiteDatabase) -> Int64 {
        32 + Int64(database.walFrames) * frameBytes
    }

    /// Run by the writer after each commit.
    mutating func check(_ database: SQLiteDatabase) throws -> Outcome {
        guard walBytes(database) > limitBytes, Date() >= notBefore else { return .within }
        if try database.checkpoint(mode: SQLITE_CHECKPOINT_RESTART, busyMilliseconds: busyMilliseconds) {
            return .restarted
        }
        notBefore = Date().addingTimeInterval(retryAfter)
        return .busy
    }
}
