// Re-balancing cost of station load management (docs/benchmarks.md): 1,000 sites × 8
// piles over an hour of simulated time, arrivals and departures at fleet rates, a meter
// value per pile a minute, the timer every 30 s. Drives the gateway's own SiteState (the
// allocator and the push decisions), with every push accepted at once, as in a quiet
// network; prints CPU per re-balance and SetChargingProfile messages per minute.
//
//   nice swift build -c release --build-path .build-release
//   .build-release/release/rebalance_bench [sites] [piles-per-site] [minutes] [threshold-kW]
import Foundation
import Gateway
import OCPP

extension SeededRandom {
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    /// Exponentially distributed with this mean.
    mutating func exponential(_ mean: Double) -> Double { -mean * log(max(1e-12, 1 - unit())) }
}

/// One connector: idle until `until`, or charging a car whose power tapers near its end.
struct Connector {
    var session: Int64?
    var until: Double
    var started: Double = 0
    var carKW: Double = 0
}

/// This thread's CPU time, s (the benchmark runs on one thread).
func cpuSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let siteCount = arguments.count > 0 ? max(1, arguments[0]) : 1_000
let pilesPerSite = arguments.count > 1 ? max(1, arguments[1]) : 8
let minutes = arguments.count > 2 ? max(1, arguments[2]) : 60
let thresholdKW = arguments.count > 3 ? Double(max(0, arguments[3])) : 1
let meanChargeSeconds = 40.0 * 60, meanIdleSeconds = 15.0 * 60, pileKW = 120.0

var settings = SiteSettings(id: "bench", gridLimitKW: Double(pilesPerSite) * pileKW * 0.5)
settings.thresholdKW = thresholdKW
settings.rebalanceSeconds = 30
var random = SeededRandom(seed: 14)
let start = Date(timeIntervalSince1970: 1_800_000_000)
var states = [SiteState](repeating: SiteState(), count: siteCount)
var connectors = (0..<siteCount).map { _ in (0..<pilesPerSite).map { _ in Connector(session: nil, until: random.exponential(meanIdleSeconds)) } }
var dirty = [Bool](repeating: true, count: siteCount)
var nextTimer = (0..<siteCount).map { _ in random.unit() * settings.rebalanceSeconds }
var nextId: Int64 = 1
var rebalances = 0, pushes = 0, arrivals = 0, departures = 0, meterValues = 0
var rebalanceCPU = 0.0, worst = 0.0
let total = cpuSeconds()

for second in 0..<(minutes * 60) {
    let t = Double(second)
    let now = start.addingTimeInterval(t)
    for s in 0..<siteCount {
        for c in 0..<pilesPerSite {
            var connector = connectors[s][c]
            if let id = connector.session {
                if t >= connector.until {
                    states[s].stop(sessionId: id)
                    connector = Connector(session: nil, until: t + random.exponential(meanIdleSeconds))
                    departures += 1
                    dirty[s] = true
                } else if (second + c) % 60 == 0 {
                    // The car's curve: full power, then a linear taper over the last third.
                    let progress = (t - connector.started) / max(1, connector.until - connector.started)
                    let curve = progress < 2.0 / 3 ? connector.carKW : connector.carKW * max(0.1, 3 * (1 - progress))
                    let drawn = min(curve, states[s].askedLimitKW(sessionId: id) ?? pileKW)
                    meterValues += 1
                    if states[s].measured(sessionId: id, kW: drawn, at: now, settings: settings) { dirty[s] = true }
                }
            } else if t >= connector.until {
                connector.session = nextId
                connector.started = t
                connector.until = t + random.exponential(meanChargeSeconds)
                connector.carKW = 40 + random.unit() * 160
                states[s].start(chargePointId: "S\(s)-P\(c)", connectorId: 1, sessionId: nextId, version: .v16, maxKW: pileKW, floorKW: 0, at: now)
                nextId += 1
                arrivals += 1
                dirty[s] = true
            }
            connectors[s][c] = connector
        }
        if t >= nextTimer[s] {
            nextTimer[s] = t + settings.rebalanceSeconds
            dirty[s] = true
        }
        // Triggers within a second become one re-balance, as the manager's settle delay makes them.
        guard dirty[s] else { continue }
        dirty[s] = false
        let before = cpuSeconds()
        let planned = states[s].plan(settings, now: now)
        for push in planned { states[s].answered(push, answer: "Accepted", accepted: true, rejected: false, sentAt: now, at: now) }
        let spent = cpuSeconds() - before
        rebalanceCPU += spent
        worst = max(worst, spent)
        rebalances += 1
        pushes += planned.count
    }
}

let elapsed = cpuSeconds() - total
print("sites \(siteCount) × piles \(pilesPerSite), \(minutes) simulated minutes, site limit \(settings.gridLimitKW ?? 0) kW, threshold \(settings.thresholdKW) kW")
print("arrivals \(arrivals), departures \(departures), meter values \(meterValues)")
print(String(format: "re-balances %d (%.0f per minute); CPU per re-balance %.1f µs mean (thread CPU clock around each plan)", rebalances, Double(rebalances) / Double(minutes), 1e6 * rebalanceCPU / Double(max(1, rebalances))))
print(String(format: "slowest re-balance %.1f µs", 1e6 * worst))
print(String(format: "SetChargingProfile %d: %.0f per minute, %.2f per session", pushes, Double(pushes) / Double(minutes), Double(pushes) / Double(max(1, arrivals))))
print(String(format: "whole run CPU %.2f s (re-balancing %.2f s)", elapsed, rebalanceCPU))
