import Foundation
import Simulator
import Synchronization

/// Collects what a scenario's pile reports: the sessions it started and stopped, and
/// the energy its register advanced by in each (what the car received).
final class CaseObserver: PileObserver {
    struct Stopped: Sendable {
        let connector: Int
        let energyWh: Double
        let reason: String
    }

    private let state = Mutex<(stopped: [Stopped], started: [Int], callFailures: [String])>(([], [], []))

    func pile(_ event: PileEvent) {
        switch event {
        case .sessionStopped(_, let connector, let energyWh, let reason):
            state.withLock { $0.stopped.append(Stopped(connector: connector, energyWh: energyWh, reason: reason)) }
        case .sessionStarted(_, _, let transactionId):
            state.withLock { $0.started.append(transactionId) }
        case .callFailed(_, let action, let error):
            state.withLock { $0.callFailures.append("\(action): \(error)") }
        default:
            break
        }
    }

    var stopped: [Stopped] { state.withLock { $0.stopped } }
    var callFailures: [String] { state.withLock { $0.callFailures } }
}
