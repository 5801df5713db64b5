import Foundation
import XCTest

// Running the generator scripts (Scripts/generate_v16.py, Scripts/generate_v201.py) from tests.

struct ScriptFailure: Error, CustomStringConvertible {
    let description: String
}

/// The repository's root folder (this file is Tests/OCPPTests/…).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs a generator script's --check (generate_v16.py, generate_v201.py): passes when the
/// committed files are up to date, skips when the schemas or python3 are missing.
func assertGeneratedFilesAreUpToDate(_ script: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let path = repositoryRoot.appendingPathComponent("Scripts/\(script)")
    guard FileManager.default.fileExists(atPath: path.path) else { throw XCTSkip("no \(path.path) in this checkout") }
    let (status, text) = try runPython([path.path, "--check"], in: repositoryRoot)
    switch status {
    case 0: break
    case 3: throw XCTSkip("the OCPP schemas are not installed: \(text)")
    default: XCTFail("\(script) --check exited \(status):\n\(text)", file: file, line: line)
    }
}

/// Runs `python3 arguments` in `folder`; its exit status and what it printed (both streams).
/// Throws XCTSkip when python3 cannot be started at all.
func runPython(_ arguments: [String], in folder: URL) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    process.currentDirectoryURL = folder
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
    if process.terminationStatus == 127 { throw XCTSkip("python3 is not installed") }
    return (process.terminationStatus, text)
}
