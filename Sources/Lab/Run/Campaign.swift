import EVModel
import Foundation
import Gateway
import HTTPAPI
import Logging
import NIOCore
import NIOPosix
import OCPP
import Simulator
import Synchronization

/// A campaign: the pile matrix repeated with varied vehicles, states of charge and
/// seeds, many sessions on many piles at once, each session checked against what the
/// gateway recorded.
public struct CampaignPlan: Sendable {
    public var sessions: Int
    public var seed: UInt64
    /// Piles running at once, spread evenly over the pile models.
    public var concurrentPiles = 400
    /// Pile profile ids; empty: every profile.
    public var piles: [String] = []
    public var arrivalSoC: ClosedRange<Double> = 10...60
    /// How far each car charges above its arrival state of charge.
    public var chargeSoC: ClosedRange<Double> = 10...30
    /// Each pile model at each of these versions (its variant of that version, ProfileLibrary.variant);
    /// empty: each profile at its own, which mixes the library's 1.6 and 2.0.1 models.
    public var versions: [OCPPVersion] = []
    /// MeterValuesSampleInterval of the campaign's piles, simulated seconds: fewer readings, more sessions per second.
    public var meterValueSampleInterval = 300
    /// Piles grouped into managed sites; the report then measures each site against its limit.
    public var sites: CampaignSites?

    public init(sessions: Int, seed: UInt64) {
        self.sessions = sessions
        self.seed = seed
    }
}

extension CampaignPlan {
    /// The pile models the campaign spreads its piles over, each once.
    func profiles(_ library: ProfileLibrary) -> [PileProfile] {
        let own = (piles.isEmpty ? library.piles.keys.sorted() : piles).compactMap { library.piles[$0] }
        guard !versions.isEmpty else { return own }
        var seen = Set<String>()
        return own.flatMap { profile in versions.map { library.variant(of: profile, speaking: $0) } }
            .filter { seen.insert("\($0.id) \($0.ocppVersion.rawValue)").inserted }
    }
}

public enum Campaign {
    public static func run(_ plan: CampaignPlan, library: ProfileLibrary, options: LabRunOptions) async throws -> RunReport {
        let started = Date()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var logger = Logger(label: "pilegate.lab")
        logger.logLevel = options.logLevel
        var running: RunningGateway?
        var directory: URL?
        let profiles = plan.profiles(library)
        let members = (0..<max(plan.concurrentPiles, 1)).map { i -> (identity: String, profile: PileProfile) in
            var profile = profiles[i % profiles.count]
            profile.meterValueSampleInterval = plan.meterValueSampleInterval
            return (String(format: "CAMP-%@-%05d", profile.id.uppercased(), i + 1), profile)
        }
        let view: any GatewayView
        if let url = options.gatewayURL {
            view = RemoteGatewayView(http: GatewayHTTP(base: url, token: options.token))
        } else {
            var configuration = GatewayConfiguration()
            configuration.durability = "normal"
            // Simulated time runs thousands of times faster: keep heartbeats to one a simulated day.
            configuration.heartbeatInterval = 86_400
            // The piles' clocks run ahead of the gateway's: the clock and heartbeat rules would fire on every pile.
            configuration.clockTolerance = 0
            plan.sites?.configure(&configuration, piles: members)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-campaign-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            directory = dir
            let gateway = try await RunningGateway.start(
                host: "127.0.0.1", port: 0, db: "sqlite:\(dir.appendingPathComponent("campaign.sqlite").path)", configuration: configuration,
                node: "campaign", reusePort: false, threads: 1, logger: logger)
            running = gateway
            view = EmbeddedGatewayView(running: gateway, token: options.token)
        }
        defer { if let directory { try? FileManager.default.removeItem(at: directory) } }

        let vehicles = library.vehicles.keys.sorted().compactMap { library.vehicles[$0] }
        let tracker = CampaignTracker(total: plan.sessions, progress: options.progress)
        var context = SimulationContext(endpoint: view.ocppEndpoint, clock: VirtualClock(speed: options.speed), observer: tracker)
        context.callTimeout = .seconds(60)
        var piles: [(PileHandle, PileProfile)] = []
        for (i, (identity, profile)) in members.enumerated() {
            piles.append((PileHandle(identity: identity, profile: profile, context: context, eventLoop: group.next(), seed: plan.seed &+ UInt64(i)), profile))
        }
        options.progress("campaign: \(plan.sessions) sessions on \(piles.count) piles of \(profiles.count) models with \(vehicles.count) vehicles at \(Int(options.speed))×")
        for (i, (pile, _)) in piles.enumerated() {
            pile.start()
            if i % 50 == 49 { try await Task.sleep(for: .milliseconds(20)) }
        }

        let next = SessionCounter(limit: plan.sessions)
        await withTaskGroup(of: Void.self) { tasks in
            for (pile, profile) in piles {
                for connector in 1...max(profile.connectors, 1) {
                    tasks.addTask {
                        await drive(pile: pile, profile: profile, connector: connector, plan: plan, vehicles: vehicles, next: next, tracker: tracker, speed: options.speed)
                    }
                }
            }
        }
        options.progress(String(format: "campaign: every connector done after %.1f s; delivering queued messages", Date().timeIntervalSince(started)))
        // Let every queue drain, then read everything back.
        let drainDeadline = Date().addingTimeInterval(300)
        for (pile, _) in piles {
            while Date() < drainDeadline, (try? await pile.run({ $0.queuedMessages > 0 && $0.isConnected })) == true {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        try await view.settle()
        let frames = (try? await running?.store.frameCount()).flatMap { $0 }.map { ", \($0) frames recorded" } ?? ""
        options.progress(String(format: "campaign: queues delivered after %.1f s%@; checking every session against the gateway's records", Date().timeIntervalSince(started), frames))
        let results = try await tracker.results(view: view, gatewayStore: running)
        let sites = try await plan.sites?.report(view: view, piles: members.map(\.identity))
        if let sites { options.progress(CampaignSites.summary(sites)) }
        for (pile, _) in piles { pile.stop() }
        if let running { try? await running.shutdown() }
        try? await group.shutdownGracefully()
        return RunReport(
            startedAt: started, wallSeconds: Date().timeIntervalSince(started), speed: options.speed,
            gateway: options.gatewayURL ?? "embedded", results: results, sites: sites)
    }

    /// One connector's sessions, one after another, until the campaign has them all.
    static func drive(
        pile: PileHandle, profile: PileProfile, connector: Int, plan: CampaignPlan, vehicles: [VehicleProfile], next: SessionCounter,
        tracker: CampaignTracker, speed: Double
    ) async {
        // Wait for the boot (bounded).
        let bootDeadline = Date().addingTimeInterval(120)
        while Date() < bootDeadline, (try? await pile.run({ $0.registration == .Accepted && $0.isConnected })) != true {
            try? await Task.sleep(for: .milliseconds(20))
        }
        while true {
            guard let index = next.take() else { return }
            var random = SeededRandom(seed: plan.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index))
            let vehicle = vehicles[Int(random.next() % UInt64(vehicles.count))]
            let soc = random.uniform(plan.arrivalSoC.lowerBound, plan.arrivalSoC.upperBound).rounded()
            let target = min(100, soc + random.uniform(plan.chargeSoC.lowerBound, plan.chargeSoC.upperBound).rounded())
            let session = CampaignTracker.Planned(
                index: index, pile: pile.identity, connector: connector, profile: profile, vehicle: vehicle.id, soc: soc, target: target)
            let stopped = tracker.expect(session)
            let idTag = String(format: "CAMP%06d", index)
            let canCharge = ChargingPhysics.power(vehicle: vehicle, pile: profile, soc: soc, grantedKW: profile.maxPowerKW) > 0
            _ = try? await pile.run { $0.plugIn(connector: connector, vehicle: vehicle, soc: soc, targetSoC: target, idTag: idTag) }
            // The transaction begins once the gateway has authorized the tag (bounded wait).
            let startDeadline = Date().addingTimeInterval(60)
            // (A short charge at high speed may also have ended already.)
            while Date() < startDeadline, !stopped.fired, (try? await pile.run({ $0.session(on: connector)?.transaction != nil })) == false {
                try? await Task.sleep(for: .milliseconds(5))
            }
            // A car that takes no power here (pack voltage above the pile's) waits two simulated minutes, then leaves.
            let simulated = canCharge ? 6 * 3600.0 : 120
            _ = await stopped.wait(wallSeconds: simulated / speed + (canCharge ? 60 : 0))
            _ = try? await pile.run { $0.unplug(connector: connector) }
            _ = await stopped.wait(wallSeconds: 30)
        }
    }
}

/// Hands out session numbers 0..<limit to the connectors that ask, each once.
final class SessionCounter: Sendable {
    private let next = Mutex(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func take() -> Int? {
        next.withLock { value -> Int? in
            guard value < limit else { return nil }
            value += 1
            return value - 1
        }
    }
}
