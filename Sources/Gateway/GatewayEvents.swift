import Foundation
import SessionStore
import Synchronization

/// What changed, for live views (the dashboard's Server-Sent Events). Events are made
/// only while someone listens, so a gateway nobody watches pays one atomic load per change.
public enum GatewayEvent: Sendable {
    case status(ConnectorStatusRecord)
    case connection(chargePointId: String, connected: Bool, at: Date)
    case session(SessionRecord, LiveFigures)
    case finding(FindingRecord)
}

/// A session's figures while it runs: last power, energy so far, state of charge, cost so far.
public struct LiveFigures: Sendable, Equatable, Codable {
    public var powerKW: Double?
    public var energyKWh: Double
    public var soc: Double?
    public var elapsedSeconds: Double
    public var costFen: Int64?

    public init(powerKW: Double?, energyKWh: Double, soc: Double?, elapsedSeconds: Double, costFen: Int64?) {
        self.powerKW = powerKW
        self.energyKWh = energyKWh
        self.soc = soc
        self.elapsedSeconds = elapsedSeconds
        self.costFen = costFen
    }
}

/// Fans events out to subscribers. A subscriber that falls `buffer` events behind is
/// ended (its stream finishes), so it never slows the gateway, holds unbounded memory, or
/// misses events without knowing.
public final class GatewayEvents: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<GatewayEvent>.Continuation]>([:])
    private let listening = Atomic<Int>(0)
    private let nextId = Atomic<Int>(0)

    public init() {}

    public var hasSubscribers: Bool { listening.load(ordering: .relaxed) > 0 }

    /// `event` is built only when someone listens.
    public func publish(_ event: @autoclosure () -> GatewayEvent) {
        guard hasSubscribers else { return }
        let value = event()
        for continuation in subscribers.withLock({ Array($0.values) }) {
            if case .dropped = continuation.yield(value) { continuation.finish() }
        }
    }

    public func subscribe(buffer: Int = 1000) -> AsyncStream<GatewayEvent> {
        let id = nextId.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<GatewayEvent>.makeStream(bufferingPolicy: .bufferingNewest(buffer))
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            if self.subscribers.withLock({ $0.removeValue(forKey: id) }) != nil {
                self.listening.subtract(1, ordering: .relaxed)
            }
        }
        subscribers.withLock { $0[id] = continuation }
        listening.add(1, ordering: .relaxed)
        return stream
    }
}
