import Foundation

/// One entry of the record log: a frame of either direction, or the meter samples a
/// MeterValues (or a stop's transaction data) gave one session.
enum LogRecord: Sendable, Equatable {
    case frame(FrameRecord)
    case samples(SessionSamples)

    /// Which index a record is found by: frames by pile, samples by session.
    enum Kind: UInt8, Sendable {
        case frame = 1, samples = 2
    }

    var kind: Kind {
        switch self {
        case .frame: .frame
        case .samples: .samples
        }
    }

    /// The index key: the pile's id for a frame, the session's id for samples.
    var key: String {
        switch self {
        case .frame(let f): f.chargePointId
        case .samples(let s): String(s.sessionId)
        }
    }

    /// When the gateway recorded it (a frame's receive or send time, samples' receipt).
    var time: Double {
        switch self {
        case .frame(let f): f.time.timeIntervalSince1970
        case .samples(let s): s.receivedAt.timeIntervalSince1970
        }
    }
}

/// The readings stored for a session by one message.
struct SessionSamples: Sendable, Equatable {
    var sessionId: Int64
    var chargePointId: String
    var connectorId: Int
    var receivedAt: Date
    var samples: [SampleRecord]
}

/// The record's bytes on disk: `length u32 | crc32 u32 | body`, little-endian, where the
/// CRC covers the body and the body starts with the writer's epoch and a sequence number
/// one past the record before. Recovery stops at the first record that fails any of it
/// (`LogSegment.scan`), so a torn write, or the leftovers of one behind a shorter later
/// write, is never read as a record.
enum LogCodec {
    static let headerBytes = 8
    /// No frame the transport accepts comes near this; anything larger is not a record.
    static let maxBodyBytes = 16 << 20

    static func encode(_ record: LogRecord, epoch: UInt32, sequence: UInt64, into out: inout [UInt8]) {
        var body: [UInt8] = []
        body.reserveCapacity(64 + (record.frameText?.utf8.count ?? 256))
        body.put(epoch)
        body.put(sequence)
        body.append(record.kind.rawValue)
        body.put(record.time.bitPattern)
        switch record {
        case .frame(let f):
            body.append(f.direction.code)
            body.put(UInt32(truncatingIfNeeded: f.messageType))
            body.put((f.latencyMs ?? .nan).bitPattern)
            body.putString(f.chargePointId)
            body.putString(f.messageId)
            body.putString(f.action)
            // A record past `maxBodyBytes` would stop every later read and recovery at it.
            let room = maxBodyBytes - body.count - 8
            body.putString(f.text.utf8.count <= room ? f.text : String(decoding: f.text.utf8.prefix(max(0, room)), as: UTF8.self))
        case .samples(let s):
            body.put(UInt64(bitPattern: s.sessionId))
            body.putString(s.chargePointId)
            body.put(UInt32(truncatingIfNeeded: s.connectorId))
            body.put(UInt32(truncatingIfNeeded: s.samples.count))
            for sample in s.samples {
                body.put(sample.time.timeIntervalSince1970.bitPattern)
                body.putString(sample.measurand)
                body.put(sample.value.bitPattern)
                body.putString(sample.unit)
                body.putString(sample.phase)
                body.putString(sample.location)
                body.putString(sample.context)
            }
        }
        out.put(UInt32(truncatingIfNeeded: body.count))
        out.put(CRC32.checksum(body))
        out.append(contentsOf: body)
    }

    /// A record's body, checked: nil for anything that is not one.
    struct Decoded {
        var epoch: UInt32
        var sequence: UInt64
        var record: LogRecord
    }

    /// The body's length from a header, if it is plausible.
    static func bodyLength(header: some Collection<UInt8>) -> Int? {
        var reader = ByteReader(Array(header.prefix(headerBytes)))
        guard let length = reader.u32(), length > 0, Int(length) <= maxBodyBytes else { return nil }
        return Int(length)
    }

    static func decode(header: some Collection<UInt8>, body: [UInt8]) -> Decoded? {
        var head = ByteReader(Array(header.prefix(headerBytes)))
        guard let length = head.u32(), Int(length) == body.count, let crc = head.u32(), crc == CRC32.checksum(body) else {
            return nil
        }
        var r = ByteReader(body)
        guard let epoch = r.u32(), let sequence = r.u64(), let kindCode = r.u8(), let kind = LogRecord.Kind(rawValue: kindCode),
            let time = r.f64()
        else { return nil }
        switch kind {
        case .frame:
            guard let directionCode = r.u8(), let direction = FrameRecord.Direction(code: directionCode), let type = r.u32(),
                let latency = r.f64(), let pile = r.string(), let messageId = r.optionalString(), let action = r.optionalString(),
                let text = r.string()
            else { return nil }
            let frame = FrameRecord(
                time: Date(timeIntervalSince1970: time), direction: direction, chargePointId: pile, messageType: Int(type),
                messageId: messageId, action: action, text: text, latencyMs: latency.isNaN ? nil : latency)
            return Decoded(epoch: epoch, sequence: sequence, record: .frame(frame))
        case .samples:
            guard let session = r.u64(), let pile = r.string(), let connector = r.u32(), let count = r.u32(),
                Int(count) <= body.count / 8
            else { return nil }
            var samples: [SampleRecord] = []
            samples.reserveCapacity(Int(count))
            for _ in 0..<count {
                guard let at = r.f64(), let measurand = r.string(), let value = r.f64(), let unit = r.optionalString(),
                    let phase = r.optionalString(), let location = r.optionalString(), let context = r.optionalString()
                else { return nil }
                samples.append(
                    SampleRecord(
                        time: Date(timeIntervalSince1970: at), measurand: measurand, value: value, unit: unit, phase: phase,
                        location: location, context: context))
            }
            let batch = SessionSamples(
                sessionId: Int64(bitPattern: session), chargePointId: pile, connectorId: Int(Int32(bitPattern: connector)),
                receivedAt: Date(timeIntervalSince1970: time), samples: samples)
            return Decoded(epoch: epoch, sequence: sequence, record: .samples(batch))
        }
    }
}

extension LogRecord {
    fileprivate var frameText: String? {
        if case .frame(let f) = self { return f.text }
        return nil
    }
}

extension FrameRecord.Direction {
    fileprivate var code: UInt8 {
        switch self {
        case .incoming: 1
        case .outgoing: 2
        case .toUpstream: 3
        case .fromUpstream: 4
        }
    }

    fileprivate init?(code: UInt8) {
        switch code {
        case 1: self = .incoming
        case 2: self = .outgoing
        case 3: self = .toUpstream
        case 4: self = .fromUpstream
        default: return nil
        }
    }
}

extension [UInt8] {
    mutating func put<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// u32 length and UTF-8 bytes; length 0xFFFFFFFF for nil.
    fileprivate mutating func putString(_ value: String?) {
        guard let value else { return put(UInt32.max) }
        let utf8 = value.utf8
        put(UInt32(truncatingIfNeeded: utf8.count))
        append(contentsOf: utf8)
    }
}

/// Reads little-endian values from bytes that may be anything: every read is bounds-checked.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    private mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, count <= bytes.count - position else { return nil }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    private mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
        guard let slice = take(MemoryLayout<T>.size) else { return nil }
        var value: T = 0
        for (shift, byte) in slice.enumerated() { value |= T(byte) << (8 * shift) }
        return value
    }

    mutating func u8() -> UInt8? { take(1)?.first }
    mutating func u32() -> UInt32? { integer(UInt32.self) }
    mutating func u64() -> UInt64? { integer(UInt64.self) }
    mutating func f64() -> Double? { u64().map(Double.init(bitPattern:)) }

    mutating func string() -> String? {
        guard let length = u32(), length != .max, let slice = take(Int(length)) else { return nil }
        return String(decoding: slice, as: UTF8.self)
    }

    /// nil inside: the value was nil; nil outside: the bytes are not a string.
    mutating func optionalString() -> String?? {
        guard let length = u32() else { return nil }
        if length == .max { return .some(nil) }
        guard let slice = take(Int(length)) else { return nil }
        return .some(String(decoding: slice, as: UTF8.self))
    }
}

/// CRC-32 (IEEE), table-driven.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            for byte in bytes { crc = t[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
