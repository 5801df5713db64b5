import Foundation
import XCTest

/// Sources/OCPP/V201 is generated from the official 2.0.1 schemas by
/// Scripts/generate_v201.py; this reruns the script in check mode, so a hand edit or a
/// script change without regenerating fails here. Needs python3 and the `ocpp` package
/// (`pip install -r Tests/Interop/requirements.txt`, which .ci/run does before swift test).
final class V201GeneratedFilesTests: XCTestCase {
    func testGeneratedV201FilesAreUpToDateWithTheSchemas() throws {
        try assertGeneratedFilesAreUpToDate("generate_v201.py")
    }
}
