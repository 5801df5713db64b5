import Foundation
import XCTest

/// Sources/OCPP/V201 is generated from the official 2.0.1 schemas by
/// Scripts/generate_v201.py; this reruns the script in check mode, so a hand edit or a
/// script change without regenerating fails here. Needs python3 and the `ocpp` package
/// (`pip install -r Tests/Interop/requirements.txt`, which .ci/run does before swift test).
final class V201GeneratedFilesTests: XCTestCase {
    func testGeneratedV201FilesAreUpToDateWithTheSchemas() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("Scripts/generate_v201.py")
        guard FileManager.default.fileExists(atPath: script.path) else { throw XCTSkip("no \(script.path) in this checkout") }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--check"]
        process.currentDirectoryURL = root
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            throw XCTSkip("cannot run python3: \(error)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        switch process.terminationStatus {
        case 0: break
        case 3: throw XCTSkip("the OCPP 2.0.1 schemas are not installed: \(text)")
        case 127: throw XCTSkip("python3 is not installed")
        default: XCTFail("generate_v201.py --check exited \(process.terminationStatus):\n\(text)")
        }
    }
}
