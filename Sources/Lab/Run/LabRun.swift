import Foundation
import Gateway
import HTTPAPI
import Logging
import NIOCore
import NIOPosix
import Simulator

/// How `pilegate run` runs: where the gateway is, how fast, how many at once.
public struct LabRunOptions: Sendable {
    /// nil: an embedded gateway per gateway configuration, on 127.0.0.1 with a temporary store.
    public var gatewayURL: String?
    /// Bearer token for the gateway's mutating endpoints.
    public var token: String?
    /// The remote gateway runs with the configuration the scenarios name (`gateway:`), so
    /// their cases run; otherwise they are skipped, since it cannot be applied from here.
    public var remoteConfigured = false
    public var speed: Double = 600
    public var parallel: Int = 8
    public var logLevel: Logger.Level = .critical
    /// One line per finished case, for a progress display.
    public var progress: @Sendable (String) -> Void = { _ in }

    public init() {}
}

/// Everything a run found, for the reports.
public struct RunReport: Sendable, Codable {
    public var startedAt: Date
    public var wallSeconds: Double
    public var speed: Double
    /// `embedded` or the gateway's URL.
    public var gateway: String
    public var results: [CaseResult]
    /// A campaign's managed sites against their limits (`CampaignPlan.sites`); nil otherwise.
    public var sites: [CampaignSiteReport]? = nil

    public var passed: Int { results.filter { $0.outcome == .passed }.count }
    /// Passed without an unexpected error finding.
    public var compatible: Int { results.filter(\.compatible).count }
    public var failed: Int { results.filter { $0.outcome == .failed }.count }
    public var skipped: Int { results.filter { $0.outcome == .skipped }.count }
    public var allPassed: Bool { failed == 0 }
}

/// Runs scenario cases in parallel against embedded gateways (one per gateway
/// configuration the scenarios name) or one remote gateway.
public enum LabRun {
    public static func run(_ cases: [ScenarioCase], library: ProfileLibrary, options: LabRunOptions) async throws -> RunReport {
        let started = Date()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        var logger = Logger(label: "pilegate.lab")
        logger.logLevel = options.logLevel
        var gateways: [String: (view: any GatewayView, running: RunningGateway?, directory: URL?)] = [:]
        func cleanUp() async {
            for (_, gateway) in gateways {
                try? await gateway.running?.shutdown()
                if let directory = gateway.directory { try? FileManager.default.removeItem(at: directory) }
            }
            try? await group.shutdownGracefully()
        }

        // Identities unique per run, so a remote gateway's older records are not read as ours.
        let base = options.gatewayURL == nil ? 0 : Int.random(in: 100...899) * 1000
        var planned: [(ScenarioCase, any GatewayView, Int)] = []
        do {
            for (index, testCase) in cases.enumerated() {
                let serial = base + index + 1
                // A site's piles are registered in the gateway's configuration: a gateway of its own.
                let site = testCase.siteSettings(
                    identity: identity(for: testCase, serial: serial), serial: String(format: "%06d", serial), speed: testCase.speed(run: options.speed))
                let key = options.gatewayURL ?? (site != nil ? "site \(index)" : nil) ?? testCase.scenario.gatewayConfigurationFile ?? "default"
                if gateways[key] == nil {
                    if let url = options.gatewayURL {
                        gateways[key] = (RemoteGatewayView(http: GatewayHTTP(base: url, token: options.token)), nil, nil)
                    } else {
                        var configuration = testCase.scenario.gatewayConfiguration ?? GatewayConfiguration()
                        configuration.durability = "normal"
                        // Piles on a virtual clock run ahead of the gateway's: the clock and heartbeat
                        // rules would fire on every pile (run at --speed 1 to judge them).
                        if options.speed != 1 { configuration.clockTolerance = 0 }
                        if let site {
                            configuration.add(site: site, members: testCase.members(identity: identity(for: testCase, serial: serial), serial: String(format: "%06d", serial)))
                        }
                        // The lab's own gateway takes the run's token (or makes one it hands its view).
                        let token = options.token ?? configuration.api.token ?? APIAccess.randomToken()
                        configuration.api.token = token
                        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-lab-\(UUID().uuidString)")
                        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                        let running = try await RunningGateway.start(
                            host: "127.0.0.1", port: 0, db: "sqlite:\(directory.appendingPathComponent("lab.sqlite").path)",
                            configuration: configuration, node: "lab", reusePort: false, threads: 2, logger: logger)
                        gateways[key] = (EmbeddedGatewayView(running: running, token: token), running, directory)
                    }
                }
                guard let view = gateways[key]?.view else { continue }
                planned.append((testCase, view, serial))
            }
        } catch {
            await cleanUp()
            throw error
        }

        var results = [CaseResult?](repeating: nil, count: planned.count)
        let total = planned.count
        await withTaskGroup(of: (Int, CaseResult).self) { tasks in
            var next = 0
            var done = 0
            func launch() {
                guard next < planned.count else { return }
                let index = next
                let (testCase, view, serial) = planned[index]
                next += 1
                if options.gatewayURL != nil, testCase.scenario.scenario.site != nil {
                    let reason = "runs a site of piles the lab registers in its own gateway's configuration (sites, chargePoints): run without --gateway"
                    let result = ScenarioRunner.skipped(testCase, identity: identity(for: testCase, serial: serial), reason: reason)
                    tasks.addTask { (index, result) }
                    return
                }
                if options.gatewayURL != nil, !options.remoteConfigured, let file = testCase.scenario.gatewayConfigurationFile {
                    let reason = "needs the gateway configuration \(file), which cannot be applied to a remote gateway: "
                        + "start that gateway with --config \(file) and pass --gateway-configured, or run without --gateway"
                    let result = ScenarioRunner.skipped(testCase, identity: identity(for: testCase, serial: serial), reason: reason)
                    tasks.addTask { (index, result) }
                    return
                }
                let runner = ScenarioRunner(
                    testCase: testCase, view: view, library: library, speed: testCase.speed(run: options.speed), eventLoop: group.next(),
                    identity: identity(for: testCase, serial: serial), serial: String(format: "%06d", serial), seed: UInt64(index + 1) &* 0x9E37_79B9)
                tasks.addTask { (index, await runner.run()) }
            }
            for _ in 0..<max(options.parallel, 1) { launch() }
            while let (index, result) = await tasks.next() {
                results[index] = result
                done += 1
                let verdict = result.outcome == .passed ? (result.clean ? "PASS" : "PASS, NOT CLEAN") : (result.outcome == .failed ? "FAIL" : "SKIP")
                var line = "[\(done)/\(total)] \(verdict) \(result.caseName) (\(String(format: "%.1f", result.wallSeconds)) s)"
                if let first = result.failures.first { line += "\n      \(first)" }
                if result.outcome == .passed && !result.clean {
                    let detail = result.findingDetails.first { result.unexpectedErrors.contains($0.rule) }.map { ": \($0.detail)" } ?? ""
                    line += "\n      unexpected error findings \(result.unexpectedErrors.joined(separator: ", "))\(detail)"
                }
                if let reason = result.skipReason { line += "\n      \(reason)" }
                options.progress(line)
                launch()
            }
        }
        await cleanUp()
        return RunReport(
            startedAt: started, wallSeconds: Date().timeIntervalSince(started), speed: options.speed,
            gateway: options.gatewayURL ?? "embedded", results: results.compactMap { $0 })
    }

    /// Waits up to `seconds` for `GET /health` of a remote gateway to answer 200; nil when
    /// it does, else why not (a gateway started a moment ago gets that long to come up).
    public static func waitForGateway(_ url: String, seconds: Double) async -> String? {
        let http = GatewayHTTP(base: url, token: nil)
        let deadline = Date().addingTimeInterval(seconds)
        var last = "no answer"
        repeat {
            do {
                let (status, _) = try await http.get("/health")
                if status == 200 { return nil }
                last = "GET /health answered HTTP \(status)"
            } catch {
                last = "\(error.localizedDescription)"
            }
            try? await Task.sleep(for: .milliseconds(200))
        } while Date() < deadline
        return last
    }

    /// The profile's identity pattern with a serial: `TELD-000012`.
    static func identity(for testCase: ScenarioCase, serial: Int) -> String {
        guard let profile = testCase.profile else { return String(format: "REPLAY-%06d", serial) }
        return profile.identityPattern
            .replacingOccurrences(of: "{network}", with: profile.network.replacingOccurrences(of: " ", with: "").uppercased())
            .replacingOccurrences(of: "{station}", with: "LAB")
            .replacingOccurrences(of: "{n}", with: String(format: "%06d", serial))
    }
}
