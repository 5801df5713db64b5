import ArgumentParser
import Foundation
import Gateway
import HTTPAPI
import Logging
import SessionStore
import Simulator
import YAMLConfig

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "An embedded gateway on SQLite and a small fleet from every network, with scan-to-charge sessions and receipts.",
        discussion: """
            Starts the gateway on a free local port with the store in
            pilegate.sqlite (or --db), priced by the built-in gateway/demo.yaml (a
            --library folder's gateway/demo.yaml replaces it), runs the demo fleet
            against it with live progress, scans a few piles from the app's
            accounts (one of them stopped from the app), then prints what the
            gateway recorded and the scanned sessions' receipts. Open the printed
            dashboard address while it runs. Everything stays on 127.0.0.1; it
            runs from any folder. The piles' timestamps follow the simulated clock
            (--clock simulated), so receipts span a fast-forward day; the embedded
            gateway does not judge their clocks.
            """)

    @Option(help: "Store for the embedded gateway.")
    var db = "sqlite:pilegate.sqlite"

    @Option(
        parsing: .unconditional, help: "How many scan-to-charge sessions to start from the app's accounts (0…1000).",
        transform: { try Arguments.integer($0, 0...1000, "the number of scans must be a whole number from 0 to 1000") })
    var scans = 4

    @OptionGroup var fleetOptions: FleetOptions

    @Option(help: "Gateway log level (trace … critical).")
    var logLevel: Logger.Level = .warning

    func run() async throws {
        bootstrapLogging(logLevel)
        var options = fleetOptions
        if options.duration == nil { options.duration = 60 }
        if options.speed == nil { options.speed = 120 }
        if options.fleet == nil && options.profile == nil { options.fleet = "demo" }
        let (fleet, library) = try options.load()
        let timestamps = options.clock ?? .simulated

        var configuration = GatewayConfiguration()
        if let priced = library.gatewayConfigurations["demo"] {
            do {
                configuration = try YAMLConfig.decode(GatewayConfiguration.self, from: priced.text, file: priced.name)
                try configuration.validate(file: priced.name)
            } catch {
                throw CommandFailure("\(error)")
            }
        } else {
            Console.line("demo: no gateway/demo.yaml in the library; running without tariffs or accounts")
        }
        configuration.chargePoints = FleetRegistry.chargePoints(fleet, library: library, seed: options.seed)
        // Recommendations estimate with the built-in vehicles, and a --library folder's on top.
        if let folder = options.allLibraries.last(where: { FileManager.default.fileExists(atPath: "\($0)/vehicles") }) {
            configuration.vehicles = "\(folder)/vehicles"
        }
        // On the simulated clock the demo's piles run ahead of the gateway's: without this every
        // pile would be flagged for its clock and heartbeats.
        if options.speed != 1 && timestamps == .simulated { configuration.clockTolerance = 0 }
        configuration.api.token = APIAccess.randomToken()
        let gateway = try await RunningGateway.start(
            host: "127.0.0.1", port: 0, db: db, configuration: configuration, node: "demo", reusePort: false)
        let base = "http://127.0.0.1:\(gateway.port)"
        Console.line("demo: gateway on ws://127.0.0.1:\(gateway.port)/ocpp, dashboard \(base)/, API \(base)/api, store \(db)")
        let driver = ScanDriver(gateway: gateway.gateway, accounts: configuration.accounts, vehicles: library.vehicles, scans: scans)
        let stats = try await options.run(
            fleet: fleet, library: library, endpoint: "ws://127.0.0.1:\(gateway.port)/ocpp", label: "demo", timestamps: timestamps,
            during: { runner in await driver.drive(runner) })
        try await gateway.store.flush()
        try await report(gateway, scanned: driver.scanned)
        try options.writeSummary(stats)
        try await gateway.shutdown()
        try FleetOptions.checkConnections(stats, endpoint: "the embedded gateway", label: "demo")
    }

    private func report(_ running: RunningGateway, scanned: [Int64]) async throws {
        let store = running.store
        let sessions = try await store.sessions(chargePointId: nil, status: nil, limit: 10_000)
        let completed = sessions.filter { $0.status == .completed }
        let energy = Double(completed.compactMap(\.energyWh).reduce(0, +)) / 1000
        let billed = completed.compactMap(\.costFen).reduce(0, +)
        Console.line(
            String(
                format: "gateway recorded: %d sessions (%d completed, %.1f kWh, %@ billed), %d frames, %d piles", sessions.count,
                completed.count, energy, Self.yuan(billed), try await store.frameCount(), try await store.chargePoints().count))
        for id in scanned {
            guard let detail = try await store.session(id: id) else { continue }
            let s = detail.session
            guard let receipt = running.gateway.receipt(for: s, samples: detail.samples) else {
                Console.line("  scanned session \(id) on \(s.chargePointId)#\(s.connectorId): \(s.status.rawValue)\(s.failure.map { " (\($0))" } ?? "")")
                continue
            }
            let tiers = receipt.lines.map { String(format: "%@ %.1f kWh", $0.tier, Double($0.energyWh) / 1000) }.joined(separator: ", ")
            Console.line(
                "  receipt for session \(id) (\(s.account ?? "-") on \(s.chargePointId)#\(s.connectorId), \(s.status.rawValue), stop \(s.stopReason ?? "-")): "
                    + "\(tiers.isEmpty ? "no energy" : tiers); electricity \(Self.yuan(receipt.electricityFen)), service \(Self.yuan(receipt.serviceFen)), "
                    + "idle \(receipt.idleMinutes) min \(Self.yuan(receipt.idleFen)), discount −\(Self.yuan(receipt.discountFen)), "
                    + "total \(Self.yuan(receipt.totalFen))\(receipt.final ? "" : " (not final)")")
        }
        Console.line("inspect: sqlite3 \(db.replacingOccurrences(of: "sqlite:", with: "")) 'select * from sessions'")
    }

    static func yuan(_ fen: Int64) -> String { String(format: "¥%.2f", Double(fen) / 100) }
}
