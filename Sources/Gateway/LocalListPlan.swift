import Foundation
import SessionStore

/// One item of a SendLocalList: an id tag with its entry, or (Differential only) without
/// one, which takes the tag off the pile's list.
public struct LocalListItem: Sendable, Equatable {
    public var idTag: String
    public var entry: LocalListEntry?

    public init(idTag: String, entry: LocalListEntry?) {
        self.idTag = idTag
        self.entry = entry
    }
}

/// One SendLocalList to send: its update type, the version it carries, its items.
public struct LocalListSend: Sendable, Equatable {
    public enum UpdateType: String, Sendable, Codable, CaseIterable { case Full, Differential }
    public var updateType: UpdateType
    public var version: Int
    public var items: [LocalListItem]
}

/// The pure part of local lists: building one from what the gateway knows, the
/// differences between two, applying updates, and splitting an update into sends the pile
/// can take. No I/O; LocalLists.swift does the talking.
public enum LocalListPlan {
    /// One entry per id tag (case-insensitively; the last given wins), sorted by id tag.
    /// Expiry times are kept to the whole second, so a list reads back from the store as it was written.
    public static func normalized(_ entries: [LocalListEntry]) -> [LocalListEntry] {
        var byKey: [String: LocalListEntry] = [:]
        for var entry in entries {
            entry.expiryDate = entry.expiryDate.map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)) }
            byKey[entry.key] = entry
        }
        return byKey.values.sorted { ($0.key, $0.idTag) < ($1.key, $1.idTag) }
    }

    /// The list from the accounts (a blocked account's tags Blocked, an account past its
    /// expiry Expired), then the configuration's `idTags`, then the store's id tags: the
    /// later source wins, as in authorization. Tags longer than `maxTagLength` (20 in 1.6,
    /// 36 in 2.0.1) cannot go on the wire and are left out.
    public static func build(
        accounts: [Account], configured: [GatewayConfiguration.IdTagEntry], stored: [IdTagRecord], maxTagLength: Int, now: Date
    ) -> [LocalListEntry] {
        var entries: [LocalListEntry] = []
        for account in accounts {
            let status: TokenStatus = account.blocked ? .blocked : (account.expires.map { $0 < now } ?? false) ? .expired : .accepted
            for tag in [account.idTag] + [account.vin].compactMap({ $0 }) {
                entries.append(LocalListEntry(idTag: tag, status: status.rawValue, expiryDate: account.expires))
            }
        }
        for entry in configured {
            let expired = entry.status == .accepted && (entry.expiryDate.map { $0 < now } ?? false)
            entries.append(
                LocalListEntry(idTag: entry.idTag, status: (expired ? .expired : entry.status).rawValue, expiryDate: entry.expiryDate, parentIdTag: entry.parentIdTag))
        }
        for record in stored {
            entries.append(LocalListEntry(idTag: record.idTag, status: record.status, expiryDate: record.expiryDate, parentIdTag: record.parentIdTag))
        }
        return normalized(entries.filter { !$0.idTag.isEmpty && $0.idTag.count <= maxTagLength && ($0.parentIdTag?.count ?? 0) <= maxTagLength })
    }

    /// The items that turn `old` into `new`: changed or added entries, and removals (no
    /// entry) for tags `new` lacks. Sorted by id tag.
    public static func differential(from old: [LocalListEntry], to new: [LocalListEntry]) -> [LocalListItem] {
        let before = Dictionary(normalized(old).map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        let after = Dictionary(normalized(new).map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        var items: [LocalListItem] = []
        for (key, entry) in after where before[key] != entry { items.append(LocalListItem(idTag: entry.idTag, entry: entry)) }
        for (key, entry) in before where after[key] == nil { items.append(LocalListItem(idTag: entry.idTag, entry: nil)) }
        return items.sorted { $0.idTag.lowercased() < $1.idTag.lowercased() }
    }

    /// What a pile holding `list` holds after accepting `send` (1.6 §6.45, 2.0.1 D01).
    public static func apply(_ send: LocalListSend, to list: [LocalListEntry]) -> [LocalListEntry] {
        var byKey: [String: LocalListEntry] = [:]
        if send.updateType == .Differential {
            for entry in list { byKey[entry.key] = entry }
        }
        for item in send.items { byKey[item.idTag.lowercased()] = item.entry }
        return normalized(Array(byKey.values))
    }

    /// The version after `version`: one more, within a 32-bit integer as piles keep it (past
    /// that, 1 again: the pile's version then differs, so a Full list follows).
    public static func nextVersion(after version: Int) -> Int {
        (0..<Int(Int32.max)).contains(version) ? version + 1 : 1
    }

    public enum PlanError: Error, Equatable, CustomStringConvertible {
        /// The list has more entries than the pile can hold.
        case tooLong(entries: Int, maxLength: Int)

        public var description: String {
            switch self {
            case .tooLong(let entries, let maxLength): "the list has \(entries) entries; the pile holds at most \(maxLength) (LocalAuthListMaxLength)"
            }
        }
    }

    /// The sends that bring a pile from `held` (nil: unknown, so Full) to `list.entries`,
    /// at most `maxPerSend` items each. One send carries `version`; several carry
    /// consecutive versions ending at the returned final version, each above `pileVersion`
    /// (a Differential must raise the version). A Full list too long for one send is a
    /// Full with its first part, then Differentials adding the rest.
    public static func sends(
        to entries: [LocalListEntry], version: Int, held: [LocalListEntry]?, pileVersion: Int?, maxPerSend: Int?, maxLength: Int?
    ) throws(PlanError) -> (sends: [LocalListSend], finalVersion: Int) {
        let target = normalized(entries)
        if let maxLength, target.count > maxLength { throw .tooLong(entries: target.count, maxLength: maxLength) }
        let perSend = max(1, maxPerSend ?? Int.max)
        var chunks: [(LocalListSend.UpdateType, [LocalListItem])] = []
        if let held {
            let items = differential(from: held, to: target)
            chunks = stride(from: 0, to: max(items.count, 1), by: perSend).map { (.Differential, Array(items[$0..<min($0 + perSend, items.count)])) }
        } else {
            let items = target.map { LocalListItem(idTag: $0.idTag, entry: $0) }
            chunks = stride(from: 0, to: max(items.count, 1), by: perSend).enumerated().map { index, start in
                (index == 0 ? .Full : .Differential, Array(items[start..<min(start + perSend, items.count)]))
            }
        }
        // Versions from the wire are read within 0...Int32.max (LocalLists.swift), ours grow by one a change: no overflow.
        let floor = min(max(0, pileVersion ?? 0), Int(Int32.max))
        let last = max(min(max(version, 0), Int(Int32.max)), floor + chunks.count, chunks.count)
        let first = last - chunks.count + 1
        return (chunks.enumerated().map { LocalListSend(updateType: $1.0, version: first + $0, items: $1.1) }, last)
    }
}
