import ArgumentParser
import Foundation
import Lab
import Logging
import Simulator

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run compatibility scenarios (Scenarios/) against a gateway and write reports.",
        discussion: """
            Examples:
              pilegate run Scenarios/ --junit lab.xml --json lab.json --html lab.html
              pilegate run Scenarios/quirks --speed 1200 --parallel 4
              pilegate run Scenarios/ --gateway http://127.0.0.1:8180 --token SECRET
              pilegate run --campaign 70000 --json campaign.json
            Without --gateway an embedded gateway runs on 127.0.0.1 with a temporary SQLite store
            (one per gateway configuration the scenarios name). Exits 0 only when every case passed.
            Scenario format: docs/scenarios.md.
            """)

    @Argument(help: "Scenario files or folders (searched recursively).")
    var paths: [String] = []

    @Option(help: "A running gateway's HTTP base URL (e.g. http://127.0.0.1:8180), or `embedded` (the default).")
    var gateway: String?

    /// The remote gateway's URL; nil for the embedded one.
    var remote: String? { gateway == "embedded" ? nil : gateway }

    @Option(help: "Bearer token for the gateway's mutating endpoints (POST /api/scan, /stop); default $PILEGATE_API_TOKEN.")
    var token: String?

    @Option(help: "Simulated time runs this many times faster than wall time.")
    var speed = 600.0

    @Option(help: "Run every case this many times.")
    var `repeat` = 1

    @Option(help: "Cases running at once.")
    var parallel = 8

    @Option(help: "Campaign: this many sessions over the pile matrix with varied vehicles, states of charge and seeds.")
    var campaign: Int?

    @Option(help: "Campaign: piles charging at once.")
    var campaignPiles = 400

    @Option(help: "Campaign: seed for vehicles and states of charge.")
    var seed: UInt64 = 1

    @Option(help: "Write a JUnit XML report here.")
    var junit: String?

    @Option(help: "Write a JSON report here.")
    var json: String?

    @Option(help: "Write a self-contained HTML report here.")
    var html: String?

    @Option(help: "Folder with piles/ and vehicles/.")
    var simulators = "Simulators"

    @Option(help: "Gateway log level (embedded gateway).")
    var logLevel: Logger.Level = .critical

    func validate() throws {
        guard speed > 0 else { throw ValidationError("--speed must be positive") }
        guard `repeat` >= 1, parallel >= 1, campaignPiles >= 1 else { throw ValidationError("--repeat, --parallel and --campaign-piles must be at least 1") }
        guard campaign != nil || !paths.isEmpty else { throw ValidationError("give scenario files or folders (e.g. Scenarios/), or --campaign N") }
        if let campaign, campaign < 1 { throw ValidationError("--campaign must be at least 1") }
    }

    func run() async throws {
        bootstrapLogging(logLevel)
        let library: ProfileLibrary
        do {
            library = try ProfileLibrary(root: simulators)
        } catch {
            throw ValidationError("\(error)")
        }
        var options = LabRunOptions()
        options.gatewayURL = remote
        options.token = token ?? ProcessInfo.processInfo.environment["PILEGATE_API_TOKEN"]
        options.speed = speed
        options.parallel = parallel
        options.logLevel = logLevel
        options.progress = { Console.error($0) }

        let report: RunReport
        if let campaign {
            var plan = CampaignPlan(sessions: campaign, seed: seed)
            plan.concurrentPiles = campaignPiles
            report = try await Campaign.run(plan, library: library, options: options)
        } else {
            let scenarios: [LoadedScenario]
            do {
                scenarios = try ScenarioLoader(library: library).load(paths: paths)
            } catch {
                Console.error("\(error)")
                throw ExitCode(2)
            }
            let cases = ScenarioCase.expand(scenarios, library: library, repeat: `repeat`)
            if remote != nil {
                let configured = scenarios.filter { $0.gatewayConfigurationFile != nil }.map(\.file)
                if !configured.isEmpty {
                    Console.error("note: \(configured.count) scenario(s) name a gateway configuration, which is not applied to a remote gateway (configure it alike): \(configured.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", "))")
                }
            }
            Console.error("running \(cases.count) case(s) from \(scenarios.count) scenario(s) at \(speed)× against \(remote ?? "an embedded gateway"), \(parallel) at a time")
            report = try await LabRun.run(cases, library: library, options: options)
        }
        try write(report)
        let summary = CompatibilityMatrix(report)
        Console.error(
            String(
                format: "%d passed, %d failed, %d skipped of %d in %.1f s; compatibility %.1f %%", report.passed, report.failed, report.skipped,
                report.results.count, report.wallSeconds, summary.overallRate * 100))
        for network in summary.networks {
            Console.error(String(format: "  %-12@ %5.1f %% (%d/%d)", network.name as NSString, network.rate * 100, network.passed, network.total))
        }
        if !report.allPassed { throw ExitCode(1) }
    }

    func write(_ report: RunReport) throws {
        if let junit { try Reports.junit(report).write(toFile: junit, atomically: true, encoding: .utf8) }
        if let json { try Reports.json(report).write(to: URL(fileURLWithPath: json)) }
        if let html { try Reports.html(report).write(toFile: html, atomically: true, encoding: .utf8) }
    }
}

extension Console {
    /// Progress and summaries go to standard error, so stdout stays free for data.
    static func error(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}
