import Foundation
import OCPP

/// What one connection remembers to judge its next frame: connector statuses, the
/// transactions it saw, recent message ids, heartbeat timing. Kept on the connection's
/// event loop inside `ChargePointSession`; empty collections cost nothing until used, so
/// an idle pile holds a few words of it.
///
/// The view is this connection's only: after a reconnect the gateway starts afresh and
/// rules that need history (stop-before-start, missing statuses) stay silent rather than guess.
struct ComplianceState {
    /// A transaction as this connection saw it.
    struct Transaction {
        var connectorId: Int
        /// Nil when the StartTransaction came on an earlier connection.
        var startTime: Date?
        var meterStartWh: Double?
        /// The highest energy register reading so far (meterStart first), Wh.
        var highestEnergyWh: Double?
        /// When the highest reading was taken, by the pile's clock.
        var highestEnergyAt: Date?
        /// A Charging/SuspendedEV/SuspendedEVSE status was reported while it ran.
        var sawChargingStatus = false
        /// The start was Accepted, so the pile should charge (status rule applies).
        var accepted = false
        /// One energy finding per transaction is enough to say the meter misbehaves.
        var energyFindingMade = false
        /// Its StopTransaction came.
        var stopped = false
        /// Power and energy since the last register reading (MeterPhysics.swift).
        var meter = MeterTrack()

        // State rules (StateChecks.swift).
        /// The start's tag, to judge the stop's.
        var idTag: String?
        /// Its token was answered Blocked, Invalid or Expired.
        var refusal: Refusal?
        /// The StopTransaction was received (before the store answered it).
        var stopReceived = false
        /// The first Transaction.Begin reading: when, and its register if it had one.
        var begin: (time: Date, wh: Double?)?
        var beginRepeatFlagged = false
        /// The pile rebooted since it started: a new start there is no concurrent one.
        var rebooted = false
    }

    /// A refused transaction's allowance: energy counts from `baselineWh`, readings and
    /// statuses from `since` (pile clock; nil: every later one).
    struct Refusal {
        var since: Date?
        var baselineWh: Double?
        /// The refused start was the pile's newest message (not from an offline queue), so its
        /// stop's figures show only what it delivered after the refusal.
        var live = false
        var flagged = false
    }

    let openedAt: Date
    /// The last status per connector on this connection.
    var statuses: [Int: ConnectorState] = [:]
    /// Transactions by id: running, and the last stopped one per connector.
    var transactions: [Int64: Transaction] = [:]
    /// Connectors with a StartTransaction received but not yet answered (docs/ocpp-notes.md, pitfall 8).
    var startingConnectors = ConnectorSet()
    /// Connectors whose transaction stopped here and that reported no status since.
    var awaitingStatusAfterStop = ConnectorSet()
    /// Per connector, the pile's timestamps of its latest status and latest charging-like
    /// status, so statuses that arrive before the transaction messages they follow (by the
    /// pile's clock) still count for them.
    var statusTimes: [Int: (any: Date, charging: Date)] = [:]
    var recentCalls = RecentCalls()
    /// Rules recorded once per connection that have been (FindingRule.recorded).
    var recordedOnce: Set<String> = []

    /// The heartbeat interval(s) the pile may be using: BootNotification.conf's, widened by a
    /// ChangeConfiguration of HeartbeatInterval. Nil while the pile is not Accepted.
    var heartbeatInterval: ClosedRange<Double>?
    var lastHeartbeat: Date?
    var lastIncoming: Date?
    /// When we last asked for a message with TriggerMessage (a triggered Heartbeat is not too frequent).
    var lastTrigger: Date?
    /// Status runs and configuration for the state rules.
    var state = StateMemory()

    // Boots on this connection (RPCDisciplineChecks.swift).
    /// The hash of the message id of the boot Accepted on this connection (a resend of it is
    /// no new boot; a hash, so no string is kept); nil before it, or when refused.
    var acceptedBoot: Int?
    /// We sent Reset or TriggerMessage(BootNotification) since: the next boot is asked for.
    var bootRequested = false
    /// This connection's first boot has gone to the cross-connection loop watch.
    var bootCounted = false

    init(openedAt: Date, heartbeatInterval: Double) {
        self.openedAt = openedAt
        self.heartbeatInterval = heartbeatInterval...heartbeatInterval
    }

    mutating func noteStatusTime(_ time: Date, connectorId: Int, charging: Bool) {
        let previous = statusTimes[connectorId] ?? (.distantPast, .distantPast)
        statusTimes[connectorId] = (max(previous.any, time), charging ? max(previous.charging, time) : previous.charging)
    }

    func runningTransaction(onConnector connectorId: Int) -> Int64? {
        transactions.first { $0.value.connectorId == connectorId && !$0.value.stopped }?.key
    }

    /// Forgets what a reboot resets: statuses, running transactions as we knew them.
    mutating func pileRebooted() {
        statuses = [:]
        startingConnectors = ConnectorSet()
        awaitingStatusAfterStop = ConnectorSet()
        lastHeartbeat = nil
        state.pileRebooted()
        for id in transactions.keys { transactions[id]?.rebooted = true }
    }
}

/// A set of connector ids kept in one word for ids 0–63 (every real pile), so the
/// insert-then-remove churn of each transaction allocates nothing.
struct ConnectorSet {
    private var bits: UInt64 = 0
    private var others: Set<Int> = []

    init() {}

    func contains(_ id: Int) -> Bool { (0..<64).contains(id) ? bits & (1 << UInt64(id)) != 0 : others.contains(id) }

    mutating func insert(_ id: Int) {
        if (0..<64).contains(id) { bits |= 1 << UInt64(id) } else { others.insert(id) }
    }

    /// Removes `id`; true when it was there.
    @discardableResult
    mutating func remove(_ id: Int) -> Bool {
        guard contains(id) else { return false }
        if (0..<64).contains(id) { bits &= ~(1 << UInt64(id)) } else { others.remove(id) }
        return true
    }
}

/// The ids and contents of the last 64 CALLs of a connection, as one 64-bit word each
/// (40 bits of the id's hash, 24 of the content's): 512 bytes per pile instead of the
/// strings, allocated at the first CALL. Two different ids share a word with odds of
/// 2^-40 per pair, so a false "reuse" is not expected in a 70,000-session campaign; two
/// contents sharing 24 bits only hide a reuse.
struct RecentCalls {
    static let capacity = 64
    private var words: [UInt64] = []
    private var next = 0
    private static let idMask: UInt64 = 0xFF_FFFF_FFFF << 24

    /// Remembers the CALL and tells whether its id was used for a different CALL before
    /// (a resend of the same CALL with the same id is not a reuse).
    mutating func reused(id: String, action: String, payload: JSON) -> Bool {
        var hasher = Hasher()
        hasher.combine(action)
        hasher.combine(payload)
        let word = UInt64(bitPattern: Int64(id.hashValue)) & Self.idMask | UInt64(bitPattern: Int64(hasher.finalize())) & 0xFF_FFFF
        if let index = words.firstIndex(where: { $0 & Self.idMask == word & Self.idMask }) { return words[index] != word }
        if words.count < Self.capacity {
            if words.isEmpty { words.reserveCapacity(Self.capacity) }
            words.append(word)
        } else {
            words[next] = word
            next = (next + 1) % Self.capacity
        }
        return false
    }
}
