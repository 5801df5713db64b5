import Foundation
import Synchronization

/// Live counters of a running fleet, updated by every pile from any thread.
public final class FleetStats: PileObserver, Sendable {
    public struct Snapshot: Sendable, Codable, Equatable {
        public var piles = 0
        public var connected = 0
        public var booted = 0
        public var charging = 0
        public var queued = 0
        public var sessionsStarted = 0
        public var sessionsCompleted = 0
        public var energyKWh = 0.0
        public var messagesSent = 0
        public var errors: [String: Int] = [:]
        /// One whole message for each kind in `errors`, the first seen.
        public var errorExamples: [String: String] = [:]
        /// Piles that connected at least once.
        public var everConnected = 0
        /// Piles that failed to connect at least once.
        public var failedToConnect = 0
        public var stopReasons: [String: Int] = [:]
        public var elapsedSeconds = 0.0
        public var simulatedSeconds = 0.0

        public var errorCount: Int { errors.values.reduce(0, +) }
    }

    private struct State {
        var snapshot = Snapshot()
        var connected: Set<String> = []
        var everConnected: Set<String> = []
        var failedToConnect: Set<String> = []
        var booted: Set<String> = []
        var charging: Set<String> = []
        var queueDepth: [String: Int] = [:]

        mutating func count(_ kind: String, example: String) {
            snapshot.errors[kind, default: 0] += 1
            if snapshot.errorExamples[kind] == nil { snapshot.errorExamples[kind] = example }
        }
    }

    private let state = Mutex(State())
    public let started = Date()

    public init(piles: Int) { state.withLock { $0.snapshot.piles = piles } }

    public func pile(_ event: PileEvent) {
        state.withLock { s in
            switch event {
            case .connected(let pile):
                s.connected.insert(pile)
                s.everConnected.insert(pile)
            case .disconnected(let pile): s.connected.remove(pile)
            case .booted(let pile, let status):
                if status == "Accepted" { s.booted.insert(pile) } else { s.count("boot \(status)", example: "\(pile): BootNotification answered \(status)") }
            case .sessionStarted(let pile, let connector, _):
                s.snapshot.sessionsStarted += 1
                s.charging.insert("\(pile)#\(connector)")
            case .sessionStopped(let pile, let connector, let energyWh, let reason):
                s.snapshot.sessionsCompleted += 1
                s.snapshot.energyKWh += energyWh / 1000
                s.snapshot.stopReasons[reason, default: 0] += 1
                s.charging.remove("\(pile)#\(connector)")
            case .sent:
                s.snapshot.messagesSent += 1
            case .callFailed(let pile, let action, let error):
                s.count("\(action): \(Self.kind(of: error))", example: "\(pile): \(error)")
            case .connectFailed(let pile, let cause, let detail):
                s.failedToConnect.insert(pile)
                s.count("connect: \(cause)", example: "\(pile): \(detail)")
            case .queued(let pile, let depth):
                s.queueDepth[pile] = depth == 0 ? nil : depth
            }
        }
    }

    /// Error texts grouped by their first words, so thousands of piles make a short list.
    static func kind(of error: String) -> String {
        String(error.prefix { $0 != "(" && $0 != ":" }.prefix(60)).trimmingCharacters(in: .whitespaces)
    }

    public func snapshot(clock: VirtualClock? = nil) -> Snapshot {
        state.withLock { s in
            var snapshot = s.snapshot
            snapshot.connected = s.connected.count
            snapshot.everConnected = s.everConnected.count
            snapshot.failedToConnect = s.failedToConnect.count
            snapshot.booted = s.booted.count
            snapshot.charging = s.charging.count
            snapshot.queued = s.queueDepth.values.reduce(0, +)
            snapshot.elapsedSeconds = Date().timeIntervalSince(started)
            if let clock { snapshot.simulatedSeconds = clock.now().timeIntervalSince(clock.simulatedStart) }
            return snapshot
        }
    }
}
