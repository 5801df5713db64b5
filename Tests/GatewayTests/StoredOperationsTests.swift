import Foundation
import Logging
import SessionStore
import XCTest

/// The store keeps a pile's local list and charging profiles across a restart, and applies
/// a profile's replacement and a clear in one transaction.
final class StoredOperationsTests: XCTestCase {
    func testAListAndProfilesSurviveAReopenAndInstallAndClearApplyTheirRules() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-operations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let path = folder.appendingPathComponent("store.sqlite").path
        let at = Date(timeIntervalSince1970: 1_800_000_123)
        let list = LocalListRecord(
            chargePointId: "CP-1", version: 4, source: .explicit,
            entries: [LocalListEntry(idTag: "A", status: "Accepted", expiryDate: at, parentIdTag: "G"), LocalListEntry(idTag: "B", status: "Blocked")],
            updatedAt: at, acceptedVersion: 3, acceptedEntries: [LocalListEntry(idTag: "A", status: "Accepted")], lastSentUpdateType: "Differential",
            lastSentVersion: 4, lastSentAt: at, lastAnswer: "Failed", lastAnswerAt: at, pileVersion: 3, pileVersionAt: at, notSupported: false,
            maxLength: 10, maxPerSend: 2)
        func profile(_ id: Int, connector: Int, stack: Int) -> ChargingProfileRecord {
            ChargingProfileRecord(
                chargePointId: "CP-1", connectorId: connector, chargingProfileId: id, purpose: "TxDefaultProfile", stackLevel: stack,
                profile: "{\"chargingProfileId\":\(id)}", ocppVersion: "1.6", storedAt: at)
        }
        do {
            let store = try SQLiteSessionStore(path: path, durability: .normal, logger: logger)
            _ = try await store.write(.saveLocalList(list))
            _ = try await store.write(.installChargingProfile(profile(1, connector: 1, stack: 0)))
            _ = try await store.write(.installChargingProfile(profile(2, connector: 2, stack: 0)))
            _ = try await store.write(.installChargingProfile(profile(3, connector: 1, stack: 0)))  // replaces 1
            _ = try await store.write(.installChargingProfile(profile(2, connector: 1, stack: 4)))  // replaces 2 (its id)
            try await store.close()
        }
        let store = try SQLiteSessionStore(path: path, durability: .normal, logger: logger)
        let read = try await store.localList(chargePointId: "CP-1")
        XCTAssertEqual(read, list)
        let none = try await store.localList(chargePointId: "CP-2")
        XCTAssertNil(none)
        let held = try await store.chargingProfiles(chargePointId: "CP-1")
        XCTAssertEqual(held.map(\.chargingProfileId), [3, 2])
        XCTAssertEqual(held.map(\.stackLevel), [0, 4])
        _ = try await store.write(.clearChargingProfiles(chargePointId: "CP-1", ChargingProfileFilter(stackLevel: 4)))
        let cleared = try await store.chargingProfiles(chargePointId: "CP-1")
        XCTAssertEqual(cleared.map(\.chargingProfileId), [3])
        try await store.close()
    }
}

extension StoredOperationsTests {
    func testATxProfileEndsWithItsTransactionStoppedOrAbandonedAndOthersStay() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-txprofiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let store = try SQLiteSessionStore(path: folder.appendingPathComponent("store.sqlite").path, durability: .normal, logger: logger)
        let now = Date()
        _ = try await store.write(.chargePointBooted(ChargePointRecord(id: "CP-T", firstSeen: now, lastSeen: now, connected: true)))
        func start(_ connector: Int) async throws -> Int64 {
            let start = SessionStart(
                chargePointId: "CP-T", connectorId: connector, idTag: "T\(connector)", meterStartWh: 0, startTime: now, reservationId: nil,
                authorizationStatus: "Accepted", ocppVersion: "1.6", receivedAt: now)
            guard case .sessionStarted(let id, _) = try await store.write(.startSession(start)) else { throw XCTSkip("no session") }
            return id
        }
        func tx(_ id: Int, connector: Int, transaction: Int64?, purpose: String = "TxProfile") -> StoreCommand {
            .installChargingProfile(
                ChargingProfileRecord(
                    chargePointId: "CP-T", connectorId: connector, chargingProfileId: id, purpose: purpose, stackLevel: id,
                    transactionId: transaction.map(String.init), profile: "{}", ocppVersion: "1.6", storedAt: now))
        }
        let one = try await start(1)
        let two = try await start(2)
        _ = try await store.write(tx(1, connector: 1, transaction: one))
        _ = try await store.write(tx(2, connector: 1, transaction: nil))
        _ = try await store.write(tx(3, connector: 2, transaction: two))
        _ = try await store.write(tx(4, connector: 2, transaction: nil))
        _ = try await store.write(tx(5, connector: 1, transaction: nil, purpose: "TxDefaultProfile"))
        _ = try await store.write(
            .stopSession(
                SessionStop(
                    chargePointId: "CP-T", transactionId: one, meterStopWh: 10, stopTime: now, reason: "Local", idTag: nil, samples: [], receivedAt: now)))
        let afterStop = try await store.chargingProfiles(chargePointId: "CP-T").map(\.chargingProfileId).sorted()
        XCTAssertEqual(afterStop, [3, 4, 5], "the stopped transaction's TxProfiles (named, and its connector's unnamed) ended")
        _ = try await store.write(.abandonSessions(SessionAbandonment(chargePointId: "CP-T", sessionId: two, reason: "operator", at: now)))
        let afterAbandon = try await store.chargingProfiles(chargePointId: "CP-T").map(\.chargingProfileId).sorted()
        XCTAssertEqual(afterAbandon, [4, 5], "only the TxProfile naming the abandoned transaction ended")
        try await store.close()
    }
}
