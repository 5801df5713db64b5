import Synchronization

/// What the gateway's own operations (local lists) keep in memory across piles: who wants
/// to hear of an accepted boot, and which piles have a local-list sync under way.
final class OperationsState: Sendable {
    private let bootObservers = Mutex<[@Sendable (String) -> Void]>([])
    private let syncing = Mutex<Set<String>>([])

    func onAcceptedBoot(_ observer: @escaping @Sendable (String) -> Void) {
        bootObservers.withLock { $0.append(observer) }
    }

    /// Called after the pile's BootNotification was answered Accepted.
    func acceptedBoot(_ chargePointId: String) {
        for observer in bootObservers.withLock({ $0 }) { observer(chargePointId) }
    }

    /// Takes the pile's local-list lock; false when a sync of it is under way.
    func beginSync(_ chargePointId: String) -> Bool {
        syncing.withLock { $0.insert(chargePointId).inserted }
    }

    func endSync(_ chargePointId: String) {
        _ = syncing.withLock { $0.remove(chargePointId) }
    }
}
