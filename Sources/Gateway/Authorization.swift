import Foundation
import OCPP
import SessionStore
import Synchronization

/// Decides whether an id tag may charge: the configuration file's verdicts first, then
/// the store's id tags, then the open/closed default; ConcurrentTx when the tag already
/// charges elsewhere.
public final class Authorizer: Sendable {
    private let entries: [String: GatewayConfiguration.IdTagEntry]
    private let stored = Mutex<[String: GatewayConfiguration.IdTagEntry]>([:])
    private let acceptUnknown: Bool
    /// Running transactions by lower-cased id tag (1.6 id tags are case-insensitive).
    private let active = Mutex<[String: Set<ActiveTransaction>]>([:])

    public struct ActiveTransaction: Hashable, Sendable {
        public let chargePointId: String
        public let connectorId: Int
        public let transactionId: Int64
    }

    /// Accounts' id tags are known too (a blocked account's tag is Blocked); the
    /// configuration's `idTags` list has the last word.
    public init(configuration: GatewayConfiguration) {
        // A plug-and-charge pile starts with the car's VIN as its id tag.
        let accounts = configuration.accounts.flatMap { account in
            ([account.idTag] + [account.vin].compactMap { $0 }).map {
                GatewayConfiguration.IdTagEntry(idTag: $0, status: account.blocked ? .blocked : .accepted, expiryDate: account.expires)
            }
        }
        entries = Dictionary((accounts + configuration.idTags).map { ($0.idTag.lowercased(), $0) }, uniquingKeysWith: { _, last in last })
        acceptUnknown = configuration.acceptUnknownIdTags
    }

    /// The verdict for Authorize.
    public func authorize(_ idTag: String, now: Date = Date()) -> TokenVerdict {
        guard let entry = entries[idTag.lowercased()] ?? stored.withLock({ $0[idTag.lowercased()] }) else {
            return TokenVerdict(status: acceptUnknown ? .accepted : .invalid)
        }
        if entry.status == .accepted, let expiry = entry.expiryDate, expiry < now {
            return TokenVerdict(status: .expired, expiry: expiry, group: entry.parentIdTag)
        }
        return TokenVerdict(status: entry.status, expiry: entry.expiryDate, group: entry.parentIdTag)
    }

    /// Replaces the id tags read from the store.
    public func load(stored records: [IdTagRecord]) {
        let map = Dictionary(
            records.map { record in
                let status = TokenStatus(rawValue: record.status) ?? .invalid
                return (record.idTag.lowercased(), GatewayConfiguration.IdTagEntry(
                    idTag: record.idTag, status: status, expiryDate: record.expiryDate, parentIdTag: record.parentIdTag))
            }, uniquingKeysWith: { _, last in last })
        stored.withLock { $0 = map }
    }

    /// The verdict for StartTransaction: as Authorize, but ConcurrentTx when the tag has a
    /// transaction running on another connector.
    public func authorizeStart(_ idTag: String, chargePointId: String, connectorId: Int, now: Date = Date()) -> TokenVerdict {
        var info = authorize(idTag, now: now)
        guard info.status == .accepted else { return info }
        let running = active.withLock { $0[idTag.lowercased()] ?? [] }
        if running.contains(where: { $0.chargePointId != chargePointId || $0.connectorId != connectorId }) {
            info.status = .concurrentTx
        }
        return info
    }

    public func transactionStarted(_ tx: ActiveTransaction, idTag: String) {
        active.withLock { _ = $0[idTag.lowercased(), default: []].insert(tx) }
    }

    public func transactionEnded(chargePointId: String, transactionId: Int64) {
        active.withLock { map in
            for (tag, set) in map {
                let remaining = set.filter { !($0.chargePointId == chargePointId && $0.transactionId == transactionId) }
                if remaining.count != set.count { map[tag] = remaining.isEmpty ? nil : remaining }
            }
        }
    }
}
