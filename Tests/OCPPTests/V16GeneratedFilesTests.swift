import Foundation
import XCTest

/// The 1.6 profiles beyond Core and Remote Trigger (Sources/OCPP/V16/*Profile.swift and
/// SecurityExtension.swift) are generated from the official 1.6 schemas by
/// Scripts/generate_v16.py; this reruns it in check mode, so a hand edit or a script change
/// without regenerating fails here.
/// V16SchemaConformanceTests checks the hand-written ones against the same schemas.
final class V16GeneratedFilesTests: XCTestCase {
    func testGeneratedV16FilesAreUpToDateWithTheSchemas() throws {
        try assertGeneratedFilesAreUpToDate("generate_v16.py")
    }
}
