import CDirectIO
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

struct LogError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }

    static func posix(_ what: String, _ path: String) -> LogError {
        LogError("\(what) \(path): \(String(cString: strerror(errno)))")
    }
}

/// One file of the record log, `<number>.seg`, appended to by the writer only.
///
/// Why O_DIRECT: a buffered append followed by fdatasync writes back the whole 4 KiB page
/// it touched, so every group commit of a few hundred bytes cost a page or two, and the
/// next one wrote the same page again. Written directly in 512-byte sectors, a commit
/// costs its bytes plus the part of the last sector already written (measured here:
/// ~1.4 KB per 860-byte commit against ~5 KB buffered). The file is allocated up front,
/// so a commit changes no file size and fdatasync has no metadata to write. Where the
/// file system refuses O_DIRECT (tmpfs), the segment is written buffered.
final class LogSegment: @unchecked Sendable {
    let number: Int64
    let path: String
    /// Where the next record goes: everything before it is valid records.
    private(set) var end: Int
    private let writeFD: Int32
    private let reader: LogFileReader
    private var sector: Int
    private var direct: Bool
    /// The bytes of the partly written last sector, rewritten with the next append.
    private var tail: [UInt8] = []
    private var buffer: UnsafeMutableRawPointer?
    private var bufferCapacity = 0

    static func fileName(_ number: Int64) -> String { String(format: "%016llx.seg", number) }

    /// Opens (creating and allocating it if needed) a segment whose valid records end at `end`.
    init(directory: String, number: Int64, end: Int, allocate: Int) throws {
        self.number = number
        path = directory + "/" + Self.fileName(number)
        self.end = end
        var fd = open(path, O_RDWR | O_CREAT | pilegate_o_direct(), 0o644)
        direct = fd >= 0
        if fd < 0 { fd = open(path, O_RDWR | O_CREAT, 0o644) }
        guard fd >= 0 else { throw LogError.posix("cannot open", path) }
        writeFD = fd
        sector = direct ? 512 : 1
        do {
            reader = try LogFileReader(path: path)
        } catch {
            close(fd)
            throw error
        }
        var info = stat()
        if fstat(fd, &info) == 0, Int(info.st_size) < allocate {
            // Best effort: without it appends still work, each one also growing the file.
            _ = posix_fallocate(fd, 0, off_t(allocate))
        }
        try loadTail()
    }

    deinit {
        close(writeFD)
        buffer.map { free($0) }
    }

    private func loadTail() throws {
        let keep = sector > 1 ? end % sector : 0
        tail = keep > 0 ? try readBytes(at: end - keep, count: keep) : []
        guard tail.count == keep else { throw LogError("\(path): short read at \(end - keep)") }
    }

    /// Appends whole records and, with `sync`, makes them durable before returning.
    /// Returns the offset the first of them starts at.
    func append(_ bytes: [UInt8], sync: Bool) throws -> Int {
        let start = end
        if direct {
            if try !writeDirect(bytes) {
                // A device with 4 KiB logical sectors: align to those instead.
                sector = 4096
                try loadTail()
                guard try writeDirect(bytes) else { throw LogError.posix("cannot write", path) }
            }
        } else {
            try writeAll(bytes, at: start)
        }
        if sync && fdatasync(writeFD) != 0 { throw LogError.posix("cannot sync", path) }
        end = start + bytes.count
        let keep = sector > 1 ? end % sector : 0
        if keep > 0 {
            let joined = tail + bytes
            tail = Array(joined.suffix(keep))
        } else {
            tail = []
        }
        return start
    }

    /// The partly written last sector and the new bytes, padded to whole sectors, from
    /// an aligned buffer. False: the device wants larger sectors (EINVAL at 512).
    private func writeDirect(_ bytes: [UInt8]) throws -> Bool {
        let length = tail.count + bytes.count
        let padded = (length + sector - 1) / sector * sector
        if padded > bufferCapacity {
            buffer.map { free($0) }
            buffer = nil
            var pointer: UnsafeMutableRawPointer?
            let capacity = max(padded, 64 << 10)
            guard posix_memalign(&pointer, 4096, capacity) == 0, let pointer else { throw LogError("out of memory for \(path)") }
            buffer = pointer
            bufferCapacity = capacity
        }
        guard let buffer else { throw LogError("no buffer for \(path)") }
        tail.withUnsafeBytes { if let base = $0.baseAddress { buffer.copyMemory(from: base, byteCount: $0.count) } }
        bytes.withUnsafeBytes { if let base = $0.baseAddress { (buffer + tail.count).copyMemory(from: base, byteCount: $0.count) } }
        memset(buffer + length, 0, padded - length)
        var done = 0
        let offset = end - tail.count
        while done < padded {
            let n = pwrite(writeFD, buffer + done, padded - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EINVAL && sector < 4096 && done == 0 { return false }
            guard n > 0 else { throw LogError.posix("cannot write", path) }
            done += n
        }
        return true
    }

    private func writeAll(_ bytes: [UInt8], at offset: Int) throws {
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var done = 0
            while done < raw.count {
                let n = pwrite(writeFD, base + done, raw.count - done, off_t(offset + done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw LogError.posix("cannot write", path) }
                done += n
            }
        }
    }

    func readBytes(at offset: Int, count: Int) throws -> [UInt8] { try reader.readBytes(at: offset, count: count) }

    /// The valid records from `offset` on, in order, stopping at the first that is not a
    /// record, that does not follow the one before (sequence) or that an earlier writer
    /// left (epoch). Sets `end` after the last.
    func scan(from offset: Int, after previous: (epoch: UInt32, sequence: UInt64)?) throws -> [(offset: Int, decoded: LogCodec.Decoded)] {
        var found: [(offset: Int, decoded: LogCodec.Decoded)] = []
        var position = offset
        var last = previous
        var window: [UInt8] = []
        var windowStart = offset
        let chunk = 1 << 20
        while true {
            // Keep at least one header in the window, reading on in 1 MiB steps.
            func ensure(_ count: Int) throws -> Bool {
                let have = windowStart + window.count - position
                if have >= count { return true }
                let more = try readBytes(at: windowStart + window.count, count: max(chunk, count - have))
                if more.isEmpty { return false }
                window.removeFirst(position - windowStart)
                windowStart = position
                window += more
                return windowStart + window.count - position >= count
            }
            guard try ensure(LogCodec.headerBytes) else { break }
            let at = position - windowStart
            guard let length = LogCodec.bodyLength(header: window[at..<(at + LogCodec.headerBytes)]) else { break }
            guard try ensure(LogCodec.headerBytes + length) else { break }
            let base = position - windowStart
            let body = Array(window[(base + LogCodec.headerBytes)..<(base + LogCodec.headerBytes + length)])
            guard let decoded = LogCodec.decode(header: window[base..<(base + LogCodec.headerBytes)], body: body) else { break }
            if let last, decoded.epoch < last.epoch || decoded.sequence != last.sequence &+ 1 { break }
            found.append((position, decoded))
            last = (decoded.epoch, decoded.sequence)
            position += LogCodec.headerBytes + length
        }
        end = position
        try loadTail()
        return found
    }
}

/// Reads records of a segment file (buffered; the writer's direct writes invalidate what
/// the page cache held of the sectors they wrote).
final class LogFileReader: @unchecked Sendable {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw LogError.posix("cannot open", path) }
    }

    deinit { close(fd) }

    func readBytes(at offset: Int, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        try bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            while done < count {
                let n = pread(fd, base + done, count - done, off_t(offset + done))
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { throw LogError.posix("cannot read", path) }
                if n == 0 { break }
                done += n
            }
        }
        return Array(bytes.prefix(done))
    }

    /// The record at `offset`, if a valid one starts there.
    func record(at offset: Int) throws -> LogCodec.Decoded? {
        guard offset >= 0 else { return nil }
        let first = try readBytes(at: offset, count: 1024)
        guard let length = LogCodec.bodyLength(header: first) else { return nil }
        let total = LogCodec.headerBytes + length
        var bytes = first
        if bytes.count < total { bytes += try readBytes(at: offset + bytes.count, count: total - bytes.count) }
        guard bytes.count >= total else { return nil }
        return LogCodec.decode(header: bytes.prefix(LogCodec.headerBytes), body: Array(bytes[LogCodec.headerBytes..<total]))
    }

}
