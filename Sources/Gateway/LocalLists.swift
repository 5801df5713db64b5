import Foundation
import OCPP
import SessionStore

/// Why a local list could not be set or sent.
public enum LocalListFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(String)
    /// The list is longer than the pile holds.
    case tooLong(entries: Int, maxLength: Int)
    /// Another sync of this pile's list is under way.
    case syncInProgress(String)
    case command(CommandFailure)
    case storeUnavailable(String)

    public var description: String {
        switch self {
        case .invalid(let why): why
        case .tooLong(let entries, let maxLength): LocalListPlan.PlanError.tooLong(entries: entries, maxLength: maxLength).description
        case .syncInProgress(let id): "a local-list sync of \(id) is under way; try again when it has finished"
        case .command(let failure): failure.description
        case .storeUnavailable(let why): "the store could not be used: \(why)"
        }
    }
}

/// What one sync did: each SendLocalList with the pile's word, and the list after.
public struct LocalListSyncReport: Sendable, Codable, Equatable {
    public struct Sent: Sendable, Codable, Equatable {
        public var updateType: String
        public var version: Int
        public var entries: Int
        public var answer: String
    }

    /// The pile's version before the sync (GetLocalListVersion), nil when it did not say.
    public var pileVersionBefore: Int?
    public var sent: [Sent]
    /// Nothing was sent: the pile holds this version of the list already.
    public var upToDate: Bool
    public var list: LocalListRecord
}

/// The gateway's own local authorization list per pile (1.6 Local Auth List Management,
/// 2.0.1 D): built from the accounts and id tags it knows, or set through the API;
/// versioned; sent with SendLocalList (Differential from the version the pile last
/// accepted, Full when the pile's version is unknown, mismatched, -1 or 0), in parts when
/// the pile takes fewer entries per message; every message goes through `command`, so it
/// is in the pile's command history.
extension Gateway {
    /// Who the command history names for the gateway's own local-list messages.
    public static let localListIssuer = "gateway:local-list"

    /// The pile's stored list, else the one the gateway would build for it (version 0, not stored).
    public func localList(_ chargePointId: String, now: Date = Date()) async throws(LocalListFailure) -> LocalListRecord {
        if let stored = try await storedLocalList(chargePointId) { return stored }
        let entries = try await builtLocalList(version: await commandVersion(chargePointId), now: now)
        return LocalListRecord(chargePointId: chargePointId, version: 0, source: .accounts, entries: entries, updatedAt: now)
    }

    /// Sets the pile's list: `entries` explicitly, or (nil) built from the accounts from now
    /// on. A change takes the next version. With `localList.push: auto` a connected pile is sent it.
    public func setLocalList(
        _ chargePointId: String, entries: [LocalListEntry]?, issuedBy: String, now: Date = Date()
    ) async throws(LocalListFailure) -> (list: LocalListRecord, sync: LocalListSyncReport?) {
        let version = await commandVersion(chargePointId)
        let wanted: [LocalListEntry]
        if let entries {
            try Self.checkEntries(entries, version: version)
            wanted = LocalListPlan.normalized(entries)
        } else {
            wanted = try await builtLocalList(version: version, now: now)
        }
        guard services.operations.beginSync(chargePointId) else { throw .syncInProgress(chargePointId) }
        var record: LocalListRecord
        do {
            record = try await storedLocalList(chargePointId) ?? LocalListRecord(
                chargePointId: chargePointId, version: 0, source: .accounts, entries: [], updatedAt: now)
            let source: LocalListRecord.Source = entries == nil ? .accounts : .explicit
            if record.entries != wanted || record.source != source || record.version == 0 {
                record.entries = wanted
                record.source = source
                record.version = LocalListPlan.nextVersion(after: record.version)
                record.updatedAt = now
                try await saveLocalList(record)
            }
        } catch {
            services.operations.endSync(chargePointId)
            throw error
        }
        services.operations.endSync(chargePointId)
        guard configuration.localList.push == .auto, peer(chargePointId) != nil, !record.notSupported else { return (record, nil) }
        let report = try await syncLocalList(chargePointId, updateType: nil, issuedBy: issuedBy, now: now)
        return (report.list, report)
    }

    /// Sends the pile its list now: asks its version, then Full or Differential as
    /// `updateType` asks (nil: Differential where the pile's version allows, nothing when it
    /// holds the list already). A Differential answered VersionMismatch is followed by a Full.
    public func syncLocalList(
        _ chargePointId: String, updateType requested: LocalListSend.UpdateType?, issuedBy: String, now: Date = Date()
    ) async throws(LocalListFailure) -> LocalListSyncReport {
        guard services.operations.beginSync(chargePointId) else { throw .syncInProgress(chargePointId) }
        defer { services.operations.endSync(chargePointId) }
        let version = await commandVersion(chargePointId)
        var record = try await storedLocalList(chargePointId) ?? LocalListRecord(
            chargePointId: chargePointId, version: 0, source: .accounts, entries: [], updatedAt: now)
        if record.source == .accounts {
            let built = try await builtLocalList(version: version, now: now)
            if built != record.entries || record.version == 0 {
                record.entries = built
                record.version = LocalListPlan.nextVersion(after: record.version)
                record.updatedAt = now
            }
        }
        var report = LocalListSyncReport(pileVersionBefore: nil, sent: [], upToDate: false, list: record)

        // What the pile holds.
        do {
            let answer = try await command(chargePointId, action: "GetLocalListVersion", payload: .object(JSONObject()), issuedBy: issuedBy)
            record.pileVersion = Self.listVersion(in: answer, version: version)
            record.pileVersionAt = Date()
            report.pileVersionBefore = record.pileVersion
        } catch {
            record.lastAnswer = Self.notSupported(error) ? "NotSupported" : error.code
            record.lastAnswerAt = Date()
            if Self.notSupported(error) { record.notSupported = true }
            try await saveLocalList(record)
            throw .command(error)
        }
        if version == .v16 && record.maxLength == nil && record.maxPerSend == nil && record.lastSentAt == nil {
            await learnLimits(&record, issuedBy: issuedBy)
        } else if version == .v201, record.maxPerSend == nil {
            let model = (try? await store.deviceModel(chargePointId: chargePointId)) ?? []
            if let items = model.first(where: { $0.component == "LocalAuthListCtrlr" && $0.variable == "ItemsPerMessage" && $0.attribute == "Actual" })?.value,
                let n = Int(items), (1...100_000).contains(n)
            {
                record.maxPerSend = n
            }
        }

        let pileHoldsOurs = record.pileVersion.map { $0 > 0 && $0 == record.acceptedVersion } ?? false
        var held = requested != .Full && pileHoldsOurs ? record.acceptedEntries : nil
        if requested == nil, let held, held == record.entries, record.pileVersion == record.version {
            report.upToDate = true
            try await saveLocalList(record)
            report.list = record
            return report
        }
        var retriedFull = false
        while true {
            let plan: (sends: [LocalListSend], finalVersion: Int)
            do throws(LocalListPlan.PlanError) {
                plan = try LocalListPlan.sends(
                    to: record.entries, version: record.version, held: held, pileVersion: record.pileVersion,
                    maxPerSend: [record.maxPerSend, configuration.localList.maxEntriesPerSend].compactMap { $0 }.min(), maxLength: record.maxLength)
            } catch {
                record.lastAnswer = "too_long"
                record.lastAnswerAt = Date()
                try await saveLocalList(record)
                guard case .tooLong(let entries, let maxLength) = error else { throw .invalid(error.description) }
                throw .tooLong(entries: entries, maxLength: maxLength)
            }
            record.version = plan.finalVersion
            var mismatch = false
            for send in plan.sends {
                let answer: JSON
                do {
                    answer = try await command(
                        chargePointId, action: "SendLocalList", payload: Self.sendLocalListPayload(send, version: version), issuedBy: issuedBy)
                } catch {
                    record.lastSentUpdateType = send.updateType.rawValue
                    record.lastSentVersion = send.version
                    record.lastSentAt = Date()
                    record.lastAnswer = Self.notSupported(error) ? "NotSupported" : error.code
                    record.lastAnswerAt = Date()
                    if Self.notSupported(error) { record.notSupported = true }
                    try await saveLocalList(record)
                    throw .command(error)
                }
                let word = answer["status"]?.stringValue ?? "Failed"
                record.lastSentUpdateType = send.updateType.rawValue
                record.lastSentVersion = send.version
                record.lastSentAt = Date()
                record.lastAnswer = word
                record.lastAnswerAt = Date()
                report.sent.append(.init(updateType: send.updateType.rawValue, version: send.version, entries: send.items.count, answer: word))
                if word == "Accepted" {
                    let after = LocalListPlan.apply(send, to: held ?? [])
                    held = after
                    record.acceptedVersion = send.version
                    record.acceptedEntries = after
                    record.pileVersion = send.version
                    record.notSupported = false
                } else {
                    if word == "NotSupported" { record.notSupported = true }
                    mismatch = word == "VersionMismatch" && send.updateType == .Differential
                    try await saveLocalList(record)
                    break
                }
                try await saveLocalList(record)
            }
            // The pile's list is not the one we thought: the spec's way out is a Full list.
            guard mismatch, !retriedFull else { break }
            retriedFull = true
            held = nil
            record.acceptedVersion = nil
            record.acceptedEntries = nil
        }
        report.list = record
        return report
    }

    /// After an accepted boot (or a change of id tags), with `localList.push: auto`: the
    /// pile gets its list unless it holds it already or said it does not do local lists.
    public func pushLocalList(_ chargePointId: String) async {
        guard configuration.localList.push == .auto else { return }
        if let stored = try? await storedLocalList(chargePointId), stored.notSupported { return }
        do {
            let report = try await syncLocalList(chargePointId, updateType: nil, issuedBy: Self.localListIssuer)
            if !report.upToDate {
                logger.info(
                    "local list v\(report.list.version) to \(chargePointId): \(report.sent.map { "\($0.updateType) \($0.answer)" }.joined(separator: ", "))",
                    metadata: ["chargePoint": "\(chargePointId)"])
            }
        } catch {
            logger.notice("local list to \(chargePointId) not sent: \(error)", metadata: ["chargePoint": "\(chargePointId)"])
        }
    }

    /// The list version a GetLocalListVersion answer or a SendLocalList carries, in its
    /// version's field, read within -1...Int32.max; anything else is as good as unknown
    /// (a Full follows).
    static func listVersion(in message: JSON, version: OCPPVersion) -> Int? {
        let number = (version == .v16 ? message["listVersion"] : message["versionNumber"])?.intValue
        return number.flatMap { (-1...Int64(Int32.max)).contains($0) ? Int($0) : nil }
    }

    /// An operator's own GetLocalListVersion (a sync records its own): the stored list
    /// learns what the pile said it holds.
    func localListVersionReported(_ chargePointId: String, version: OCPPVersion, answer: JSON) async {
        guard services.operations.beginSync(chargePointId) else { return }
        defer { services.operations.endSync(chargePointId) }
        guard var record = try? await storedLocalList(chargePointId) else { return }
        record.pileVersion = Self.listVersion(in: answer, version: version)
        record.pileVersionAt = Date()
        try? await saveLocalList(record)
    }

    /// An operator's own SendLocalList (not one of a sync, which holds the pile's lock) the
    /// pile accepted: what it holds is no longer known, so the next sync sends a Full list.
    func localListSentElsewhere(_ chargePointId: String, version: OCPPVersion, payload: JSON) async {
        guard services.operations.beginSync(chargePointId) else { return }
        defer { services.operations.endSync(chargePointId) }
        guard var record = try? await storedLocalList(chargePointId) else { return }
        record.acceptedVersion = nil
        record.acceptedEntries = nil
        record.pileVersion = Self.listVersion(in: payload, version: version)
        record.pileVersionAt = Date()
        record.lastSentUpdateType = payload["updateType"]?.stringValue
        record.lastSentVersion = record.pileVersion
        record.lastSentAt = Date()
        record.lastAnswer = "Accepted"
        record.lastAnswerAt = Date()
        try? await saveLocalList(record)
    }

    /// The list the accounts and id tags make for a pile of `version`.
    func builtLocalList(version: OCPPVersion, now: Date) async throws(LocalListFailure) -> [LocalListEntry] {
        let stored: [IdTagRecord]
        do {
            stored = try await store.idTags()
        } catch {
            throw .storeUnavailable("\(error)")
        }
        return LocalListPlan.build(
            accounts: configuration.accounts, configured: configuration.idTags, stored: stored, maxTagLength: version == .v16 ? 20 : 36, now: now)
    }

    /// Entries set through the API: each tag once, within the version's lengths and statuses.
    static func checkEntries(_ entries: [LocalListEntry], version: OCPPVersion) throws(LocalListFailure) {
        let maxLength = version == .v16 ? 20 : 36
        let statuses = version == .v16 ? ["Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"] : TokenStatus.allCases.map(\.rawValue)
        guard entries.count <= 10_000 else { throw .invalid("a local list holds at most 10000 entries here, got \(entries.count)") }
        var seen = Set<String>()
        for (i, entry) in entries.enumerated() {
            guard (1...maxLength).contains(entry.idTag.count) else {
                throw .invalid("entries[\(i)].idTag must be 1 to \(maxLength) characters for an OCPP \(version.label) pile")
            }
            guard seen.insert(entry.key).inserted else { throw .invalid("entries[\(i)].idTag \(entry.idTag) is listed twice (id tags compare case-insensitively)") }
            guard statuses.contains(entry.status) else { throw .invalid("entries[\(i)].status must be one of \(statuses.joined(separator: ", "))") }
            if let parent = entry.parentIdTag, !(1...maxLength).contains(parent.count) {
                throw .invalid("entries[\(i)].parentIdTag must be 1 to \(maxLength) characters")
            }
        }
    }

    /// SendLocalList in the pile's version.
    static func sendLocalListPayload(_ send: LocalListSend, version: OCPPVersion) -> JSON {
        var object = JSONObject()
        switch version {
        case .v16:
            object["listVersion"] = .integer(Int64(send.version))
            object["updateType"] = .string(send.updateType.rawValue)
            let items: [JSON] = send.items.map { item in
                var data = JSONObject()
                data["idTag"] = .string(item.idTag)
                if let entry = item.entry {
                    var info = JSONObject()
                    info["status"] = .string(entry.status)
                    if let expiry = entry.expiryDate { info["expiryDate"] = .string(OCPPTimestamp.format(expiry)) }
                    if let parent = entry.parentIdTag { info["parentIdTag"] = .string(parent) }
                    data["idTagInfo"] = .object(info)
                }
                return .object(data)
            }
            if !items.isEmpty { object["localAuthorizationList"] = .array(items) }
        case .v201:
            object["versionNumber"] = .integer(Int64(send.version))
            object["updateType"] = .string(send.updateType.rawValue)
            let items: [JSON] = send.items.map { item in
                var data = JSONObject()
                data["idToken"] = ["idToken": .string(item.idTag), "type": "Central"]
                if let entry = item.entry {
                    var info = JSONObject()
                    info["status"] = .string(entry.status)
                    if let expiry = entry.expiryDate { info["cacheExpiryDateTime"] = .string(OCPPTimestamp.format(expiry)) }
                    if let parent = entry.parentIdTag { info["groupIdToken"] = ["idToken": .string(parent), "type": "Central"] }
                    data["idTokenInfo"] = .object(info)
                }
                return .object(data)
            }
            if !items.isEmpty { object["localAuthorizationList"] = .array(items) }
        }
        return .object(object)
    }

    /// A CALLERROR that says the pile does not do this (NotSupported, NotImplemented).
    static func notSupported(_ error: CommandFailure) -> Bool {
        if case .pileError(let code, _) = error { return code == "NotSupported" || code == "NotImplemented" }
        return false
    }

    /// 1.6 LocalAuthListMaxLength and SendLocalListMaxLength, asked once.
    private func learnLimits(_ record: inout LocalListRecord, issuedBy: String) async {
        let payload: JSON = ["key": ["LocalAuthListMaxLength", "SendLocalListMaxLength"]]
        guard let answer = try? await command(record.chargePointId, action: "GetConfiguration", payload: payload, issuedBy: issuedBy) else { return }
        for entry in answer["configurationKey"]?.arrayValue ?? [] {
            guard let key = entry["key"]?.stringValue, let text = entry["value"]?.stringValue, let n = Int(text.trimmingCharacters(in: .whitespaces)),
                (1...100_000).contains(n)
            else { continue }
            if key == "LocalAuthListMaxLength" { record.maxLength = n }
            if key == "SendLocalListMaxLength" { record.maxPerSend = n }
        }
    }

    func storedLocalList(_ chargePointId: String) async throws(LocalListFailure) -> LocalListRecord? {
        do {
            return try await store.localList(chargePointId: chargePointId)
        } catch {
            throw .storeUnavailable("\(error)")
        }
    }

    func saveLocalList(_ record: LocalListRecord) async throws(LocalListFailure) {
        do {
            _ = try await store.write(.saveLocalList(record))
        } catch {
            throw .storeUnavailable("\(error)")
        }
    }
}
