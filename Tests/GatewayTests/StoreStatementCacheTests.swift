import Foundation
import Logging
@testable import SessionStore
import XCTest

/// The store's writer keeps one prepared statement per distinct SQL text for the life of
/// the process. A command that wrote its values into the text grew that cache with every
/// call: the abandonment run at each transaction start (`keeping: [id]`) cost ~3 KiB per
/// start, the 1.6 memory-per-connection regression of docs/benchmarks.md.
final class StoreStatementCacheTests: XCTestCase {
    func testStartingAndSupersedingSessionsDoesNotGrowTheStatementCache() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-statements-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let store = try SQLiteSessionStore(path: folder.appendingPathComponent("store.sqlite").path, durability: .normal, logger: logger)
        let piles = ["CP-A", "CP-B", "CP-C"]
        for pile in piles {
            _ = try await store.write(.chargePointBooted(ChargePointRecord(id: pile, firstSeen: Date(), lastSeen: Date(), connected: true)))
        }

        // As the gateway does at each start: the new session is kept, an older one open on
        // the same connector is closed as superseded.
        func startAndSupersede(_ i: Int) async throws {
            let pile = piles[i % piles.count]
            let start = SessionStart(
                chargePointId: pile, connectorId: 1, idTag: "TAG\(i)", meterStartWh: Int64(i), startTime: Date(), reservationId: nil,
                authorizationStatus: "Accepted", ocppVersion: "1.6", receivedAt: Date())
            guard case .sessionStarted(let id, _) = try await store.write(.startSession(start)) else {
                return XCTFail("session \(i) not started")
            }
            _ = try await store.write(
                .abandonSessions(SessionAbandonment(chargePointId: pile, connectorId: 1, keeping: [id], reason: "superseded", at: Date())))
        }

        for i in 0..<6 { try await startAndSupersede(i) }
        let warm = store.writer.cachedStatementCount
        for i in 6..<60 { try await startAndSupersede(i) }
        XCTAssertEqual(store.writer.cachedStatementCount, warm, "each start added a prepared statement")

        // The kept session stays open: one active session per pile, the others superseded.
        let active = try await store.sessions(chargePointId: nil, status: .active, limit: 100)
        XCTAssertEqual(active.map(\.chargePointId).sorted(), piles)
        XCTAssertEqual(active.compactMap(\.idTag).sorted(), ["TAG57", "TAG58", "TAG59"])
        let abandoned = try await store.sessions(chargePointId: nil, status: .abandoned, limit: 100)
        XCTAssertEqual(abandoned.count, 57)
        try await store.close()
    }
}
