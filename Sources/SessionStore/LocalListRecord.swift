import Foundation

/// One entry of a local authorization list is an id tag with its verdict, as the store
/// keeps id tags (1.6 AuthorizationData with IdTagInfo; 2.0.1 with IdTokenInfo).
public typealias LocalListEntry = IdTagRecord

/// The gateway's local authorization list for one pile: the list as the gateway wants it
/// (versioned: each change takes the next version), what the pile is known to hold (the
/// last version it accepted), and the last exchange about it.
public struct LocalListRecord: Sendable, Codable, Equatable {
    /// Where the entries come from: built from the accounts and id tags the gateway knows,
    /// or set through the API.
    public enum Source: String, Sendable, Codable, CaseIterable { case accounts, explicit }

    public var chargePointId: String
    public var version: Int
    public var source: Source
    /// Sorted by id tag, one per id tag (case-insensitively).
    public var entries: [LocalListEntry]
    public var updatedAt: Date
    /// The version the pile last answered Accepted to, and the list it then holds.
    public var acceptedVersion: Int?
    public var acceptedEntries: [LocalListEntry]?
    /// The last SendLocalList: Full or Differential, the version it carried, when.
    public var lastSentUpdateType: String?
    public var lastSentVersion: Int?
    public var lastSentAt: Date?
    /// The pile's word to it (Accepted, Failed, NotSupported, VersionMismatch), or why there
    /// was none (`pile_error`, `pile_timeout`, `pile_offline`, `invalid_response`, `too_long`).
    public var lastAnswer: String?
    public var lastAnswerAt: Date?
    /// What GetLocalListVersion last said (-1: no list support in 1.6), and when.
    public var pileVersion: Int?
    public var pileVersionAt: Date?
    /// The pile said it does not do local lists: automatic pushes leave it alone.
    public var notSupported: Bool
    /// The pile's limits (1.6 LocalAuthListMaxLength, SendLocalListMaxLength; 2.0.1
    /// LocalAuthListCtrlr Entries and ItemsPerMessage), when known.
    public var maxLength: Int?
    public var maxPerSend: Int?

    public init(
        chargePointId: String, version: Int, source: Source, entries: [LocalListEntry], updatedAt: Date, acceptedVersion: Int? = nil,
        acceptedEntries: [LocalListEntry]? = nil, lastSentUpdateType: String? = nil, lastSentVersion: Int? = nil, lastSentAt: Date? = nil,
        lastAnswer: String? = nil, lastAnswerAt: Date? = nil, pileVersion: Int? = nil, pileVersionAt: Date? = nil, notSupported: Bool = false,
        maxLength: Int? = nil, maxPerSend: Int? = nil
    ) {
        self.chargePointId = chargePointId
        self.version = version
        self.source = source
        self.entries = entries
        self.updatedAt = updatedAt
        self.acceptedVersion = acceptedVersion
        self.acceptedEntries = acceptedEntries
        self.lastSentUpdateType = lastSentUpdateType
        self.lastSentVersion = lastSentVersion
        self.lastSentAt = lastSentAt
        self.lastAnswer = lastAnswer
        self.lastAnswerAt = lastAnswerAt
        self.pileVersion = pileVersion
        self.pileVersionAt = pileVersionAt
        self.notSupported = notSupported
        self.maxLength = maxLength
        self.maxPerSend = maxPerSend
    }

    /// Whether the pile holds this list, as far as the gateway knows.
    public var inSync: Bool { acceptedVersion == version && acceptedEntries == entries }

    /// Entries as stored (JSON text), and back; a row that does not read is an empty list.
    static func encode(_ entries: [LocalListEntry]?) -> String? {
        guard let entries else { return nil }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return (try? encoder.encode(entries)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func decode(_ text: String?) -> [LocalListEntry]? {
        guard let text else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try? decoder.decode([LocalListEntry].self, from: Data(text.utf8))
    }
}
