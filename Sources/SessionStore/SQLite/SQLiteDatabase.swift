import CSQLite
import Foundation

/// An SQLite failure, with the statement that caused it.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public let sql: String?

    public var description: String {
        "SQLite error \(code): \(message)" + (sql.map { " in \"\($0.prefix(120))\"" } ?? "")
    }
}

/// A value bound to or read from a statement.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// One connection to an SQLite database, used by one thread at a time.
///
/// A thin layer over the C API rather than a package: the store's writer keeps its
/// prepared statements for the life of the process and steps them inside one
/// transaction per batch, which is what makes recording every frame affordable
/// (see docs/benchmarks.md). Statements are cached by their SQL text.
public final class SQLiteDatabase {
    private var handle: OpaquePointer?
    private var statements: [String: SQLiteStatement] = [:]
    /// Where SQLite's WAL hook writes the WAL's length after each commit (`watchWALLength`).
    private var walLength: UnsafeMutablePointer<Int32>?
    public let path: String
    /// How long a statement waits for another connection's lock before it fails.
    static let busyTimeoutMilliseconds: Int32 = 10_000

    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let result = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard result == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            throw SQLiteError(code: result, message: "\(message) (\(path))", sql: nil)
        }
        sqlite3_extended_result_codes(handle, 1)
        // Other gateway processes may share the file; wait for their write lock rather than fail.
        sqlite3_busy_timeout(handle, Self.busyTimeoutMilliseconds)
    }

    deinit {
        for statement in statements.values { statement.finalize() }
        if walLength != nil { sqlite3_wal_hook(handle, nil, nil) }
        sqlite3_close_v2(handle)
        walLength?.deallocate()
    }

    func error(_ code: Int32, _ sql: String?) -> SQLiteError {
        SQLiteError(code: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    /// Runs SQL that returns no rows (several statements allowed).
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(handle, sql, nil, nil, &message)
        if result != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw SQLiteError(code: result, message: text, sql: sql)
        }
    }

    /// A prepared statement, reset and ready for new bindings; cached by `sql`, for good:
    /// bind values, never write them into `sql`, or every distinct value is one more
    /// statement kept (a few KiB each).
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var pointer: OpaquePointer?
        let result = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard result == SQLITE_OK, let pointer else { throw error(result, sql) }
        let statement = SQLiteStatement(pointer: pointer, database: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Runs one statement with bindings, discarding rows.
    public func run(_ sql: String, _ values: [SQLiteValue] = []) throws {
        let statement = try prepare(sql)
        try statement.bind(values)
        while try statement.step() {}
    }

    /// Runs one statement and returns every row.
    public func query(_ sql: String, _ values: [SQLiteValue] = []) throws -> [SQLiteRow] {
        let statement = try prepare(sql)
        try statement.bind(values)
        var rows: [SQLiteRow] = []
        while try statement.step() { rows.append(statement.row()) }
        return rows
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Statements in the cache (a test checks it stays bounded).
    var cachedStatementCount: Int { statements.count }

    /// Has SQLite report the WAL's length after every commit on this connection, so the
    /// store's writer can bound the WAL without a system call per batch. The hook replaces
    /// SQLite's automatic checkpoints on this connection (the store turns those off anyway).
    func watchWALLength() {
        guard walLength == nil else { return }
        let length = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        length.initialize(to: 0)
        walLength = length
        sqlite3_wal_hook(
            handle,
            { context, _, _, frames in
                context?.assumingMemoryBound(to: Int32.self).pointee = frames
                return SQLITE_OK
            }, length)
    }

    /// Frames in the WAL after this connection's last commit (0 until `watchWALLength`).
    var walFrames: Int32 { walLength?.pointee ?? 0 }

    /// A checkpoint in `mode` (`SQLITE_CHECKPOINT_RESTART` …) that waits at most
    /// `busyMilliseconds` for other connections; false when they kept it from finishing
    /// (SQLite then copied what it could without waiting, as a PASSIVE checkpoint does).
    func checkpoint(mode: Int32, busyMilliseconds: Int32) throws -> Bool {
        sqlite3_busy_timeout(handle, busyMilliseconds)
        defer { sqlite3_busy_timeout(handle, Self.busyTimeoutMilliseconds) }
        let result = sqlite3_wal_checkpoint_v2(handle, nil, mode, nil, nil)
        if result == SQLITE_OK { return true }
        if result & 0xFF == SQLITE_BUSY { return false }
        throw error(result, "wal_checkpoint")
    }

}

/// A compiled statement owned by its database's cache.
public final class SQLiteStatement {
    let pointer: OpaquePointer
    unowned let database: SQLiteDatabase
    let sql: String

    init(pointer: OpaquePointer, database: SQLiteDatabase, sql: String) {
        self.pointer = pointer
        self.database = database
        self.sql = sql
    }

    func finalize() { sqlite3_finalize(pointer) }

    func reset() {
        sqlite3_reset(pointer)
        sqlite3_clear_bindings(pointer)
    }

    public func bind(_ values: [SQLiteValue]) throws {
        for (index, value) in values.enumerated() {
            try bind(value, at: Int32(index + 1))
        }
    }

    public func bind(_ value: SQLiteValue, at index: Int32) throws {
        let result: Int32
        switch value {
        case .null: result = sqlite3_bind_null(pointer, index)
        case .integer(let i): result = sqlite3_bind_int64(pointer, index, i)
        case .real(let d): result = sqlite3_bind_double(pointer, index, d)
        case .text(let s): result = sqlite3_bind_text(pointer, index, s, -1, SQLITE_TRANSIENT)
        case .blob(let b): result = b.withUnsafeBytes { sqlite3_bind_blob(pointer, index, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
        }
        guard result == SQLITE_OK else { throw database.error(result, sql) }
    }

    /// Advances to the next row; false when done.
    public func step() throws -> Bool {
        switch sqlite3_step(pointer) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw database.error(code, sql)
        }
    }

    public func row() -> SQLiteRow {
        let count = sqlite3_column_count(pointer)
        var values: [SQLiteValue] = []
        values.reserveCapacity(Int(count))
        for column in 0..<count {
            switch sqlite3_column_type(pointer, column) {
            case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(pointer, column)))
            case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(pointer, column)))
            case SQLITE_TEXT:
                values.append(.text(sqlite3_column_text(pointer, column).map { String(cString: $0) } ?? ""))
            case SQLITE_BLOB:
                let bytes = sqlite3_column_blob(pointer, column)
                let length = Int(sqlite3_column_bytes(pointer, column))
                let raw = bytes.map { UnsafeRawBufferPointer(start: $0, count: length) }
                values.append(.blob(raw.map { Array($0) } ?? []))
            default: values.append(.null)
            }
        }
        return SQLiteRow(values: values)
    }
}

/// SQLite's "copy the bytes now" destructor, which Swift cannot import as a macro.
private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One result row, read by column index.
public struct SQLiteRow: Sendable {
    public let values: [SQLiteValue]

    public subscript(_ index: Int) -> SQLiteValue { index < values.count ? values[index] : .null }

    public func int(_ index: Int) -> Int64? {
        switch self[index] {
        case .integer(let i): i
        case .real(let d): Int64(exactly: d.rounded())
        default: nil
        }
    }

    public func double(_ index: Int) -> Double? {
        switch self[index] {
        case .integer(let i): Double(i)
        case .real(let d): d
        default: nil
        }
    }

    public func string(_ index: Int) -> String? {
        switch self[index] {
        case .text(let s): s
        case .blob(let b): String(decoding: b, as: UTF8.self)
        default: nil
        }
    }

    public func blob(_ index: Int) -> [UInt8]? {
        switch self[index] {
        case .blob(let b): b
        case .text(let s): Array(s.utf8)
        default: nil
        }
    }

    public func date(_ index: Int) -> Date? { double(index).map { Date(timeIntervalSince1970: $0) } }
}

extension SQLiteValue {
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    public init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    public init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }
    public init(_ value: Double?) { self = value.map { .real($0) } ?? .null }
    public init(_ value: Date?) { self = value.map { .real($0.timeIntervalSince1970) } ?? .null }
    public init(_ value: Bool) { self = .integer(value ? 1 : 0) }
}
