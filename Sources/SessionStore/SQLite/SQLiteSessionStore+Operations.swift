import Foundation

// Local lists and charging profiles: the gateway's own side of the Local Auth List
// Management and Smart Charging profiles.

extension SQLiteSessionStore {
    func saveLocalList(_ l: LocalListRecord) throws {
        try writer.run(
            """
            INSERT OR REPLACE INTO local_lists(charge_point_id, version, source, entries, updated_at, accepted_version, accepted_entries,
                last_sent_update_type, last_sent_version, last_sent_at, last_answer, last_answer_at, pile_version, pile_version_at,
                not_supported, max_length, max_per_send) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(l.chargePointId), .init(l.version), .text(l.source.rawValue), .text(LocalListRecord.encode(l.entries) ?? "[]"),
                .init(l.updatedAt), .init(l.acceptedVersion), .init(LocalListRecord.encode(l.acceptedEntries)), .init(l.lastSentUpdateType),
                .init(l.lastSentVersion), .init(l.lastSentAt), .init(l.lastAnswer), .init(l.lastAnswerAt), .init(l.pileVersion),
                .init(l.pileVersionAt), .init(l.notSupported), .init(l.maxLength), .init(l.maxPerSend),
            ])
    }

    func replaceChargingProfiles(chargePointId: String, _ profiles: [ChargingProfileRecord]) throws {
        try writer.run("DELETE FROM charging_profiles WHERE charge_point_id = ?", [.text(chargePointId)])
        for p in profiles {
            try writer.run(
                """
                INSERT INTO charging_profiles(charge_point_id, connector_id, charging_profile_id, purpose, stack_level, transaction_id,
                    valid_from, valid_to, profile, ocpp_version, stored_at, source, reported_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(chargePointId), .init(p.connectorId), .init(p.chargingProfileId), .text(p.purpose), .init(p.stackLevel),
                    .init(p.transactionId), .init(p.validFrom), .init(p.validTo), .text(p.profile), .text(p.ocppVersion), .init(p.storedAt),
                    .init(p.source), .init(p.reportedAt),
                ])
        }
    }

    /// A transaction ended: its TxProfiles (those naming it, and those of its connector, or
    /// of connector 0 as a remote start without a connector leaves them, naming none) end
    /// with it (1.6 §3.13.2).
    func endTxProfiles(chargePointId: String, connectorId: Int, sessionId: Int64) throws {
        try writer.run(
            """
            DELETE FROM charging_profiles WHERE charge_point_id = ?1 AND purpose = 'TxProfile' AND (
                transaction_id = CAST(?2 AS TEXT)
                OR transaction_id = (SELECT transaction_ref FROM sessions WHERE id = ?2)
                OR (transaction_id IS NULL AND connector_id IN (?3, 0)))
            """, [.text(chargePointId), .integer(sessionId), .init(connectorId)])
    }

    /// A transaction closed as abandoned: the TxProfiles naming it end (not those of its
    /// connector naming none, which may be for the transaction that superseded it).
    func endNamedTxProfiles(chargePointId: String, sessionId: Int64) throws {
        try writer.run(
            """
            DELETE FROM charging_profiles WHERE charge_point_id = ?1 AND purpose = 'TxProfile' AND (
                transaction_id = CAST(?2 AS TEXT) OR transaction_id = (SELECT transaction_ref FROM sessions WHERE id = ?2))
            """, [.text(chargePointId), .integer(sessionId)])
    }

    public func localList(chargePointId: String) async throws -> LocalListRecord? {
        try await read { db in
            try db.query(
                """
                SELECT charge_point_id, version, source, entries, updated_at, accepted_version, accepted_entries, last_sent_update_type,
                    last_sent_version, last_sent_at, last_answer, last_answer_at, pile_version, pile_version_at, not_supported, max_length,
                    max_per_send FROM local_lists WHERE charge_point_id = ?
                """, [.text(chargePointId)]
            ).first.map { r in
                LocalListRecord(
                    chargePointId: r.string(0) ?? "", version: Int(clamping: r.int(1) ?? 0),
                    source: r.string(2).flatMap(LocalListRecord.Source.init) ?? .explicit, entries: LocalListRecord.decode(r.string(3)) ?? [],
                    updatedAt: r.date(4) ?? .distantPast, acceptedVersion: r.int(5).map { Int(clamping: $0) },
                    acceptedEntries: LocalListRecord.decode(r.string(6)), lastSentUpdateType: r.string(7),
                    lastSentVersion: r.int(8).map { Int(clamping: $0) }, lastSentAt: r.date(9), lastAnswer: r.string(10), lastAnswerAt: r.date(11),
                    pileVersion: r.int(12).map { Int(clamping: $0) }, pileVersionAt: r.date(13), notSupported: (r.int(14) ?? 0) != 0,
                    maxLength: r.int(15).map { Int(clamping: $0) }, maxPerSend: r.int(16).map { Int(clamping: $0) })
            }
        }
    }

    static let profileColumns = """
        SELECT charge_point_id, connector_id, charging_profile_id, purpose, stack_level, transaction_id, valid_from, valid_to, profile,
            ocpp_version, stored_at, source, reported_at FROM charging_profiles
        """

    static func chargingProfile(_ r: SQLiteRow) -> ChargingProfileRecord {
        ChargingProfileRecord(
            chargePointId: r.string(0) ?? "", connectorId: Int(clamping: r.int(1) ?? 0), chargingProfileId: Int(clamping: r.int(2) ?? 0),
            purpose: r.string(3) ?? "", stackLevel: Int(clamping: r.int(4) ?? 0), transactionId: r.string(5), validFrom: r.date(6),
            validTo: r.date(7), profile: r.string(8) ?? "{}", ocppVersion: r.string(9) ?? "", storedAt: r.date(10) ?? .distantPast,
            source: r.string(11), reportedAt: r.date(12))
    }

    public func chargingProfiles(chargePointId: String) async throws -> [ChargingProfileRecord] {
        try await read { db in
            try db.query("\(Self.profileColumns) WHERE charge_point_id = ? ORDER BY connector_id, purpose, stack_level, id", [.text(chargePointId)])
                .map(Self.chargingProfile)
        }
    }
}

// Security profiles: piles' credentials (the hash only).

extension SQLiteSessionStore {
    func saveCredential(_ c: PileCredentialRecord) throws {
        try writer.run(
            """
            INSERT OR REPLACE INTO pile_credentials(charge_point_id, security_profile, password_hash, updated_at, updated_by)
                VALUES(?, ?, ?, ?, ?)
            """, [.text(c.chargePointId), .init(c.securityProfile), .init(c.passwordHash), .init(c.updatedAt), .text(c.updatedBy)])
    }

    public func credentials() async throws -> [PileCredentialRecord] {
        try await read { db in
            try db.query(
                "SELECT charge_point_id, security_profile, password_hash, updated_at, updated_by FROM pile_credentials ORDER BY charge_point_id"
            ).map { r in
                PileCredentialRecord(
                    chargePointId: r.string(0) ?? "", securityProfile: Int(clamping: r.int(1) ?? 0), passwordHash: r.string(2),
                    updatedAt: r.date(3) ?? .distantPast, updatedBy: r.string(4) ?? "")
            }
        }
    }
}

// The relay's durable outage queue.

extension SQLiteSessionStore {
    func enqueueRelayed(_ r: RelayQueueRecord) throws -> Int64 {
        try writer.run(
            "INSERT INTO relay_queue(charge_point_id, ocpp_version, message_id, action, frame, queued_at) VALUES(?, ?, ?, ?, ?, ?)",
            [.text(r.chargePointId), .text(r.ocppVersion), .text(r.messageId), .text(r.action), .text(r.frame), .init(r.queuedAt)])
        return writer.lastInsertRowID
    }

    func relayDelivered(_ queueId: Int64, transaction: RelayTransactionRecord?) throws {
        try writer.run("DELETE FROM relay_queue WHERE id = ?", [.integer(queueId)])
        if let t = transaction {
            try writer.run(
                "INSERT OR REPLACE INTO relay_transactions(charge_point_id, local_id, backend_id) VALUES(?, ?, ?)",
                [.text(t.chargePointId), .integer(t.localId), .integer(t.backendId)])
        }
    }

    public func relayQueue(chargePointId: String?) async throws -> [RelayQueueRecord] {
        try await read { db in
            let columns = "SELECT id, charge_point_id, ocpp_version, message_id, action, frame, queued_at FROM relay_queue"
            let rows =
                try chargePointId.map { try db.query("\(columns) WHERE charge_point_id = ? ORDER BY id", [.text($0)]) }
                ?? db.query("\(columns) ORDER BY id")
            return rows.map { r in
                RelayQueueRecord(
                    id: r.int(0) ?? 0, chargePointId: r.string(1) ?? "", ocppVersion: r.string(2) ?? "", messageId: r.string(3) ?? "",
                    action: r.string(4) ?? "", frame: r.string(5) ?? "", queuedAt: r.date(6) ?? .distantPast)
            }
        }
    }

    public func relayTransactions(chargePointId: String?) async throws -> [RelayTransactionRecord] {
        try await read { db in
            let columns = "SELECT charge_point_id, local_id, backend_id FROM relay_transactions"
            let rows =
                try chargePointId.map { try db.query("\(columns) WHERE charge_point_id = ?", [.text($0)]) } ?? db.query(columns)
            return rows.map { r in RelayTransactionRecord(chargePointId: r.string(0) ?? "", localId: r.int(1) ?? 0, backendId: r.int(2) ?? 0) }
        }
    }
}
