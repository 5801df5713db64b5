import Foundation
import XCTest

/// Paths of the repository's shipped folders, found from this file.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var simulators: String { root.appendingPathComponent("Simulators").path }
    static var scenarios: String { root.appendingPathComponent("Scenarios").path }
}
