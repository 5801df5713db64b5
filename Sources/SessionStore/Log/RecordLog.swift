import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The append-only log that holds every frame and every meter sample (see
/// `SQLiteSessionStore` for the whole design).
///
/// Records go into segment files under `<store>-log/<node>/`, written by the store's writer
/// only. The records since the last seal are indexed in memory; every `sealSeconds` (and
/// when a segment is full) the writer seals them as a *chunk*: one `log_chunks` row and,
/// sorted, one `log_index` row per pile and per session with the offsets and times of its
/// records. Chunk ids only grow, so a seal appends to the index instead of rewriting pages
/// all over it, as a per-pile index touched by every frame did. A read walks the chunks from
/// the newest with one primary-key probe each, then reads the records at those offsets.
/// Other gateway nodes sharing the store read a node's records once they are sealed.
final class RecordLog: @unchecked Sendable {
    struct Key: Hashable, Sendable {
        var kind: LogRecord.Kind
        var key: String
    }

    /// Where one record is.
    struct Location: Sendable {
        var node: String
        var segment: Int64
        var offset: Int
        var time: Double
    }

    private struct Entry {
        var offset: UInt32
        var time: Double
    }

    /// The records since the last seal, or a sealed chunk not yet in the store.
    private struct OpenChunk {
        var segment: Int64
        var firstOffset: Int
        var endOffset: Int
        var firstTime = Double.infinity
        var lastTime = -Double.infinity
        var frames = 0
        var records = 0
        var endSequence: UInt64 = 0
        var index: [Key: [Entry]] = [:]

        init(segment: Int64, offset: Int) {
            self.segment = segment
            firstOffset = offset
            endOffset = offset
        }

        mutating func add(_ key: Key, offset: Int, time: Double, sequence: UInt64) {
            index[key, default: []].append(Entry(offset: UInt32(truncatingIfNeeded: offset), time: time))
            firstTime = min(firstTime, time)
            lastTime = max(lastTime, time)
            records += 1
            if key.kind == .frame { frames += 1 }
            endSequence = sequence
        }
    }

    /// `<store>-log`: one folder per node under it.
    let root: String
    let directory: String
    let node: String
    private let segmentBytes: Int
    private let sealSeconds: Double
    private let sync: Bool
    // Used only by the writer thread (and `init`).
    private var lockFD: Int32
    // Used only by the writer thread.
    private var segment: LogSegment
    private var epoch: UInt32
    private var nextSequence: UInt64
    private var lastSeal: Double
    private let lock = NSLock()
    // Guarded by `lock`: what readers find in memory.
    private var open: OpenChunk
    private let readers = SegmentReaders()

    /// Opens this node's log, taking its lock, and indexes what was written after the last
    /// seal (a crash's records). Call `sealRecovered` next, on the writer's connection.
    init(storePath: String, node: String, segmentBytes: Int, sealSeconds: Double, sync: Bool, db: SQLiteDatabase) throws {
        self.node = node
        self.segmentBytes = max(1 << 16, segmentBytes)
        self.sealSeconds = sealSeconds
        self.sync = sync
        root = storePath + "-log"
        directory = Self.directory(root: root, node: node)
        try Self.claim(root: root, for: try db.query("SELECT id FROM log_identity").first?.string(0) ?? "")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        lockFD = Glibc.open(directory + "/lock", O_RDWR | O_CREAT, 0o644)
        guard lockFD >= 0 else { throw LogError.posix("cannot open", directory + "/lock") }
        guard flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            close(lockFD)
            throw LogError("another gateway process records as node '\(node)' in \(directory): give each process its own --node")
        }
        let last = try db.query(
            "SELECT segment, end_offset, epoch, end_sequence FROM log_chunks WHERE node = ? ORDER BY id DESC LIMIT 1", [.text(node)]
        ).first
        var number = last?.int(0) ?? Self.segmentNumbers(in: directory).first ?? 1
        var start = Int(last?.int(1) ?? 0)
        var previous: (epoch: UInt32, sequence: UInt64)? = last.map {
            (UInt32(truncatingIfNeeded: $0.int(2) ?? 0), UInt64(bitPattern: $0.int(3) ?? 0))
        }
        var maxEpoch = previous?.epoch ?? 0
        var recovered: [OpenChunk] = []
        var current: LogSegment
        // The segment the last seal ended in, then any the writer went on to.
        while true {
            let file = try LogSegment(directory: directory, number: number, end: start, allocate: self.segmentBytes)
            var chunk = OpenChunk(segment: number, offset: start)
            for (offset, decoded) in try file.scan(from: start, after: previous) {
                chunk.add(Key(kind: decoded.record.kind, key: decoded.record.key), offset: offset, time: decoded.record.time, sequence: decoded.sequence)
                previous = (decoded.epoch, decoded.sequence)
                maxEpoch = max(maxEpoch, decoded.epoch)
            }
            chunk.endOffset = file.end
            current = file
            let nextExists = FileManager.default.fileExists(atPath: directory + "/" + LogSegment.fileName(number + 1))
            if chunk.records > 0 || !nextExists { recovered.append(chunk) }
            guard nextExists else { break }
            number += 1
            start = 0
        }
        segment = current
        epoch = maxEpoch &+ 1
        nextSequence = (previous?.sequence ?? 0) &+ 1
        lastSeal = Date().timeIntervalSince1970
        open = recovered.popLast() ?? OpenChunk(segment: number, offset: current.end)
        pendingRecovered = recovered
    }

    deinit { release() }

    /// Lets another store (a reopen) record as this node. Writer thread, after its last seal.
    func release() {
        if lockFD >= 0 { close(lockFD) }
        lockFD = -1
    }

    /// Chunks found by recovery in segments before the current one.
    private var pendingRecovered: [OpenChunk]

    /// Makes sure the log folder belongs to this database (`<root>/store-id`): one left by
    /// a database since deleted would otherwise lend its records to this one's sessions.
    /// Such a folder is moved aside, not deleted.
    private static func claim(root: String, for identity: String) throws {
        let files = FileManager.default
        func owned() -> Bool { (try? String(contentsOfFile: root + "/store-id", encoding: .utf8)) == identity }
        if owned() { return }
        if files.fileExists(atPath: root) {
            try files.moveItem(atPath: root, toPath: root + ".orphaned-\(Int(Date().timeIntervalSince1970))-\(getpid())")
        }
        // Made whole beside it and renamed into place, so another node of this store
        // opening at the same moment finds either no folder or one with its id.
        let fresh = root + ".new-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try files.createDirectory(atPath: fresh, withIntermediateDirectories: true)
        try identity.write(toFile: fresh + "/store-id", atomically: false, encoding: .utf8)
        if rename(fresh, root) != 0 {
            try? files.removeItem(atPath: fresh)
            guard owned() else { throw LogError.posix("cannot create", root) }
        }
    }

    /// `<root>/<node>`, the node's name made safe as a folder name.
    static func directory(root: String, node: String) -> String {
        let safe = node.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        return root + "/" + String(safe)
    }

    private static func segmentNumbers(in directory: String) -> [Int64] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name in
            guard name.hasSuffix(".seg") else { return nil }
            return Int64(name.dropLast(4), radix: 16)
        }.sorted()
    }

    // MARK: Writing (the store's writer thread)

    /// Seals what recovery found in full segments (the open one stays open).
    func sealRecovered(db: SQLiteDatabase) throws {
        for chunk in pendingRecovered { try store(chunk, db: db) }
        pendingRecovered = []
    }

    /// Writes the records, durably with `sync`, then makes them readable.
    func append(_ records: [LogRecord]) throws {
        guard !records.isEmpty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records.count * 700)
        var placed: [(Key, Int, Double, UInt64)] = []
        placed.reserveCapacity(records.count)
        for record in records {
            let sequence = nextSequence
            nextSequence &+= 1
            placed.append((Key(kind: record.kind, key: record.key), segment.end + bytes.count, record.time, sequence))
            LogCodec.encode(record, epoch: epoch, sequence: sequence, into: &bytes)
        }
        _ = try segment.append(bytes, sync: sync)
        lock.lock()
        for (key, offset, time, sequence) in placed { open.add(key, offset: offset, time: time, sequence: sequence) }
        open.endOffset = segment.end
        lock.unlock()
    }

    /// Seals the open chunk when it is due or its segment is full, and starts a new
    /// segment after a full one. Runs between batches, in a transaction of its own.
    func sealIfDue(now: Double, db: SQLiteDatabase, force: Bool = false) throws {
        let full = segment.end >= segmentBytes
        guard full || ((force || now - lastSeal >= sealSeconds) && open.records > 0) else { return }
        lastSeal = now
        let chunk = open
        if chunk.records > 0 { try store(chunk, db: db) }
        if full {
            segment = try LogSegment(directory: directory, number: segment.number + 1, end: 0, allocate: segmentBytes)
        }
        lock.lock()
        open = OpenChunk(segment: segment.number, offset: segment.end)
        lock.unlock()
    }

    /// A chunk's rows, in one transaction: the `log_chunks` row, then its index rows in key order.
    private func store(_ chunk: OpenChunk, db: SQLiteDatabase) throws {
        try db.run("BEGIN IMMEDIATE")
        do {
            try db.run(
                """
                INSERT INTO log_chunks(node, segment, first_offset, end_offset, first_time, last_time, frames, records, epoch, end_sequence)
                VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(node), .integer(chunk.segment), .integer(Int64(chunk.firstOffset)), .integer(Int64(chunk.endOffset)),
                    .real(chunk.records > 0 ? chunk.firstTime : 0), .real(chunk.records > 0 ? chunk.lastTime : 0),
                    .integer(Int64(chunk.frames)), .integer(Int64(chunk.records)), .integer(Int64(epoch)),
                    .integer(Int64(bitPattern: chunk.endSequence)),
                ])
            let id = db.lastInsertRowID
            for (key, entries) in chunk.index.sorted(by: { ($0.key.kind.rawValue, $0.key.key) < ($1.key.kind.rawValue, $1.key.key) }) {
                var blob: [UInt8] = []
                blob.reserveCapacity(entries.count * 12)
                for e in entries {
                    blob.put(e.offset)
                    blob.put(e.time.bitPattern)
                }
                try db.run(
                    "INSERT INTO log_index(chunk, kind, key, entries) VALUES(?, ?, ?, ?)",
                    [.integer(id), .integer(Int64(key.kind.rawValue)), .text(key.key), .blob(blob)])
            }
            try db.run("COMMIT")
        } catch {
            try? db.run("ROLLBACK")
            throw error
        }
    }

    // MARK: Reading (any thread, on the caller's connection)

    /// Where `key`'s records are, newest first: this node's unsealed ones, then every node's
    /// sealed chunks from the newest. Stops after `limit` records, and at chunks that ended
    /// before `since`; skips chunks that began after `until`.
    func locations(of key: Key, db: SQLiteDatabase, limit: Int = .max, since: Double? = nil, until: Double? = nil) throws -> [Location] {
        lock.lock()
        let memory = open
        lock.unlock()
        var found: [Location] = []
        for entry in (memory.index[key] ?? []).reversed() where found.count < limit {
            found.append(Location(node: node, segment: memory.segment, offset: Int(entry.offset), time: entry.time))
        }
        var before = Int64.max
        while found.count < limit {
            let chunks = try db.query(
                """
                SELECT id, node, segment, first_offset, first_time FROM log_chunks WHERE id < ? AND last_time >= ?
                ORDER BY id DESC LIMIT 256
                """, [.integer(before), .real(since ?? -Double.infinity)])
            for chunk in chunks where found.count < limit {
                guard let id = chunk.int(0), let chunkNode = chunk.string(1), let number = chunk.int(2) else { continue }
                before = id
                // The open chunk may have been sealed after the snapshot above: already counted.
                if chunkNode == node && number == memory.segment && Int(chunk.int(3) ?? -1) >= memory.firstOffset { continue }
                if let until, (chunk.double(4) ?? 0) > until { continue }
                guard let blob = try db.query(
                    "SELECT entries FROM log_index WHERE chunk = ? AND kind = ? AND key = ?",
                    [.integer(id), .integer(Int64(key.kind.rawValue)), .text(key.key)]
                ).first?.blob(0) else { continue }
                var reader = ByteReader(blob)
                var entries: [Location] = []
                while let offset = reader.u32(), let time = reader.f64() {
                    entries.append(Location(node: chunkNode, segment: number, offset: Int(offset), time: time))
                }
                for entry in entries.reversed() where found.count < limit { found.append(entry) }
            }
            if chunks.count < 256 { break }
        }
        return found
    }

    /// The record at a location; nil if none is there (a damaged or removed file).
    func read(_ location: Location) throws -> LogRecord? {
        let directory = location.node == node ? directory : Self.directory(root: root, node: location.node)
        return try readers.segment(directory: directory, number: location.segment).record(at: location.offset)?.record
    }

    /// Frames recorded: the sealed chunks' counts and the open chunk's.
    func frameCount(db: SQLiteDatabase) throws -> Int {
        lock.lock()
        let memory = open.frames
        lock.unlock()
        return Int(try db.query("SELECT coalesce(sum(frames), 0) FROM log_chunks").first?.int(0) ?? 0) + memory
    }
}

/// Read handles on segment files, opened on first use and kept (at most 64: every open
/// file is one fewer socket for piles).
private final class SegmentReaders: @unchecked Sendable {
    private let lock = NSLock()
    private var open: [String: LogFileReader] = [:]

    func segment(directory: String, number: Int64) throws -> LogFileReader {
        let path = directory + "/" + LogSegment.fileName(number)
        lock.lock()
        defer { lock.unlock() }
        if let reader = open[path] { return reader }
        if open.count >= 64 { open.removeAll() }
        let reader = try LogFileReader(path: path)
        open[path] = reader
        return reader
    }
}
