import ArgumentParser
import Foundation
import Gateway
import HTTPAPI
import Logging
import SessionStore

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "An embedded gateway on SQLite and a small fleet from every network, charging at a visible speed.",
        discussion: """
            Starts the gateway on a free local port with the store in pilegate.sqlite (or --db),
            runs the demo fleet against it with live progress, then prints what the gateway
            recorded. Everything stays on 127.0.0.1.
            """)

    @Option(help: "Store for the embedded gateway.")
    var db = "sqlite:pilegate.sqlite"

    @OptionGroup var fleetOptions: FleetOptions

    @Option(help: "Gateway log level (trace … critical).")
    var logLevel: Logger.Level = .warning

    func run() async throws {
        bootstrapLogging(logLevel)
        var options = fleetOptions
        if options.duration == nil { options.duration = "60s" }
        if options.speed == nil { options.speed = 120 }
        if options.fleet == nil && options.profile == nil { options.fleet = "demo" }
        let (fleet, library) = try options.load()

        var configuration = GatewayConfiguration()
        configuration.heartbeatInterval = 600
        let gateway = try await RunningGateway.start(
            host: "127.0.0.1", port: 0, db: db, configuration: configuration, node: "demo", reusePort: false)
        Console.line("demo: gateway on ws://127.0.0.1:\(gateway.port)/ocpp (API http://127.0.0.1:\(gateway.port)/api), store \(db)")
        let stats = try await options.run(fleet: fleet, library: library, endpoint: "ws://127.0.0.1:\(gateway.port)/ocpp", label: "demo")
        try await gateway.store.flush()
        let sessions = try await gateway.store.sessions(chargePointId: nil, status: nil, limit: 10_000)
        let completed = sessions.filter { $0.status == .completed }
        let energy = Double(completed.compactMap(\.energyWh).reduce(0, +)) / 1000
        let frames = try await gateway.store.frameCount()
        Console.line(
            String(format: "gateway recorded: %d sessions (%d completed, %.1f kWh), %d frames, %d piles", sessions.count, completed.count, energy, frames,
                   try await gateway.store.chargePoints().count))
        // The biggest sessions first (an 800 V car on a 750 V pile records 0 kWh: it cannot charge there).
        for session in completed.sorted(by: { ($0.energyWh ?? 0) > ($1.energyWh ?? 0) }).prefix(5) {
            Console.line(
                "  session \(session.id) on \(session.chargePointId)#\(session.connectorId): \(String(format: "%.1f", Double(session.energyWh ?? 0) / 1000)) kWh, stop \(session.stopReason ?? "-")")
        }
        Console.line("inspect: sqlite3 \(db.replacingOccurrences(of: "sqlite:", with: "")) 'select * from sessions'")
        try options.writeSummary(stats)
        try await gateway.shutdown()
    }
}
