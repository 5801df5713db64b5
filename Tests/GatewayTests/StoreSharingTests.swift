import Foundation
import SessionStore
import XCTest

/// Several gateway processes on one store (`serve --reuse-port` with one `--db`) may open a
/// fresh file at the same moment: the schema is created once, not refused the second time.
final class StoreSharingTests: XCTestCase {
    func testTwoGatewaysOpeningOneFreshStoreAtOnceBothGetTheSchema() async throws {
        for attempt in 0..<5 {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-shared-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("shared.sqlite").path
            let first = Task.detached { try SQLiteSessionStore(path: path, durability: .normal, node: "gw-1") }
            let second = Task.detached { try SQLiteSessionStore(path: path, durability: .normal, node: "gw-2") }
            let stores: [SQLiteSessionStore]
            do {
                stores = [try await first.value, try await second.value]
            } catch {
                if let store = try? await first.value { try? await store.close() }
                if let store = try? await second.value { try? await store.close() }
                XCTFail("attempt \(attempt): opening one fresh store from two gateways at once failed: \(error)")
                return
            }
            for store in stores {
                let piles = try await store.chargePoints()
                XCTAssertEqual(piles.count, 0)
                try await store.close()
            }
        }
    }
}
