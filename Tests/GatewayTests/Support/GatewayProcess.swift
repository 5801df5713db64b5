import Foundation
import XCTest

/// The real `pilegate` executable run as a child process, its stdout and stderr in files.
final class GatewayProcess: @unchecked Sendable {
    private let process = Process()
    let stdoutPath: String
    let stderrPath: String

    /// `pilegate`, built by `swift build --build-tests` next to the test bundle; nil if it is not there.
    static func locateBinary() -> URL? {
        var candidates: [URL] = []
        // Linux: the tests run as `.build/<triple>/debug/PileGatePackageTests.xctest`.
        if let first = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        // macOS: the .xctest bundle sits in `.build/debug`.
        candidates.append(Bundle(for: GatewayProcess.self).bundleURL.deletingLastPathComponent())
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        for directory in candidates {
            let binary = directory.appendingPathComponent("pilegate")
            if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
        }
        return nil
    }

    /// Starts `binary arguments…`; output goes to `name.stdout` and `name.stderr` in `directory`.
    init(binary: URL, arguments: [String], directory: URL, name: String) throws {
        stdoutPath = directory.appendingPathComponent("\(name).stdout").path
        stderrPath = directory.appendingPathComponent("\(name).stderr").path
        for path in [stdoutPath, stderrPath] {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw POSIXError(.EACCES) }
        }
        process.executableURL = binary
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// The port from the start-up line `… ws://127.0.0.1:PORT/ocpp/…`, waiting at most `timeout` s.
    func port(timeout: TimeInterval = 10) async throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        let marker = "ws://127.0.0.1:"
        while Date() < deadline {
            let text = stdout
            if let range = text.range(of: marker) {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if text[range.upperBound...].dropFirst(digits.count).hasPrefix("/ocpp/"), let port = Int(digits) { return port }
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw GatewayProcessError.noStartupLine(stdout: stdout, stderr: stderr, running: process.isRunning)
    }

    func send(signal: Int32) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
    }

    /// Waits at most `timeout` s for the process to exit; true if it did.
    func waitForExit(timeout: TimeInterval) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return !process.isRunning
    }

    /// Exit status and whether it ended by `exit` (rather than a signal); nil while running.
    var termination: (status: Int32, exited: Bool)? {
        guard !process.isRunning else { return nil }
        return (process.terminationStatus, process.terminationReason == .exit)
    }

    /// SIGTERM, then SIGKILL if it is still running after 5 s; bounded either way.
    func stop() async {
        guard process.isRunning else { return }
        send(signal: SIGTERM)
        if await waitForExit(timeout: 5) { return }
        send(signal: SIGKILL)
        _ = await waitForExit(timeout: 5)
    }
}

enum GatewayProcessError: Error, CustomStringConvertible {
    case noStartupLine(stdout: String, stderr: String, running: Bool)

    var description: String {
        switch self {
        case .noStartupLine(let stdout, let stderr, let running):
            "pilegate printed no ws://127.0.0.1:PORT/ocpp/ line (running: \(running)); stdout: \(stdout.debugDescription); stderr: \(stderr.suffix(2000).debugDescription)"
        }
    }
}
