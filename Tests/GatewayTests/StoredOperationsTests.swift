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
