import Foundation
import Logging
import OCPP
@testable import SessionStore
import XCTest

/// The record log that holds frames and samples (issue 15): its encoding against any
/// bytes, recovery after a crash or a torn write, and reads across seals, segments and nodes.
final class RecordLogTests: XCTestCase {
    private var folder: URL!
    private var logger = Logger(label: "test")

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        logger.logLevel = .critical
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func frame(_ pile: String, _ n: Int, at time: Double = 1_800_000_000, text: String? = nil) -> FrameRecord {
        FrameRecord(
            time: Date(timeIntervalSince1970: time + Double(n)), direction: n % 2 == 0 ? .incoming : .outgoing, chargePointId: pile,
            messageType: n % 2 == 0 ? 2 : 3, messageId: "m\(n)", action: n % 2 == 0 ? "MeterValues" : nil,
            text: text ?? "[2,\"m\(n)\",\"MeterValues\",{\"n\":\(n)}]", latencyMs: n % 2 == 0 ? nil : 1.5)
    }

    func testRecordsRoundTripAndNoBytesDecodeToARecordTheyAreNot() throws {
        var random = SeededRandom(seed: 15)
        for n in 0..<300 {
            let record: LogRecord
            if n % 3 == 0 {
                let samples = (0..<Int(random.next() % 6)).map { i in
                    SampleRecord(
                        time: Date(timeIntervalSince1970: Double(random.next() % 2_000_000_000)), measurand: "M\(i)",
                        value: Double(bitPattern: random.next()), unit: i % 2 == 0 ? "Wh" : nil, phase: i == 3 ? "L1" : nil,
                        location: nil, context: "Sample.Periodic")
                }
                record = .samples(SessionSamples(
                    sessionId: Int64(bitPattern: random.next()), chargePointId: "CP-\(n)", connectorId: n % 4,
                    receivedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(n)), samples: samples))
            } else {
                let text = String((0..<Int(random.next() % 900)).map { _ in Character(UnicodeScalar(UInt8(32 + random.next() % 90))) }) + "é中"
                record = .frame(frame("CP-\(n)", n, text: text))
            }
            var bytes: [UInt8] = []
            LogCodec.encode(record, epoch: 7, sequence: UInt64(n), into: &bytes)
            let header = bytes.prefix(LogCodec.headerBytes)
            let decoded = LogCodec.decode(header: header, body: Array(bytes.dropFirst(LogCodec.headerBytes)))
            // NaN values compare unequal: compare what was written by its bytes.
            var again: [UInt8] = []
            if let decoded { LogCodec.encode(decoded.record, epoch: decoded.epoch, sequence: decoded.sequence, into: &again) }
            XCTAssertEqual(again, bytes, "record \(n) did not round-trip")
            // Any flipped byte, any cut: refused, never trapped on.
            var damaged = bytes
            let at = Int(random.next() % UInt64(damaged.count))
            damaged[at] ^= UInt8(1 + random.next() % 255)
            XCTAssertNil(LogCodec.decode(header: damaged.prefix(LogCodec.headerBytes), body: Array(damaged.dropFirst(LogCodec.headerBytes))))
            let cut = Int(random.next() % UInt64(bytes.count))
            XCTAssertNil(LogCodec.decode(header: bytes.prefix(min(cut, LogCodec.headerBytes)), body: Array(bytes.dropFirst(LogCodec.headerBytes).prefix(max(0, cut - 8)))))
        }
        // Bodies that pass the CRC but hold nonsense (lengths past the end, unknown kinds).
        for _ in 0..<2_000 {
            var body = (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if body.count > 12 { body[12] = UInt8(1 + random.next() % 2) }
            var header: [UInt8] = []
            header.put(UInt32(body.count))
            header.put(CRC32.checksum(body))
            _ = LogCodec.decode(header: header, body: body)
        }
    }

    func testACrashLosesNothingWrittenAndATornTailIsNeverReadBack() async throws {
        let path = folder.appendingPathComponent("store.sqlite").path
        do {
            let store = try SQLiteSessionStore(path: path, durability: .full, logSealSeconds: 3600, logger: logger)
            for n in 0..<50 { store.append(frame: frame("CP-1", n)) }
            try await store.flush()
            // No close: what a SIGKILL leaves (the unsealed records), then torn bytes behind them.
            // (The store's idle writer thread stays behind until the test process ends.)
            store.log.release()
        }
        let segment = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: path + "-log/default").first { $0.hasSuffix(".seg") })
        let file = try XCTUnwrap(FileHandle(forUpdatingAtPath: path + "-log/default/" + segment))
        let written = try logEnd(path + "-log/default/" + segment)
        // Half a record, then a whole valid-looking one an earlier writer might have left.
        var leftover: [UInt8] = []
        LogCodec.encode(.frame(frame("CP-1", 999)), epoch: 1, sequence: 51, into: &leftover)
        var torn: [UInt8] = []
        LogCodec.encode(.frame(frame("CP-1", 998)), epoch: 1, sequence: 50, into: &torn)
        try file.seek(toOffset: UInt64(written))
        file.write(Data(torn.prefix(torn.count / 2)))
        file.write(Data(leftover))
        try file.close()

        let reopened = try SQLiteSessionStore(path: path, durability: .full, logSealSeconds: 3600, logger: logger)
        var frames = try await reopened.frames(chargePointId: "CP-1", limit: 1_000)
        XCTAssertEqual(frames.map(\.messageId), (0..<50).map { "m\($0)" }, "every written frame back, nothing torn or left over")
        // Writing on over the torn bytes; a second crash; everything still in order.
        for n in 50..<52 { reopened.append(frame: frame("CP-1", n)) }
        try await reopened.flush()
        reopened.log.release()
        let third = try SQLiteSessionStore(path: path, durability: .full, logger: logger)
        frames = try await third.frames(chargePointId: "CP-1", limit: 1_000)
        XCTAssertEqual(frames.map(\.messageId), (0..<52).map { "m\($0)" })
        let count = try await third.frameCount()
        XCTAssertEqual(count, 52)
        try await third.close()
    }

    func testReadsAcrossSealsSegmentsAndNodesFindEachPilesFramesAndEachSessionsSamples() async throws {
        let path = folder.appendingPathComponent("shared.sqlite").path
        // Tiny segments and a seal after every batch: many chunks and files.
        let one = try SQLiteSessionStore(path: path, durability: .normal, node: "gw-1", logSegmentBytes: 1 << 16, logSealSeconds: 0, logger: logger)
        let two = try SQLiteSessionStore(path: path, durability: .normal, node: "gw-2", logSegmentBytes: 1 << 16, logSealSeconds: 0, logger: logger)
        let padding = String(repeating: "p", count: 700)
        for n in 0..<400 {
            one.append(frame: frame("CP-A", n, text: "[2,\"m\(n)\",\"MeterValues\",{\"pad\":\"\(padding)\"}]"))
            two.append(frame: frame("CP-B", n))
            if n % 37 == 0 {
                try await one.flush()
                try await two.flush()
            }
        }
        let start = try await one.write(
            .startSession(
                SessionStart(
                    chargePointId: "CP-A", connectorId: 1, idTag: "T", meterStartWh: 0, startTime: Date(), reservationId: nil,
                    authorizationStatus: "Accepted", ocppVersion: "1.6", receivedAt: Date())))
        guard case .sessionStarted(let session, _) = start else { return XCTFail("\(start)") }
        for minute in 1...30 {
            _ = try await one.write(
                .meterSamples(
                    MeterSampleBatch(
                        chargePointId: "CP-A", connectorId: 1, transactionId: session,
                        samples: [SampleRecord(time: Date(timeIntervalSince1970: 1_800_000_000 + Double(minute * 60)), measurand: "Energy.Active.Import.Register", value: Double(minute * 1_000), unit: "Wh")])),
                frame: frame("CP-A", 1_000 + minute))
        }
        try await one.flush()
        try await two.flush()
        XCTAssertGreaterThan(try FileManager.default.contentsOfDirectory(atPath: path + "-log/gw-1").filter { $0.hasSuffix(".seg") }.count, 3)

        for store in [one, two] {
            let a = try await store.frames(chargePointId: "CP-A", limit: 1_000)
            XCTAssertEqual(a.map(\.messageId), (0..<400).map { "m\($0)" } + (1...30).map { "m\(1_000 + $0)" })
            let newest = try await store.frames(chargePointId: "CP-B", limit: 7)
            XCTAssertEqual(newest.map(\.messageId), (393..<400).map { "m\($0)" })
            let byId = try await store.frames(chargePointId: "CP-B", messageId: "m17")
            XCTAssertEqual(byId.map(\.text), [frame("CP-B", 17).text])
            let samples = try await store.samples(sessionId: session)
            XCTAssertEqual(samples.map(\.value), (1...30).map { Double($0 * 1_000) })
            let latest = try await store.latestSamples(sessionIds: [session])
            XCTAssertEqual(latest[session]?.map(\.value), [30_000])
            let count = try await store.frameCount()
            XCTAssertEqual(count, 830)
        }
        // A stop without a final register takes the highest logged reading (on the other node).
        var stop = SessionStop(
            chargePointId: "CP-A", transactionId: session, meterStopWh: 0, stopTime: Date(), reason: "Local", idTag: nil, samples: [],
            receivedAt: Date())
        stop.meterStopFromReadings = true
        let stopped = try await two.write(.stopSession(stop))
        XCTAssertEqual(stopped, .sessionStopped(.stopped(id: session, meterStartWh: 0)))
        let detail = try await one.session(id: session)
        XCTAssertEqual(detail?.session.meterStopWh, 30_000)
        try await one.close()
        try await two.close()
    }

    func testALogLeftByADeletedDatabaseIsSetAsideNotReadAsThisOnes() async throws {
        let path = folder.appendingPathComponent("store.sqlite").path
        let old = try SQLiteSessionStore(path: path, durability: .normal, logger: logger)
        for n in 0..<5 { old.append(frame: frame("CP-1", n)) }
        try await old.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let fresh = try SQLiteSessionStore(path: path, durability: .normal, logger: logger)
        let frames = try await fresh.frames(chargePointId: "CP-1", limit: 100)
        XCTAssertEqual(frames.count, 0, "the new database must not adopt the old one's records")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        XCTAssertTrue(names.contains { $0.hasPrefix("store.sqlite-log.orphaned-") }, "\(names)")
        try await fresh.close()
    }

    /// Where a segment's valid records end, found as recovery finds it.
    private func logEnd(_ path: String) throws -> Int {
        let reader = try LogFileReader(path: path)
        var offset = 0
        while let record = try reader.record(at: offset) {
            var bytes: [UInt8] = []
            LogCodec.encode(record.record, epoch: record.epoch, sequence: record.sequence, into: &bytes)
            offset += bytes.count
        }
        return offset
    }
}
