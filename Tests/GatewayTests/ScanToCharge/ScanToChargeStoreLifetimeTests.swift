import Foundation
import Logging
import SessionStore
import XCTest

/// Every harness opens and closes a store; the scan-to-charge tests crashed now and then
/// with "Attempted to read an unowned reference" when a store was released before its
/// checkpoint thread had first run. Many short-lived stores in a row provoke it.
final class ScanToChargeStoreLifetimeTests: XCTestCase {
    func testAStoreClosedAndReleasedAtOnceDoesNotCrashItsBackgroundThreads() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-lifetime-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        weak var last: SQLiteSessionStore?
        for i in 0..<100 {
            let store = try SQLiteSessionStore(
                path: folder.appendingPathComponent("store-\(i).sqlite").path, durability: .normal, logger: logger)
            try await store.close()
            last = store
        }
        // The checkpoint threads wake once a second; give every one of them the chance.
        try await Task.sleep(for: .milliseconds(1300))
        let released = try await eventually(3) { last == nil }
        XCTAssertTrue(released, "a closed store is released once its threads are done")
    }
}
