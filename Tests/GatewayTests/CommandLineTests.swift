import Foundation
import Gateway
import NIOCore
import NIOPosix
import XCTest

/// The `pilegate` executable as a new user meets it: run from a folder with no
/// `Simulators/` in it (or copied somewhere else entirely), given bad numbers, pointed at
/// gateways that refuse it.
final class CommandLineTests: XCTestCase {
    /// One run of the binary to its end, in `directory`, bounded by `timeout` seconds.
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
        var output: String { stdout + stderr }
    }

    private var binary: URL {
        get throws {
            guard let binary = GatewayProcess.locateBinary() else {
                throw XCTSkip("pilegate executable not found next to the test bundle; build it with `swift build --build-tests`")
            }
            return binary
        }
    }

    /// A fresh folder, removed after the test.
    private func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory
    }

    private func run(_ arguments: [String], binary explicit: URL? = nil, in directory: URL, timeout: TimeInterval = 30) async throws -> Run {
        let process = Process()
        process.executableURL = try explicit ?? binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let name = UUID().uuidString
        let out = directory.appendingPathComponent("\(name).stdout")
        let err = directory.appendingPathComponent("\(name).stderr")
        for file in [out, err] { XCTAssertTrue(FileManager.default.createFile(atPath: file.path, contents: nil)) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            process.terminate()
            let grace = Date().addingTimeInterval(5)
            while process.isRunning && Date() < grace { try await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            XCTFail("pilegate \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        let result = Run(
            status: process.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
        return result
    }

    /// A loopback port nothing listens on (bound, then closed).
    private func closedPort() async throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
            let port = channel.localAddress?.port ?? 0
            try await channel.close()
            try await group.shutdownGracefully()
            return port
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    // MARK: Profiles wherever the binary runs

    func testSimWithABuiltInProfileConnectsFromAFolderWithoutSimulators() async throws {
        let directory = try temporaryDirectory()
        try await GatewayHarness.with { harness in
            let result = try await run(
                ["sim", "--gateway", harness.endpoint, "--profile", "nio-640", "--count", "2", "--speed", "60", "--duration", "3s"], in: directory)
            XCTAssertEqual(result.status, 0, result.output)
            XCTAssertTrue(result.stdout.contains("summary: 2 piles"), result.output)
            try await harness.store.flush()
            let piles = try await harness.store.chargePoints().map(\.chargePoint.id).sorted()
            XCTAssertEqual(piles, ["NIO-000001", "NIO-000002"])
        }
    }

    func testABinaryCopiedElsewhereHasItsProfilesAndTheDemoItsTariffs() async throws {
        let install = try temporaryDirectory().appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: install, withIntermediateDirectories: true)
        let copied = install.appendingPathComponent("pilegate")
        try FileManager.default.copyItem(at: try binary, to: copied)
        let directory = try temporaryDirectory()

        let registry = try await run(["sim", "--fleet", "demo", "--write-registry", "registry.yaml"], binary: copied, in: directory)
        XCTAssertEqual(registry.status, 0, registry.output)
        let text = try String(contentsOf: directory.appendingPathComponent("registry.yaml"), encoding: .utf8)
        XCTAssertTrue(text.contains("chargePoints:") && text.contains("NIO-000001"), text)

        let demo = try await run(["demo", "--duration", "3s", "--scans", "0", "--db", "sqlite:demo.sqlite"], binary: copied, in: directory, timeout: 60)
        XCTAssertEqual(demo.status, 0, demo.output)
        XCTAssertTrue(demo.stdout.contains("gateway recorded:"), demo.output)
        XCTAssertFalse(demo.output.contains("without tariffs"), "the built-in gateway/demo.yaml prices the demo: \(demo.output)")
    }

    func testALibraryFolderReplacesABuiltInProfileAndSaysSo() async throws {
        let directory = try temporaryDirectory()
        let piles = directory.appendingPathComponent("mine/piles")
        try FileManager.default.createDirectory(at: piles, withIntermediateDirectories: true)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let nio = try String(contentsOf: root.appendingPathComponent("Simulators/piles/nio-640.yaml"), encoding: .utf8)
        try nio.replacingOccurrences(of: "maxPowerKW: 640 ", with: "maxPowerKW: 300 ")
            .write(to: piles.appendingPathComponent("nio-640.yaml"), atomically: true, encoding: .utf8)
        let result = try await run(
            ["sim", "--library", "mine", "--profile", "nio-640", "--count", "1", "--write-registry", "registry.yaml"], in: directory)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stdout.contains("library: pile nio-640: mine/piles/nio-640.yaml replaces built-in:piles/nio-640.yaml"), result.output)
        let registry = try GatewayConfiguration.load(path: directory.appendingPathComponent("registry.yaml").path)
        XCTAssertEqual(registry.chargePoints.first?.maxPowerKW, 300, "the folder's nio-640 is the one simulated")
    }

    // MARK: A simulator that cannot connect says why, and fails

    func testSimExitsNonZeroNamingConnectionRefusedWhenNothingListens() async throws {
        let directory = try temporaryDirectory()
        let port = try await closedPort()
        let result = try await run(
            ["sim", "--gateway", "ws://127.0.0.1:\(port)/ocpp", "--profile", "nio-640", "--count", "3", "--duration", "2s"], in: directory)
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.stderr.contains("no pile could connect to ws://127.0.0.1:\(port)/ocpp: connection refused × 3"), result.output)
    }

    func testSimExitsNonZeroNamingTheHTTPStatusOfARefusedUpgrade() async throws {
        let directory = try temporaryDirectory()
        var refusing = GatewayConfiguration()
        refusing.unknownChargePoints = .refuse
        try await GatewayHarness.with(refusing) { harness in
            let result = try await run(["sim", "--gateway", harness.endpoint, "--profile", "nio-640", "--count", "1", "--duration", "2s"], in: directory)
            XCTAssertEqual(result.status, 1, result.output)
            XCTAssertTrue(result.stderr.contains("HTTP 404 Not Found × 1"), result.output)
        }
        var locked = GatewayConfiguration()
        locked.chargePoints = [.init(id: "NIO-000001", password: "secret-of-sixteen-chars")]
        try await GatewayHarness.with(locked) { harness in
            let result = try await run(["sim", "--gateway", harness.endpoint, "--profile", "nio-640", "--count", "1", "--duration", "2s"], in: directory)
            XCTAssertEqual(result.status, 1, result.output)
            XCTAssertTrue(result.stderr.contains("HTTP 401 Unauthorized × 1"), result.output)
        }
    }

    func testSimOverWssNamesTheTLSProblem() async throws {
        let directory = try temporaryDirectory()
        let missing = try await run(["sim", "--gateway", "wss://127.0.0.1:1/ocpp", "--profile", "nio-640", "--ca", "/nonexistent/ca.pem"], in: directory)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/ca.pem does not exist"), missing.output)
        // A plain gateway on the other end: the TLS handshake fails, and the sim says so.
        try await GatewayHarness.with { harness in
            let result = try await run(
                ["sim", "--gateway", "wss://127.0.0.1:\(harness.port)/ocpp", "--profile", "nio-640", "--count", "1", "--duration", "2s"], in: directory)
            XCTAssertEqual(result.status, 1, result.output)
            XCTAssertTrue(result.stderr.contains("TLS failed"), result.output)
        }
    }

    // MARK: Options

    func testNumbersOutOfRangeAreRefusedSayingWhatTheOptionTakes() async throws {
        let directory = try temporaryDirectory()
        let cases: [([String], String)] = [
            (["serve", "--port", "70000"], "from 1 to 65535 (or 0 for any free port)"),
            (["serve", "--port", "-1"], "from 1 to 65535"),
            (["sim", "--speed", "-1"], "the speed must be a positive number"),
            (["sim", "--speed", "0"], "the speed must be a positive number"),
            (["sim", "--speed", "inf"], "the speed must be a positive number"),
            (["sim", "--count", "0"], "the number of piles must be a whole number from 1 to 1000000"),
            (["sim", "--scale", "-0.5"], "the scale must be a positive factor"),
            (["sim", "--ramp", "0"], "the ramp must be a positive number"),
            (["sim", "--duration", "-5m"], "a duration looks like 90, 90s, 5m or 1h"),
            (["sim", "--duration", "1e300"], "at most 8760h"),
            (["sim", "--shard", "3/2"], "a shard is i/n with 1 ≤ i ≤ n"),
            (["sim", "--seed", "-1"], "a seed is a whole number from 0"),
            (["demo", "--speed", "-2"], "the speed must be a positive number"),
            (["demo", "--scans", "-1"], "the number of scans must be a whole number from 0 to 1000"),
            (["run", "Scenarios", "--speed", "-1"], "the speed must be a positive number"),
            (["run", "Scenarios", "--repeat", "0"], "the repeat count must be a whole number from 1 to 10000"),
            (["run", "Scenarios", "--parallel", "0"], "from 1 to 1000"),
            (["run", "Scenarios", "--ocpp", "2.1"], "an OCPP version is 1.6 or 2.0.1"),
            (["run", "--campaign", "0"], "a campaign is a whole number of sessions from 1"),
            (["run", "--campaign", "5", "--campaign-piles", "0"], "the campaign's piles must be a whole number from 1 to 9000"),
            (["record", "--session", "0"], "a session id is a whole number from 1"),
        ]
        for (arguments, expected) in cases {
            let result = try await run(arguments, in: directory)
            let what = arguments.joined(separator: " ")
            XCTAssertNotEqual(result.status, 0, what)
            XCTAssertTrue(result.stderr.contains(expected), "\(what): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("Missing value"), "\(what): \(result.stderr)")
        }
    }

    func testVersionIsPrintedByTheFlagAndByServesStartLine() async throws {
        let directory = try temporaryDirectory()
        let version = try await run(["--version"], in: directory)
        XCTAssertEqual(version.status, 0, version.output)
        let number = version.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertNotNil(number.range(of: #"^[0-9]+\.[0-9]+\.[0-9]+"#, options: .regularExpression), number)
        let serve = try GatewayProcess(
            binary: try binary, arguments: ["serve", "--port", "0", "--db", "sqlite:\(directory.appendingPathComponent("v.sqlite").path)"],
            directory: directory, name: "serve")
        do {
            _ = try await serve.port()
            XCTAssertTrue(serve.stdout.contains("PileGate \(number) gateway on"), serve.stdout)
        } catch {
            await serve.stop()
            throw error
        }
        await serve.stop()
    }

    // MARK: pilegate run against a remote gateway

    func testARemoteRunSkipsVisiblyTheCasesWhoseGatewayConfigurationItCannotApply() async throws {
        let directory = try temporaryDirectory()
        let scenarios = directory.appendingPathComponent("scenarios")
        try FileManager.default.createDirectory(at: scenarios.appendingPathComponent("gateway"), withIntermediateDirectories: true)
        try "validation: strict\n".write(to: scenarios.appendingPathComponent("gateway/strict.yaml"), atomically: true, encoding: .utf8)
        let boot = "matrix: {piles: [nio-640]}\nsteps:\n  - boot: {}\n"
        try ("name: plain boot\n" + boot).write(to: scenarios.appendingPathComponent("plain.yaml"), atomically: true, encoding: .utf8)
        try ("name: strict boot\ngateway: gateway/strict.yaml\n" + boot)
            .write(to: scenarios.appendingPathComponent("strict.yaml"), atomically: true, encoding: .utf8)
        try await GatewayHarness.with { harness in
            let result = try await run(["run", "scenarios", "--gateway", "http://127.0.0.1:\(harness.port)"], in: directory, timeout: 60)
            XCTAssertEqual(result.status, 0, result.output)
            XCTAssertTrue(result.stderr.contains("SKIP strict boot"), result.output)
            XCTAssertTrue(result.stderr.contains("cannot be applied to a remote gateway"), result.output)
            XCTAssertTrue(result.stderr.contains("1 passed (1 clean), 0 failed, 1 skipped of 2"), result.output)
        }
    }
}
