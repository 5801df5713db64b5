import Foundation

/// Power at a moment, kW: a reading, or a site's readings added up.
struct PowerPoint: Sendable, Equatable {
    var time: Date
    var kW: Double
}

/// A stretch of time above a limit: from the first reading above it to the next reading
/// that is not (or the last reading), and how far above it went.
struct OverLimitStretch: Sendable, Equatable {
    var start: Date
    var seconds: Double
    var worstKW: Double
}

/// Over-limit stretches summed up: what a site's report says about them.
public struct OverLimitSummary: Sendable, Codable, Equatable {
    public var stretches: Int
    public var longestSeconds: Double
    public var totalSeconds: Double
    /// The worst overshoot, kW above the limit (0 when never above).
    public var worstKW: Double

    init(_ stretches: [OverLimitStretch]) {
        self.stretches = stretches.count
        longestSeconds = stretches.map(\.seconds).max() ?? 0
        totalSeconds = stretches.reduce(0) { $0 + $1.seconds }
        worstKW = stretches.map(\.worstKW).max() ?? 0
    }
}

/// Measured power as step functions: each reading holds until the next, as the gateway
/// reads a pile's meter. The lab judges a site's total from these, never from what the
/// simulator knows, so the verdict is what a real site's meters would show.
enum SitePowerSeries {
    /// The sum, at every reading time, of each session's latest Power.Active.Import
    /// (W in, kW out). A session counts from its first reading to its last, since piles
    /// sample at their own times; each list is in time order.
    static func totals(_ sessions: [[LabSample]]) -> [PowerPoint] {
        let times = Set(sessions.flatMap { $0.map(\.time) }).sorted()
        var cursors = [Int](repeating: -1, count: sessions.count)
        var points: [PowerPoint] = []
        points.reserveCapacity(times.count)
        for time in times {
            var total = 0.0
            for (s, readings) in sessions.enumerated() {
                guard let first = readings.first, let last = readings.last, first.time <= time, time <= last.time else { continue }
                // Readings and times both ascend: each cursor only moves forward.
                while cursors[s] + 1 < readings.count, readings[cursors[s] + 1].time <= time { cursors[s] += 1 }
                if cursors[s] >= 0 { total += readings[cursors[s]].value / 1000 }
            }
            points.append(PowerPoint(time: time, kW: total))
        }
        return points
    }

    /// The stretches where `points` (a step function) stay above `limit` plus the
    /// tolerance; a nil limit is no limit at that moment.
    static func stretches(_ points: [PowerPoint], toleranceKW: Double, limit: (Date) -> Double?) -> [OverLimitStretch] {
        var stretches: [OverLimitStretch] = []
        var open: OverLimitStretch?
        for point in points {
            let excess = limit(point.time).map { point.kW - $0 } ?? -.infinity
            if excess > toleranceKW {
                var stretch = open ?? OverLimitStretch(start: point.time, seconds: 0, worstKW: excess)
                stretch.worstKW = max(stretch.worstKW, excess)
                stretch.seconds = point.time.timeIntervalSince(stretch.start)
                open = stretch
            } else if var stretch = open {
                stretch.seconds = point.time.timeIntervalSince(stretch.start)
                stretches.append(stretch)
                open = nil
            }
        }
        if let open { stretches.append(open) }
        return stretches
    }

    /// The Power.Active.Import readings of a session, in time order.
    static func power(_ samples: [LabSample]) -> [LabSample] {
        samples.filter { $0.measurand == "Power.Active.Import" && $0.value.isFinite }.sorted { $0.time < $1.time }
    }
}
