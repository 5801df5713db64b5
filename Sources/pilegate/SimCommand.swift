import ArgumentParser
import Foundation
import OCPPWebSocket
import Simulator

struct Sim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run simulated piles of the partner networks against a gateway.",
        discussion: """
            Examples:
              pilegate sim --fleet demo --speed 60 --duration 30s
              pilegate sim --profile nio-640 --count 100
              pilegate sim --fleet xiaomi-partners --shard 1/2
              pilegate sim --library ./my-profiles --profile my-pile --count 5
            The profiles of the repository's Simulators/ are built in, so this
            runs from any folder. --library DIR (repeatable) adds a folder of your
            own (piles/, vehicles/, fleets/): a profile there replaces a built-in
            of the same id.
            At --speed X the charging runs X times faster; by default (--clock
            wall) the timestamps the piles send and their heartbeats follow the
            wall clock, so the gateway's clock checks hold (docs/simulator.md).
            Exit status 1 when no pile could connect (or, with a single pile,
            whenever it failed to), with the causes counted; otherwise 0.
            """)

    @Option(help: "The gateway's OCPP endpoint (ws://HOST:PORT/PATH); pile identities are appended.")
    var gateway = "ws://127.0.0.1:8180/ocpp"

    @OptionGroup var fleetOptions: FleetOptions

    @Option(help: "Write the fleet's registry (pile positions and power, as a gateway configuration) to this file and exit.")
    var writeRegistry: String?

    func validate() throws {
        do {
            try OCPPClient.validate(endpoint: gateway)
        } catch {
            throw ValidationError("--gateway \(gateway): \(error)")
        }
    }

    func run() async throws {
        let (fleet, library) = try fleetOptions.load()
        if let writeRegistry {
            let entries = FleetRegistry.chargePoints(fleet, library: library, seed: fleetOptions.seed)
            do {
                try FleetRegistry.write(entries, to: writeRegistry, fleetName: fleet.name)
            } catch {
                throw CommandFailure("cannot write \(writeRegistry): \(error)")
            }
            Console.line("sim: wrote the registry of \(entries.count) piles of fleet \(fleet.name) to \(writeRegistry)")
            return
        }
        let stats = try await fleetOptions.run(
            fleet: fleet, library: library, endpoint: gateway, label: "sim", timestamps: fleetOptions.clock ?? .wall)
        try fleetOptions.writeSummary(stats)
        try FleetOptions.checkConnections(stats, endpoint: gateway, label: "sim")
    }
}

/// Options shared by `sim` and `demo`.
struct FleetOptions: ParsableArguments {
    @Option(help: "Fleet: a built-in one (demo, xiaomi-partners), one from --library, or a YAML file.")
    var fleet: String?

    @Option(help: "A homogeneous fleet of this pile model instead of --fleet (e.g. nio-640).")
    var profile: String?

    @Option(parsing: .unconditional, help: "Number of piles with --profile (1…1000000).", transform: Arguments.pileCount)
    var count = 10

    @Option(parsing: .unconditional, help: "Shrink (or grow) the fleet by this factor, e.g. 0.01.", transform: Arguments.scale)
    var scale = 1.0

    @Option(
        parsing: .unconditional, help: "Simulated time runs this many times faster than wall time (default: 1; demo: 120).",
        transform: Arguments.speed)
    var speed: Double?

    @Option(
        parsing: .unconditional, help: "How long to run (wall clock): 90, 90s, 5m, 1h. Default: until Ctrl-C.",
        transform: Arguments.duration)
    var duration: Double?

    @Option(parsing: .unconditional, help: "Piles connected per second.", transform: Arguments.ramp)
    var ramp = 500.0

    @Option(
        parsing: .unconditional,
        help: "Run only shard i of n of the fleet (1-based), e.g. 2/4, to split a fleet over processes or machines.",
        transform: Arguments.shard)
    var shard = Arguments.Shard(index: 1, count: 1)

    @Option(parsing: .unconditional, help: "Seed for identities, arrivals and vehicles (default: the fleet's).", transform: Arguments.seed)
    var seed: UInt64?

    @Option(
        name: .customLong("library"),
        help: ArgumentHelp(
            "A folder of your own profiles (piles/, vehicles/, fleets/) on top of the built-in ones; a profile there replaces a built-in of the same id. Repeatable; later folders win.",
            valueName: "dir"))
    var libraries: [String] = []

    /// The earlier name of `--library` (it used to replace the built-ins; now it adds to them).
    @Option(name: .customLong("simulators"), help: .hidden)
    var legacyLibraries: [String] = []

    @Option(
        help: ArgumentHelp(
            "At --speed ≠ 1, what the piles' timestamps and heartbeats follow: wall (they agree with the gateway's clock; sim's default) or simulated (they run fast too; the gateway must not judge clocks, clockTolerance: 0; demo's default)."))
    var clock: VirtualClock.Timestamps?

    @Option(help: "Write the summary as JSON to this file.")
    var json: String?

    @Option(help: "Keep offline transaction queues in this folder, so they survive a restart.")
    var queueDirectory: String?

    @Option(help: "HTTP Basic password every pile logs in with (security profiles 1 and 2); overrides the fleet's credentials.")
    var password: String?

    @Option(help: "PEM CA the gateway's TLS certificate must verify against (wss://); default: the system's roots.")
    var ca: String?

    @Option(help: "Folder of client certificates ID.pem and ID-key.pem (security profile 3), e.g. pki/piles from pilegate certs.")
    var certificates: String?

    @Option(help: "What the piles get wrong when they log in: lowercase-basic, other-pile-certificate, plain-fallback (repeatable).")
    var loginQuirk: [LoginQuirk] = []

    @Option(help: "The ws:// URL piles with the plain-fallback login quirk connect to once TLS has failed.")
    var plainFallback: String?

    /// The piles' credentials: the options, over the fleet's.
    func credentials(for fleet: FleetProfile) throws -> PileCredentialsSource? {
        guard password != nil || ca != nil || certificates != nil || !loginQuirk.isEmpty || plainFallback != nil else { return nil }
        let base = fleet.credentials ?? FleetProfile.Credentials()
        let source = PileCredentialsSource(
            password: password ?? base.password, passwords: password == nil ? base.passwords ?? [:] : [:], caFile: ca ?? base.ca,
            certificateDirectory: certificates ?? base.certificates,
            loginQuirks: Set(loginQuirk.isEmpty ? base.loginQuirks ?? [] : loginQuirk), plainFallback: plainFallback ?? base.plainFallback)
        do {
            try source.validate()
        } catch {
            throw CommandFailure("\(error)")
        }
        return source
    }

    /// Every profile folder given, in order.
    var allLibraries: [String] { legacyLibraries + libraries }

    func loadLibrary() throws -> ProfileLibrary {
        do {
            return try ProfileLibrary.standard(adding: allLibraries)
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    func load() throws -> (FleetProfile, ProfileLibrary) {
        let library = try loadLibrary()
        for line in library.overrides { Console.line("library: \(line)") }
        var loaded: FleetProfile
        if let profile {
            guard library.piles[profile] != nil else {
                throw ValidationError("unknown pile profile \(profile); known: \(library.piles.keys.sorted().joined(separator: ", "))")
            }
            loaded = .homogeneous(pile: profile, count: count, vehicles: library.vehicles.keys.sorted())
        } else {
            let name = fleet ?? "demo"
            if name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.contains("/") {
                do {
                    loaded = try library.loadFleet(name)
                } catch {
                    throw CommandFailure("\(error)")
                }
            } else if let known = library.fleets[name] {
                loaded = known
            } else {
                throw ValidationError("unknown fleet \(name); known: \(library.fleets.keys.sorted().joined(separator: ", ")) (or give a YAML file)")
            }
        }
        if scale != 1 {
            let planned = loaded.groups.reduce(0.0) { $0 + max(1, (Double($1.count) * scale).rounded()) }
            guard planned <= Double(Arguments.maximumPiles) else {
                throw ValidationError("--scale \(scale) makes fleet \(loaded.name) \(Int(planned)) piles; at most \(Arguments.maximumPiles)")
            }
            loaded = loaded.scaled(by: scale)
        }
        guard shard.count <= loaded.pileCount else {
            throw ValidationError("--shard \(shard): fleet \(loaded.name) has \(loaded.pileCount) piles, too few for \(shard.count) shards")
        }
        return (loaded, library)
    }

    /// Exit status 1, with the causes, when no pile ever connected, or when the only pile failed to.
    static func checkConnections(_ stats: FleetStats.Snapshot, endpoint: String, label: String) throws {
        let failures = stats.errors.filter { $0.key.hasPrefix("connect: ") }
        let causes = failures.sorted { $0.value > $1.value }.map { "\($0.key.dropFirst("connect: ".count)) × \($0.value)" }.joined(separator: ", ")
        if stats.piles > 0 && stats.everConnected == 0 {
            Console.error("\(label): no pile could connect to \(endpoint): \(causes.isEmpty ? "no attempt finished" : causes)")
            for (kind, example) in stats.errorExamples.sorted(by: { $0.key < $1.key }) where kind.hasPrefix("connect: ") {
                Console.error("  e.g. \(example)")
            }
            throw ExitCode(1)
        }
        if stats.piles == 1 && stats.failedToConnect > 0 {
            Console.error("\(label): the pile failed to connect to \(endpoint): \(causes)")
            throw ExitCode(1)
        }
        if stats.failedToConnect > 0 {
            Console.error("\(label): warning: \(stats.failedToConnect) of \(stats.piles) piles failed to connect at least once (\(causes)); \(stats.piles - stats.everConnected) never connected")
        }
    }

    /// Runs the fleet with live progress; returns the last figures.
    /// `during` runs beside the fleet (the demo's scans) and is cancelled when the run ends.
    func run(
        fleet: FleetProfile, library: ProfileLibrary, endpoint: String, label: String, timestamps: VirtualClock.Timestamps,
        during: (@Sendable (FleetRunner) async -> Void)? = nil
    ) async throws -> FleetStats.Snapshot {
        var options = FleetRunner.Options(endpoint: endpoint)
        options.speed = speed ?? 1
        options.timestamps = timestamps
        options.ramp = ramp
        (options.shardIndex, options.shardCount) = (shard.index - 1, shard.count)
        options.seed = seed
        options.queueDirectory = queueDirectory
        options.credentials = try credentials(for: fleet)
        let seconds = duration
        let runner = try FleetRunner(fleet: fleet, library: library, options: options)
        let clockNote = options.speed == 1 ? "" : ", timestamps on the \(timestamps == .wall ? "wall" : "simulated") clock"
        Console.line("\(label): fleet \(fleet.name), \(runner.pileCount) pile\(runner.pileCount == 1 ? "" : "s") (shard \(shard)) → \(endpoint), speed ×\(options.speed)\(clockNote)")
        let signals = SignalWaiter.install()
        let progress = Progress(stats: runner.stats, clock: runner.clock)
        let reporter = Task { await progress.report() }
        try await runner.start()
        let side = during.map { body in Task { await body(runner) } }
        // Until the duration ends or Ctrl-C, whichever comes first.
        let deadline = seconds.map { $0 - runner.stats.snapshot().elapsedSeconds }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await signals.wait() }
            if let deadline { group.addTask { try? await Task.sleep(for: .milliseconds(Int(max(deadline, 0) * 1000))) } }
            await group.next()
            group.cancelAll()
        }
        side?.cancel()
        await side?.value
        let final = runner.stats.snapshot(clock: runner.clock)
        reporter.cancel()
        progress.finish()
        // Leave the gateway no open session: the next run on the same store starts clean.
        let undelivered = await runner.endSessions()
        if undelivered > 0 { Console.line("\(label): \(undelivered) messages still queued at the end (piles offline or unanswered)") }
        await runner.stop()
        Console.line(Progress.summary(final))
        return final
    }

    func writeSummary(_ snapshot: FleetStats.Snapshot) throws {
        guard let json else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(snapshot).write(to: URL(fileURLWithPath: json))
    }
}

/// Live progress: a line rewritten in place on a terminal, a log line every 5 s otherwise.
struct Progress: Sendable {
    let stats: FleetStats
    let clock: VirtualClock
    let terminal = isatty(STDOUT_FILENO) == 1

    func report() async {
        var lastSent = 0
        var lastTime = Date()
        var reported: Set<String> = []
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(terminal ? 500 : 5000))
            if Task.isCancelled { return }
            let s = stats.snapshot(clock: clock)
            // Each kind of error once, as it first happens: the cause is what a person acts on.
            for (kind, example) in s.errorExamples.sorted(by: { $0.key < $1.key }) where reported.insert(kind).inserted {
                let retry = kind.hasPrefix("connect: ") ? "; retrying with back-off" : ""
                Console.write((terminal ? "\r\u{1B}[2K" : "") + "error: \(kind) (first: \(example))\(retry)\n")
            }
            let now = Date()
            let rate = Double(s.messagesSent - lastSent) / max(now.timeIntervalSince(lastTime), 0.001)
            (lastSent, lastTime) = (s.messagesSent, now)
            let simulated = Int(s.simulatedSeconds)
            let line = String(
                format: "%5.0fs (sim %02d:%02d:%02d)  connected %d/%d  booted %d  charging %d  sessions %d done %d  %.1f kWh  queued %d  errors %d  %.0f msg/s",
                s.elapsedSeconds, simulated / 3600, simulated / 60 % 60, simulated % 60, s.connected, s.piles, s.booted, s.charging,
                s.sessionsStarted, s.sessionsCompleted, s.energyKWh, s.queued, s.errorCount, rate)
            if terminal { Console.write("\r\u{1B}[2K" + line) } else { Console.line(line) }
        }
    }

    func finish() { if terminal { Console.write("\n") } }

    static func summary(_ s: FleetStats.Snapshot) -> String {
        var lines = [
            "summary: \(s.piles) pile\(s.piles == 1 ? "" : "s"), \(s.connected) connected at the end, \(s.booted) booted",
            String(format: "  sessions started %d, completed %d, energy %.1f kWh, messages sent %d, in %.1f s (%.1f h simulated)",
                   s.sessionsStarted, s.sessionsCompleted, s.energyKWh, s.messagesSent, s.elapsedSeconds, s.simulatedSeconds / 3600),
        ]
        if !s.stopReasons.isEmpty {
            lines.append("  stop reasons: " + s.stopReasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        lines.append(s.errors.isEmpty ? "  errors: none" : "  errors: " + s.errors.sorted { $0.value > $1.value }.map { "\($0.key) × \($0.value)" }.joined(separator: "; "))
        return lines.joined(separator: "\n")
    }
}

/// Unbuffered output, so progress shows through pipes too.
enum Console {
    static func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
    static func line(_ text: String) { write(text + "\n") }
}

extension VirtualClock.Timestamps: ExpressibleByArgument {}

extension LoginQuirk: ExpressibleByArgument {}
