import ArgumentParser
import Foundation
import Gateway
import HTTPAPI
import Logging
import NIOCore
import NIOPosix
import OCPPWebSocket
import SessionStore
import Synchronization
import YAMLConfig

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the OCPP central system (gateway) that charge points connect to.",
        discussion: """
            Charge points connect to ws://HOST:PORT/ocpp/{chargePointId} with subprotocol ocpp1.6.
            The same port answers HTTP: the dashboard at /, GET /health, /metrics, /openapi.json and
            the API under /api (see docs/api.md). POST endpoints need the API token as a bearer token.
            Every session and every frame is recorded in the store. SIGINT or SIGTERM stops
            accepting, closes every pile with a close frame, flushes the store and exits.
            With `upstream:` in the configuration it runs as a relay (see `pilegate relay`).
            """)

    @OptionGroup var options: GatewayOptions

    func run() async throws { try await options.serve(upstream: nil) }
}

struct Relay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway in front of an operator's own backend, relaying every pile to it.",
        discussion: """
            Each pile that connects to ws://HOST:PORT/ocpp/{chargePointId} is connected
            to UPSTREAM/{chargePointId} under the same identity, with the subprotocols
            and the Authorization header it offered: the backend's choice is the pile's.
            Frames pass both ways unchanged (unless a policy says `repair: true`), both
            legs are recorded and judged (rules backend.* for the backend). While the
            backend is away the pile stays connected: Heartbeat and StatusNotification
            are answered here, transactional messages are stored and delivered in order
            when it is back. See docs/relay.md.
            """)

    @OptionGroup var options: GatewayOptions

    @Option(help: "The operator's backend: ws://HOST:PORT/PATH or wss://… (the identity is appended).")
    var upstream: String

    @Option(help: "PEM CA bundle that verifies the backend's TLS certificate (default: the system's roots).")
    var upstreamCa: String?

    @Option(help: "A secondary backend that gets a read-only copy of the piles' traffic (repeatable).")
    var mirror: [String] = []

    func run() async throws {
        var settings = UpstreamSettings(url: upstream)
        settings.ca = upstreamCa
        settings.mirrors = mirror
        try await options.serve(upstream: settings)
    }
}

/// What `serve` and `relay` share: where to listen, the store, the configuration.
struct GatewayOptions: ParsableArguments {
    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(parsing: .unconditional, help: "Port for OCPP WebSockets and the HTTP API, 1…65535 (0 picks a free one).", transform: Arguments.port)
    var port = 8180

    @Option(help: "Store: sqlite:PATH (embedded, the default).")
    var db = "sqlite:pilegate.sqlite"

    @Option(help: "YAML configuration file (heartbeat interval, registry, id tags, validation mode ...; see docs/configuration.md).")
    var config: String?

    @Option(help: "Name of this gateway process when several share one store.")
    var node = "default"

    @Flag(help: "Share the port with other gateway processes (SO_REUSEPORT), to serve more piles than one process's open-file limit.")
    var reusePort = false

    @Option(help: "Bearer token for the API's POST endpoints (also PILEGATE_API_TOKEN or `api.token` in the configuration; without one a random token is made and printed).")
    var apiToken: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    /// Runs until SIGINT or SIGTERM. `upstream` (from `relay`'s flags) wins over the
    /// configuration file's, keeping the file's other upstream settings.
    func serve(upstream: UpstreamSettings?) async throws {
        bootstrapLogging(logLevel)
        var gatewayConfiguration: GatewayConfiguration
        do {
            gatewayConfiguration = try config.map { try GatewayConfiguration.load(path: $0) } ?? GatewayConfiguration()
            if var upstream {
                if let file = gatewayConfiguration.upstream {
                    upstream.ca = upstream.ca ?? file.ca
                    upstream.mirrors = upstream.mirrors.isEmpty ? file.mirrors : upstream.mirrors
                    (upstream.certificate, upstream.key) = (file.certificate, file.key)
                    (upstream.reconnectMinSeconds, upstream.reconnectMaxSeconds) = (file.reconnectMinSeconds, file.reconnectMaxSeconds)
                    upstream.connectsPerSecond = file.connectsPerSecond
                }
                gatewayConfiguration.upstream = upstream
                try gatewayConfiguration.validate(file: "--upstream")
            }
        } catch {
            throw CommandFailure("\(error)")
        }
        let givenToken = apiToken ?? ProcessInfo.processInfo.environment["PILEGATE_API_TOKEN"] ?? gatewayConfiguration.api.token
        gatewayConfiguration.api.token = givenToken ?? APIAccess.randomToken()
        let signals = SignalWaiter.install()
        let running = try await RunningGateway.start(
            host: host, port: port, db: db, configuration: gatewayConfiguration, node: node, reusePort: reusePort)
        // Unbuffered, so supervisors and scripts reading a pipe see the address (and the
        // port `--port 0` picked) now, not at exit.
        let plain = gatewayConfiguration.security.plain
        let (ws, http) = plain ? ("ws", "http") : ("wss", "https")
        let role = gatewayConfiguration.upstream == nil ? "gateway" : "relay"
        var banner =
            "PileGate \(PileGateVersion.current) \(role) on \(running.address): OCPP at \(ws)://\(host):\(running.port)/ocpp/{chargePointId}, API at \(http)://\(host):\(running.port)/api, dashboard at \(http)://\(host):\(running.port)/, store \(db)"
        if plain, let tls = running.tlsAddress {
            banner += "; OCPP over TLS at wss://\(host):\(tls.port ?? 0)/ocpp/{chargePointId}"
        }
        if let upstream = gatewayConfiguration.upstream {
            banner += "; relaying every pile to \(upstream.url)/{chargePointId}"
            if !upstream.mirrors.isEmpty { banner += " (mirrored to \(upstream.mirrors.joined(separator: ", ")))" }
        }
        Console.line(banner)
        if givenToken == nil, let token = gatewayConfiguration.api.token {
            Console.line("API token for this run (set --api-token to choose one): \(token)")
        }
        await signals.wait()
        Console.line("shutting down: closing connections and flushing the store")
        try await running.shutdown()
    }
}

/// SIGINT and SIGTERM, caught from the moment `install()` is called (before the gateway
/// starts, so an early signal still shuts down gracefully) until `wait()` returns.
final class SignalWaiter: Sendable {
    private let state = Mutex<(fired: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))
    /// Kept alive for the process's life; never touched after set-up.
    nonisolated(unsafe) private let sources: [any DispatchSourceSignal]

    private init(sources: [any DispatchSourceSignal]) { self.sources = sources }

    static func install() -> SignalWaiter {
        let queue = DispatchQueue(label: "pilegate.signals")
        let sources = [SIGINT, SIGTERM].map { sig -> any DispatchSourceSignal in
            signal(sig, SIG_IGN)
            return DispatchSource.makeSignalSource(signal: sig, queue: queue)
        }
        let waiter = SignalWaiter(sources: sources)
        for source in sources {
            source.setEventHandler { waiter.fire() }
            source.resume()
        }
        return waiter
    }

    private func fire() {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.fired = true
            defer { state.waiter = nil }
            return state.waiter
        }
        continuation?.resume()
    }

    /// Returns on the first signal, or when the calling task is cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.fired && !Task.isCancelled { state.waiter = continuation }
                    return state.fired || Task.isCancelled
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            continuation?.resume()
        }
    }
}

/// Log lines to standard error at `level` and above.
func bootstrapLogging(_ level: Logger.Level) {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
