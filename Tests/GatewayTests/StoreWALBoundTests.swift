import Foundation
import Logging
@testable import SessionStore
import XCTest

/// Under steady writes SQLite never starts its WAL over by itself (the PASSIVE checkpoints
/// beside the writer never find every frame copied), so the WAL file only grew: 397 MB after
/// 60 s at 300 msg/s (issue 15). The store's writer bounds it (WALBound).
final class StoreWALBoundTests: XCTestCase {
    private let limit: Int64 = 256 * 1024
    private let batches = 400
    private let findingsPerBatch = 8

    func testWALStaysWithinItsLimitUnderSustainedWritesAndKeepsEveryRow() async throws {
        // The same writes without a bound, to show they are enough to pass it many times over.
        let unbounded = try await write(walLimitBytes: nil)
        XCTAssertGreaterThan(unbounded.largestWAL, 4 * limit, "too few writes to show the bound")

        let bounded = try await write(walLimitBytes: limit)
        // The commit that crosses the limit lands whole before the writer starts the WAL over.
        XCTAssertLessThanOrEqual(bounded.largestWAL, 2 * limit, "the WAL passed its bound")
        XCTAssertGreaterThan(bounded.restarts, 0, "the WAL never started over")
        XCTAssertEqual(bounded.findingsReadBack, batches * findingsPerBatch, "findings lost across WAL restarts")
    }

    private struct Outcome {
        var largestWAL: Int64
        /// Times the WAL file was seen shorter than after the write before.
        var restarts: Int
        var findingsReadBack: Int
    }

    /// `batches` flushed batches of ~1 KB findings on one pile (rows of the SQLite file; frames are in the record log); the WAL's file size is read
    /// after each. The commit window is 0, so each flush is its own commit.
    private func write(walLimitBytes: Int64?) async throws -> Outcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-wal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let path = folder.appendingPathComponent("store.sqlite").path
        let store = try SQLiteSessionStore(path: path, durability: .normal, commitWindow: 0, walLimitBytes: walLimitBytes, logger: logger)
        let payload = String(repeating: "x", count: 1000)
        var outcome = Outcome(largestWAL: 0, restarts: 0, findingsReadBack: 0)
        var previous: Int64 = 0
        for batch in 0..<batches {
            for i in 0..<findingsPerBatch {
                store.submit(
                    .none, frame: nil,
                    findings: [
                        FindingRecord(
                            rule: "test.wal", severity: "info", chargePointId: "CP-WAL", messageId: "\(batch)-\(i)", detail: payload,
                            time: Date())
                    ], completion: { _ in })
            }
            try await store.flush()
            let size = walSize(path + "-wal")
            outcome.largestWAL = max(outcome.largestWAL, size)
            if size < previous { outcome.restarts += 1 }
            previous = size
        }
        outcome.findingsReadBack = try await store.findings(chargePointId: "CP-WAL", limit: 100_000).count
        try await store.close()
        return outcome
    }

    private func walSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
