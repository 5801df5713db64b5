import Foundation
import NIOCore

/// Simulated time running `speed` times faster than wall time, so a 30-minute charge can
/// take seconds. Every timestamp a simulated pile sends is read from here.
public struct VirtualClock: Sendable {
    public let speed: Double
    public let simulatedStart: Date
    public let wallStart: Date

    public init(speed: Double = 1, simulatedStart: Date = Date(), wallStart: Date = Date()) {
        self.speed = max(speed, 0.001)
        self.simulatedStart = simulatedStart
        self.wallStart = wallStart
    }

    public func now() -> Date {
        simulatedStart.addingTimeInterval(Date().timeIntervalSince(wallStart) * speed)
    }

    /// Wall time for `seconds` of simulated time, at least a millisecond.
    public func wallDelay(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64(max(seconds / speed, 0.001) * 1e9))
    }
}
