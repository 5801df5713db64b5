import Foundation
import Synchronization

/// Recent boots per identity across connections, for boot.reconnect-loop: the one rule
/// that needs history a single connection's `ComplianceState` cannot hold. Touched once
/// per boot and per Reset, never per frame, so one lock is fine at any load. A pile keeps
/// at most `bootLoopCount` timestamps; piles whose last boot left its window are swept.
final class BootLoopWatch: Sendable {
    private struct Pile {
        /// Boots within the window, oldest first, at most the loop count.
        var boots: [Date] = []
        /// This episode was reported: no second finding until a window passes without a boot.
        var reported = false
        /// The last boot was not Accepted: the next one is the retry the gateway asked for.
        var refused = false
        var window: Double = 0
    }
    private struct State {
        var piles: [String: Pile] = [:]
        var sweepAt = 1_024
    }
    private let state = Mutex(State())

    /// Notes a pile's first boot on a new connection. Returns how many boots fell within
    /// `seconds` when this one makes `count` of them and the episode was not reported yet.
    func booted(_ identity: String, at time: Date, accepted: Bool, count: Int, within seconds: Double) -> Int? {
        state.withLock { state in
            var pile = state.piles[identity] ?? Pile()
            if pile.refused { pile.boots = [] }
            pile.boots.removeAll { $0 < time.addingTimeInterval(-seconds) || $0 > time }
            if pile.boots.isEmpty { pile.reported = false }
            if pile.boots.count >= count { pile.boots.removeFirst(pile.boots.count - count + 1) }
            pile.boots.append(time)
            pile.refused = !accepted
            pile.window = seconds
            let loop = pile.boots.count >= count && !pile.reported
            if loop { pile.reported = true }
            state.piles[identity] = pile
            if state.piles.count >= state.sweepAt {
                state.piles = state.piles.filter { ($0.value.boots.last ?? .distantPast) >= time.addingTimeInterval(-$0.value.window) }
                state.sweepAt = max(1_024, 2 * state.piles.count)
            }
            return loop ? pile.boots.count : nil
        }
    }

    /// The gateway asked for a reboot (Reset, UpdateFirmware): boots before it do not count.
    func rebootRequested(_ identity: String) {
        state.withLock { state in
            state.piles[identity]?.boots = []
        }
    }
}
