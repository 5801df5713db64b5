import ArgumentParser
import Foundation
import Lab
import Logging
import OCPP
import Simulator

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run compatibility scenarios (Scenarios/) against a gateway and write reports.",
        discussion: """
            Examples:
              pilegate run Scenarios/ --junit lab.xml --json lab.json --html lab.html
              pilegate run Scenarios/quirks --speed 1200 --parallel 4
              pilegate run Scenarios/ --gateway http://127.0.0.1:8180 --token SECRET
              pilegate run --campaign 1000 --json campaign.json
            Without --gateway an embedded gateway runs on 127.0.0.1 with a
            temporary SQLite store (one per gateway configuration the scenarios
            name). Against a remote gateway, the cases of scenarios that name a
            gateway configuration are skipped (shown as SKIP): it cannot be
            applied from here; start that gateway with --config FILE and pass
            --gateway-configured to run them. The built-in profiles are used, with
            --library folders on top.
            Exit status 0 when no case failed (skipped cases do not fail a run),
            1 when one did, 2 when the scenarios or the gateway cannot be used.
            Scenario format: docs/scenarios.md.
            """)

    @Argument(help: "Scenario files or folders (searched recursively).")
    var paths: [String] = []

    @Option(help: "A running gateway's HTTP base URL (e.g. http://127.0.0.1:8180), or `embedded` (the default).")
    var gateway: String?

    @Flag(help: "The --gateway runs with the configurations the scenarios name (gateway: in the scenario): run those cases instead of skipping them.")
    var gatewayConfigured = false

    /// The remote gateway's URL; nil for the embedded one.
    var remote: String? { gateway == "embedded" ? nil : gateway }

    @Option(help: "Bearer token for the gateway's mutating endpoints (POST /api/scan, /stop); default $PILEGATE_API_TOKEN.")
    var token: String?

    @Option(parsing: .unconditional, help: "Simulated time runs this many times faster than wall time.", transform: Arguments.speed)
    var speed = 600.0

    @Option(
        parsing: .unconditional, help: "Run every case this many times (1…10000).",
        transform: { try Arguments.integer($0, 1...10_000, "the repeat count must be a whole number from 1 to 10000") })
    var `repeat` = 1

    @Option(
        parsing: .unconditional, help: "Cases running at once (1…1000).",
        transform: { try Arguments.integer($0, 1...1000, "the number of cases at once must be a whole number from 1 to 1000") })
    var parallel = 8

    @Option(
        parsing: .unconditional, help: "Campaign: this many sessions over the pile matrix with varied vehicles, states of charge and seeds.",
        transform: { try Arguments.integer($0, 1...10_000_000, "a campaign is a whole number of sessions from 1 to 10000000") })
    var campaign: Int?

    @Option(
        parsing: .unconditional, help: "Campaign: piles charging at once (1…9000; each holds two sockets in this process).",
        transform: { try Arguments.integer($0, 1...9000, "the campaign's piles must be a whole number from 1 to 9000") })
    var campaignPiles = 400

    @Option(
        parsing: .unconditional,
        help: "Campaign: group the piles into managed sites of this many (2…64), each with --campaign-site-limit; the report measures each site's total against it.",
        transform: { try Arguments.integer($0, 2...64, "a campaign site holds 2 to 64 piles") })
    var campaignSitePiles: Int?

    @Option(
        parsing: .unconditional, help: "Campaign: each site's grid limit, kW (with --campaign-site-piles; default 200).",
        transform: { try Arguments.positive($0, maximum: 100_000, "a site's grid limit is a positive number of kW up to 100000") })
    var campaignSiteLimit: Double?

    @Option(parsing: .unconditional, help: "Campaign: seed for vehicles and states of charge.", transform: Arguments.seed)
    var seed: UInt64 = 1

    @Option(
        name: .customLong("ocpp"), parsing: .unconditionalSingleValue,
        help: ArgumentHelp(
            "Only the cases whose pile speaks this OCPP version (1.6 or 2.0.1); a campaign runs each pile model at each version given. Repeatable.",
            valueName: "version"),
        transform: Arguments.ocppVersion)
    var versions: [OCPPVersion] = []

    @Option(help: "Write a JUnit XML report here.")
    var junit: String?

    @Option(help: "Write a JSON report here.")
    var json: String?

    @Option(help: "Write a self-contained HTML report here.")
    var html: String?

    @Option(
        name: .customLong("library"),
        help: ArgumentHelp(
            "A folder of your own profiles (piles/, vehicles/) on top of the built-in ones; a profile there replaces a built-in of the same id. Repeatable.",
            valueName: "dir"))
    var libraries: [String] = []

    /// The earlier name of `--library`.
    @Option(name: .customLong("simulators"), help: .hidden)
    var legacyLibraries: [String] = []

    @Option(help: "Gateway log level (embedded gateway).")
    var logLevel: Logger.Level = .critical

    func validate() throws {
        guard campaign != nil || !paths.isEmpty else { throw ValidationError("give scenario files or folders (e.g. Scenarios/), or --campaign N") }
        if campaignSitePiles != nil || campaignSiteLimit != nil {
            guard campaign != nil else { throw ValidationError("--campaign-site-piles and --campaign-site-limit belong to a campaign (--campaign N)") }
            guard campaignSitePiles != nil else { throw ValidationError("--campaign-site-limit needs --campaign-site-piles (how many piles share each site)") }
            guard remote == nil else {
                throw ValidationError("campaign sites are written into the lab's own gateway's configuration: run them without --gateway")
            }
        }
        if let remote {
            let lowered = remote.lowercased()
            guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"), URL(string: remote)?.host != nil else {
                throw ValidationError("--gateway must be a gateway's HTTP base URL such as http://127.0.0.1:8180 (or `embedded`), got \(remote)")
            }
        }
    }

    func run() async throws {
        bootstrapLogging(logLevel)
        let library: ProfileLibrary
        do {
            library = try ProfileLibrary.standard(adding: legacyLibraries + libraries)
        } catch {
            throw CommandFailure("\(error)")
        }
        for line in library.overrides { Console.error("library: \(line)") }
        if let remote, let problem = await LabRun.waitForGateway(remote, seconds: 10) {
            Console.error("cannot reach the gateway at \(remote) (GET /health): \(problem)")
            throw ExitCode(2)
        }
        var options = LabRunOptions()
        options.gatewayURL = remote
        options.remoteConfigured = gatewayConfigured
        options.token = token ?? ProcessInfo.processInfo.environment["PILEGATE_API_TOKEN"]
        options.speed = speed
        options.parallel = parallel
        options.logLevel = logLevel
        options.progress = { Console.error($0) }

        let report: RunReport
        if let campaign {
            var plan = CampaignPlan(sessions: campaign, seed: seed)
            plan.concurrentPiles = campaignPiles
            plan.versions = versions
            if let piles = campaignSitePiles { plan.sites = CampaignSites(pilesPerSite: piles, gridLimitKW: campaignSiteLimit ?? 200) }
            report = try await Campaign.run(plan, library: library, options: options)
        } else {
            let scenarios: [LoadedScenario]
            do {
                scenarios = try ScenarioLoader(library: library).load(paths: paths)
            } catch {
                Console.error("\(error)")
                throw ExitCode(2)
            }
            let cases = ScenarioCase.expand(scenarios, library: library, repeat: `repeat`).filter { versions.isEmpty || versions.contains($0.version) }
            guard !cases.isEmpty else {
                Console.error("no case of these scenarios runs at OCPP \(versions.map(\.label).joined(separator: " or "))")
                throw ExitCode(2)
            }
            if remote != nil {
                let configured = scenarios.filter { $0.gatewayConfigurationFile != nil }.map(\.file)
                if !configured.isEmpty {
                    let names = configured.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")
                    Console.error(
                        gatewayConfigured
                            ? "note: \(configured.count) scenario(s) name a gateway configuration; --gateway-configured says \(remote ?? "") has it: \(names)"
                            : "note: \(configured.count) scenario(s) name a gateway configuration a remote gateway cannot be given from here; their cases are skipped (--gateway-configured runs them): \(names)")
                }
            }
            Console.error("running \(cases.count) case(s) from \(scenarios.count) scenario(s) at \(speed)× against \(remote ?? "an embedded gateway"), \(parallel) at a time")
            report = try await LabRun.run(cases, library: library, options: options)
        }
        try write(report)
        let summary = CompatibilityMatrix(report)
        Console.error(
            String(
                format: "%d passed (%d clean), %d failed, %d skipped of %d in %.1f s; compatibility %.1f %% (passed and clean)", report.passed,
                report.compatible, report.failed, report.skipped, report.results.count, report.wallSeconds, summary.overallRate * 100))
        let rates = summary.networks.map { ($0.name, $0) } + (summary.versions.count > 1 ? summary.versions.map { ("OCPP \($0.name)", $0) } : [])
        for (name, rate) in rates {
            Console.error(
                String(format: "  %-12@ %5.1f %% (%d/%d; %d passed)", name as NSString, rate.rate * 100, rate.compatible, rate.total, rate.passed))
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
