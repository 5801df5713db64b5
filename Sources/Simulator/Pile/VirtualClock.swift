import Foundation
import NIOCore

/// Simulated time running `speed` times faster than wall time, so a 30-minute charge can
/// take seconds. The physics (charging, arrivals, dwell, meter sampling) runs on it.
///
/// What the piles *tell* the gateway about time follows `timestamps`: on `.simulated` the
/// timestamps they send are simulated time too and the heartbeat interval is simulated
/// seconds (a consistent fast-forward day; the gateway must not judge clocks, e.g.
/// `clockTolerance: 0`); on `.wall` every timestamp is the wall-clock moment of the
/// simulated event and intervals the gateway sets (heartbeat, boot retry) are wall
/// seconds, so any central system's clock checks hold while the charging runs fast.
/// At speed 1 the two are the same.
public struct VirtualClock: Sendable {
    public enum Timestamps: String, Sendable, CaseIterable, Codable {
        case simulated, wall
    }

    public let speed: Double
    public let simulatedStart: Date
    public let wallStart: Date
    public let timestamps: Timestamps

    public init(speed: Double = 1, simulatedStart: Date = Date(), wallStart: Date = Date(), timestamps: Timestamps = .simulated) {
        self.speed = max(speed, 0.001)
        self.simulatedStart = simulatedStart
        self.wallStart = wallStart
        self.timestamps = timestamps
    }

    public func now() -> Date {
        simulatedStart.addingTimeInterval(Date().timeIntervalSince(wallStart) * speed)
    }

    /// The time a pile writes into a message about the simulated moment `time`.
    public func stamp(_ time: Date) -> Date {
        guard timestamps == .wall, speed != 1 else { return time }
        return wallStart.addingTimeInterval(time.timeIntervalSince(simulatedStart) / speed)
    }

    /// The simulated moment a time read off the wire names (the inverse of `stamp`).
    public func unstamp(_ time: Date) -> Date {
        guard timestamps == .wall, speed != 1 else { return time }
        return simulatedStart.addingTimeInterval(time.timeIntervalSince(wallStart) * speed)
    }

    /// Wall time for `seconds` of simulated time, at least a millisecond.
    public func wallDelay(_ seconds: Double) -> TimeAmount {
        Self.amount(seconds / speed)
    }

    /// Wall time for an interval of the protocol the gateway sets (HeartbeatInterval, the
    /// boot retry interval): simulated seconds, or wall seconds on `.wall` timestamps.
    public func protocolDelay(_ seconds: Double) -> TimeAmount {
        timestamps == .wall ? Self.amount(seconds) : wallDelay(seconds)
    }

    /// At least a millisecond, at most ~31 years (an interval read off the wire must not overflow).
    static func amount(_ seconds: Double) -> TimeAmount {
        let clamped = seconds.isNaN ? 0.001 : min(max(seconds, 0.001), 1e9)
        return .nanoseconds(Int64(clamped * 1e9))
    }
}
