import Foundation
import OCPP
import NIOCore
import NIOPosix

/// One pile of a fleet as planned: identity, model and where it stands.
public struct PlannedPile: Sendable, Equatable {
    public let identity: String
    public let profileId: String
    public let station: String
    public let city: String
    public let latitude: Double
    public let longitude: Double
}

/// Runs a fleet: plans its piles (this shard's share), connects them at the ramp rate
/// over spread source addresses, and lets vehicles arrive until the duration ends.
public final class FleetRunner: Sendable {
    public struct Options: Sendable {
        public var endpoint: String
        public var speed: Double = 1
        /// What the piles' timestamps and heartbeats follow at speed ≠ 1 (see `VirtualClock`).
        public var timestamps: VirtualClock.Timestamps = .simulated
        /// Wall-clock seconds to run; nil runs until `stop()`.
        public var duration: Double?
        /// Piles connected per second.
        public var ramp: Double = 500
        public var shardIndex = 0
        public var shardCount = 1
        public var seed: UInt64?
        /// Source addresses 127.0.0.1 … 127.0.0.N; 0 picks one per 20,000 piles.
        public var sourceAddresses = 0
        public var threads = System.coreCount
        public var queueDirectory: String?
        /// Passwords and TLS files; the fleet's `credentials` when not given.
        public var credentials: PileCredentialsSource?

        public init(endpoint: String) { self.endpoint = endpoint }
    }

    public let fleet: FleetProfile
    public let library: ProfileLibrary
    public let options: Options
    public let plan: [PlannedPile]
    public let stats: FleetStats
    public let clock: VirtualClock
    private let group: MultiThreadedEventLoopGroup
    private let handles: [PileHandle]

    public init(fleet: FleetProfile, library: ProfileLibrary, options: Options) throws {
        self.fleet = fleet
        self.library = library
        self.options = options
        let plan = Self.plan(
            fleet, library: library, shardIndex: options.shardIndex, shardCount: options.shardCount, seed: options.seed ?? fleet.seed)
        self.plan = plan
        stats = FleetStats(piles: plan.count)
        clock = VirtualClock(speed: options.speed, timestamps: options.timestamps)
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, options.threads))
        // One source address per 20,000 piles of the whole fleet (all shards), so shards on one
        // machine together stay below each address's ~28,000 ephemeral ports.
        let sources = options.sourceAddresses > 0 ? options.sourceAddresses : max(1, (fleet.pileCount + 19_999) / 20_000)
        var context = SimulationContext(endpoint: options.endpoint, clock: clock, observer: stats)
        context.queueDirectory = options.queueDirectory
        context.credentials = options.credentials ?? fleet.credentials.map(PileCredentialsSource.init) ?? .none
        let seed = options.seed ?? fleet.seed
        var handles: [PileHandle] = []
        handles.reserveCapacity(plan.count)
        let templates = library.piles.mapValues(PileTemplate.init)
        for (n, planned) in plan.enumerated() {
            guard let template = templates[planned.profileId] else { continue }
            var pileContext = context
            let global = n * options.shardCount + options.shardIndex
            if sources > 1 { pileContext.sourceAddress = "127.0.0.\(1 + global % sources)" }
            handles.append(
                PileHandle(
                    identity: planned.identity, template: template, context: pileContext, eventLoop: group.next(),
                    seed: seed &* 1_000_003 &+ UInt64(n)))
        }
        self.handles = handles
    }

    /// The handle of one of this runner's piles, to drive it by hand (the demo plugs cars in).
    public func handle(for identity: String) -> PileHandle? { handles.first { $0.identity == identity } }

    /// The piles of `fleet` that fall to shard `shardIndex` of `shardCount`, with
    /// identities unique per identity pattern and stations scattered around their city.
    public static func plan(_ fleet: FleetProfile, library: ProfileLibrary? = nil, shardIndex: Int = 0, shardCount: Int = 1, seed: UInt64) -> [PlannedPile] {
        var random = SeededRandom(seed: seed)
        var serials: [String: Int] = [:]
        var result: [PlannedPile] = []
        var global = 0
        for group in fleet.groups {
            let stations = (0..<group.stations).map { k -> (String, Double, Double) in
                // Uniform in a disc of radiusKm around the centre (1° latitude ≈ 111 km).
                let r = group.radiusKm * sqrt(random.uniform(0, 1)) / 111
                let theta = random.uniform(0, 2 * .pi)
                let lat = group.latitude + r * cos(theta)
                let lon = group.longitude + r * sin(theta) / max(cos(group.latitude * .pi / 180), 0.1)
                return ("\(group.city) \(group.pile) #\(k + 1)", lat, lon)
            }
            let pattern = library?.piles[group.pile]?.identityPattern ?? "\(group.pile.uppercased())-{n}"
            for k in 0..<group.count {
                let serial = serials[pattern, default: 0] + 1
                serials[pattern] = serial
                defer { global += 1 }
                guard global % shardCount == shardIndex else { continue }
                let network = library?.piles[group.pile]?.network.uppercased() ?? ""
                let identity = pattern.replacingOccurrences(of: "{n}", with: String(format: "%06d", serial))
                    .replacingOccurrences(of: "{network}", with: network)
                    .replacingOccurrences(of: "{station}", with: String(k % group.stations + 1))
                let station = stations[k % group.stations]
                result.append(
                    PlannedPile(identity: identity, profileId: group.pile, station: station.0, city: group.city, latitude: station.1, longitude: station.2))
            }
        }
        return result
    }

    public var pileCount: Int { handles.count }

    /// Starts the piles at the ramp rate and their arrivals once each has booted. Returns
    /// when every pile has been started (not when they have all connected).
    public func start() async throws {
        let arrivals = try arrivalPlan()
        let batch = max(1, Int(options.ramp / 20))
        var index = 0
        while index < handles.count {
            let started = Date()
            for handle in handles[index..<min(handles.count, index + batch)] {
                handle.start(arrivals: arrivals)
            }
            index += batch
            let wait = 0.05 - Date().timeIntervalSince(started)
            if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
        }
    }

    /// Stops every running transaction and waits (at most `timeout` seconds of wall time)
    /// until the connected piles have delivered them. Returns how many messages were still queued.
    @discardableResult
    public func endSessions(timeout: Double = 10) async -> Int {
        for handle in handles { handle.execute { $0.endSessions() } }
        let deadline = Date().addingTimeInterval(timeout)
        var queued = 0
        repeat {
            try? await Task.sleep(for: .milliseconds(100))
            queued = 0
            for handle in handles { queued += (try? await handle.run { $0.isConnected ? $0.queuedMessages : 0 }) ?? 0 }
        } while queued > 0 && Date() < deadline
        return queued
    }

    /// Stops every pile and the threads.
    public func stop() async {
        for handle in handles { handle.stop() }
        try? await Task.sleep(for: .milliseconds(300))
        try? await group.shutdownGracefully()
    }

    func arrivalPlan() throws -> ArrivalPlan {
        let vehicles = fleet.arrivals.vehicles.compactMap { share in library.vehicles[share.vehicle].map { (profile: $0, share: share.share) } }
        let soc = fleet.arrivals.arrivalSoC
        let target = fleet.arrivals.targetSoC
        return ArrivalPlan(
            perConnectorPerHour: fleet.arrivals.perConnectorPerHour, vehicles: vehicles,
            arrivalSoC: min(soc[0], soc[1])...max(soc[0], soc[1]), targetSoC: min(target[0], target[1])...max(target[0], target[1]),
            dwellMinutes: fleet.arrivals.dwellMinutes, idTagPattern: fleet.arrivals.idTagPattern)
    }
}

extension FleetProfile {
    /// `count` piles of one model around one city, every vehicle equally likely: `pilegate sim --profile ID --count N`.
    public static func homogeneous(pile: String, count: Int, vehicles: [String]) -> FleetProfile {
        FleetProfile(
            name: "\(pile) × \(count)", description: nil, seed: 1,
            groups: [Group(pile: pile, count: count, stations: max(1, count / 4), city: "Shanghai", latitude: 31.2304, longitude: 121.4737, radiusKm: 20)],
            arrivals: Arrivals(
                perConnectorPerHour: 1.5, vehicles: vehicles.map { VehicleShare(vehicle: $0, share: 1) }, arrivalSoC: [10, 40],
                targetSoC: [80, 100], dwellMinutes: 3, idTagPattern: "XIAOMI-{n}"))
    }
}
