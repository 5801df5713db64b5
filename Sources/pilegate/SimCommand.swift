import ArgumentParser
import Foundation
import Simulator

struct Sim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run simulated piles of the partner networks against a gateway.",
        discussion: """
            Examples:
              pilegate sim --gateway ws://127.0.0.1:8180/ocpp --fleet demo --speed 60 --duration 2m
              pilegate sim --gateway ws://127.0.0.1:8180/ocpp --profile nio-640 --count 100
              pilegate sim --gateway ws://127.0.0.1:8180/ocpp --fleet xiaomi-partners --shard 1/2
            Profiles live in Simulators/ (piles/, vehicles/, fleets/); --simulators points elsewhere.
            """)

    @Option(help: "The gateway's OCPP endpoint; pile identities are appended.")
    var gateway = "ws://127.0.0.1:8180/ocpp"

    @OptionGroup var fleetOptions: FleetOptions

    @Option(help: "Write the fleet's registry (pile positions and power, as a gateway configuration) to this file and exit.")
    var writeRegistry: String?

    func run() async throws {
        let (fleet, library) = try fleetOptions.load()
        if let writeRegistry {
            let entries = FleetRegistry.chargePoints(fleet, library: library, seed: fleetOptions.seed)
            do {
                try FleetRegistry.write(entries, to: writeRegistry, fleetName: fleet.name)
            } catch {
                throw ValidationError("cannot write \(writeRegistry): \(error)")
            }
            Console.line("sim: wrote the registry of \(entries.count) piles of fleet \(fleet.name) to \(writeRegistry)")
            return
        }
        let stats = try await fleetOptions.run(fleet: fleet, library: library, endpoint: gateway, label: "sim")
        try fleetOptions.writeSummary(stats)
    }
}

/// Options shared by `sim` and `demo`.
struct FleetOptions: ParsableArguments {
    @Option(help: "Fleet: a name from Simulators/fleets (e.g. demo, xiaomi-partners) or a YAML file.")
    var fleet: String?

    @Option(help: "A homogeneous fleet of this pile model instead of --fleet (e.g. nio-640).")
    var profile: String?

    @Option(help: "Number of piles with --profile.")
    var count = 10

    @Option(help: "Shrink (or grow) the fleet by this factor, e.g. 0.01.")
    var scale = 1.0

    @Option(help: "Simulated time runs this many times faster than wall time (default: 1; demo: 120).")
    var speed: Double?

    @Option(help: "How long to run (wall clock): 90, 90s, 5m, 1h. Default: until Ctrl-C.")
    var duration: String?

    @Option(help: "Piles connected per second.")
    var ramp = 500.0

    @Option(help: "Run only shard i of n of the fleet (1-based), e.g. 2/4, to split a fleet over processes or machines.")
    var shard = "1/1"

    @Option(help: "Seed for identities, arrivals and vehicles (default: the fleet's).")
    var seed: UInt64?

    @Option(help: "Folder with piles/, vehicles/ and fleets/.")
    var simulators = "Simulators"

    @Option(help: "Write the summary as JSON to this file.")
    var json: String?

    @Option(help: "Keep offline transaction queues in this folder, so they survive a restart.")
    var queueDirectory: String?

    func load() throws -> (FleetProfile, ProfileLibrary) {
        let library: ProfileLibrary
        do {
            library = try ProfileLibrary(root: simulators)
        } catch {
            throw ValidationError("\(error)")
        }
        var loaded: FleetProfile
        if let profile {
            guard library.piles[profile] != nil else {
                throw ValidationError("unknown pile profile \(profile); known: \(library.piles.keys.sorted().joined(separator: ", "))")
            }
            guard count > 0 else { throw ValidationError("--count must be positive") }
            loaded = .homogeneous(pile: profile, count: count, vehicles: library.vehicles.keys.sorted())
        } else {
            let name = fleet ?? "demo"
            if name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.contains("/") {
                do {
                    loaded = try library.loadFleet(name)
                } catch {
                    throw ValidationError("\(error)")
                }
            } else if let known = library.fleets[name] {
                loaded = known
            } else {
                throw ValidationError("unknown fleet \(name); known: \(library.fleets.keys.sorted().joined(separator: ", "))")
            }
        }
        guard scale > 0 else { throw ValidationError("--scale must be positive") }
        if scale != 1 { loaded = loaded.scaled(by: scale) }
        return (loaded, library)
    }

    var shardParts: (Int, Int) {
        get throws {
            let parts = shard.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2, parts[1] >= 1, (1...parts[1]).contains(parts[0]) else {
                throw ValidationError("--shard must be i/n with 1 ≤ i ≤ n, got \(shard)")
            }
            return (parts[0] - 1, parts[1])
        }
    }

    var durationSeconds: Double? {
        get throws {
            guard let duration else { return nil }
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
            let unit = duration.last.flatMap { units[$0] }
            let number = unit == nil ? duration : String(duration.dropLast())
            guard let value = Double(number), value > 0 else {
                throw ValidationError("--duration must look like 90, 90s, 5m or 1h, got \(duration)")
            }
            return value * (unit ?? 1)
        }
    }

    /// Runs the fleet with live progress; returns the last figures.
    /// `during` runs beside the fleet (the demo's scans) and is cancelled when the run ends.
    func run(
        fleet: FleetProfile, library: ProfileLibrary, endpoint: String, label: String,
        during: (@Sendable (FleetRunner) async -> Void)? = nil
    ) async throws -> FleetStats.Snapshot {
        var options = FleetRunner.Options(endpoint: endpoint)
        options.speed = speed ?? 1
        guard options.speed > 0 else { throw ValidationError("--speed must be positive") }
        options.ramp = ramp
        (options.shardIndex, options.shardCount) = try shardParts
        options.seed = seed
        options.queueDirectory = queueDirectory
        let seconds = try durationSeconds
        let runner = try FleetRunner(fleet: fleet, library: library, options: options)
        Console.line("\(label): fleet \(fleet.name), \(runner.pileCount) piles (shard \(shard)) → \(endpoint), speed ×\(options.speed)")
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
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(terminal ? 500 : 5000))
            if Task.isCancelled { return }
            let s = stats.snapshot(clock: clock)
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
            "summary: \(s.piles) piles, \(s.connected) connected at the end, \(s.booted) booted",
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
