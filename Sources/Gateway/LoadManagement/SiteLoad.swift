import CoreMetrics
import Foundation
import Synchronization

/// One managed site at run time: its settings, its state behind its own lock (so piles of
/// different sites never wait for each other), its one re-balancing worker and its metrics.
final class SiteLoad: Sendable {
    let settings: SiteSettings
    let state = Mutex(SiteState())
    /// At most one worker per site: triggers while it runs only mark it dirty.
    private let worker = Mutex((running: false, dirty: false))
    let powerGauge: Gauge
    let limitGauge: Gauge
    let allocatedGauge: Gauge

    init(settings: SiteSettings) {
        self.settings = settings
        let site = [("site", settings.id)]
        powerGauge = Gauge(label: "pilegate_site_power_kw", dimensions: site)
        limitGauge = Gauge(label: "pilegate_site_limit_kw", dimensions: site)
        allocatedGauge = Gauge(label: "pilegate_site_allocated_kw", dimensions: site)
    }

    /// Asks for a re-balance. Returns true when the caller must start the worker (none runs).
    func trigger() -> Bool {
        worker.withLock { w in
            if w.running {
                w.dirty = true
                return false
            }
            w.running = true
            w.dirty = false
            return true
        }
    }

    /// The worker starts a round: what triggered it so far is being handled.
    func beginRound() { worker.withLock { $0.dirty = false } }

    /// The worker finished a round: true when it must run another (a trigger came meanwhile);
    /// otherwise it stops (`last`: it stops regardless, the timer takes what remains).
    func endRound(last: Bool) -> Bool {
        worker.withLock { w in
            if w.dirty && !last { return true }
            w.running = false
            return false
        }
    }

    /// Publishes the site's figures after a re-balance.
    func updateGauges(now: Date) {
        let (measured, allocated) = state.withLock { ($0.measuredKW, $0.allocatedKW) }
        powerGauge.record(measured)
        allocatedGauge.record(allocated)
        limitGauge.record(settings.limitKW(at: now) ?? 0)
    }
}
