import Foundation

// What each store command does to the tables, on the writer thread.

extension SQLiteSessionStore {
    /// Applies one command inside the writer's open transaction (and its savepoint).
    func apply(_ command: StoreCommand) throws -> StoreOutcome {
        switch command {
        case .none:
            return .done
        case .chargePointBooted(let cp):
            try writer.run(
                """
                INSERT INTO charge_points(id, network, vendor, model, serial_number, firmware_version, ocpp_version,
                    registration_status, first_seen, last_seen, connected, node)
                VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
                ON CONFLICT(id) DO UPDATE SET network = coalesce(excluded.network, network), vendor = excluded.vendor,
                    model = excluded.model, serial_number = excluded.serial_number,
                    firmware_version = excluded.firmware_version, ocpp_version = excluded.ocpp_version,
                    registration_status = excluded.registration_status, last_seen = excluded.last_seen,
                    connected = 1, node = excluded.node
                """,
                [
                    .text(cp.id), .init(cp.network), .init(cp.vendor), .init(cp.model), .init(cp.serialNumber),
                    .init(cp.firmwareVersion), .init(cp.ocppVersion), .init(cp.registrationStatus),
                    .init(cp.firstSeen ?? cp.lastSeen), .init(cp.lastSeen), .text(node),
                ])
            return .done
        case .connection(let id, let connected, let at):
            try writer.run(
                """
                INSERT INTO charge_points(id, first_seen, last_seen, connected, node) VALUES(?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen, connected = excluded.connected,
                    node = excluded.node
                """,
                [.text(id), .init(at), .init(at), .init(connected), .text(node)])
            return .done
        case .connectorStatus(let s):
            try writer.run(
                """
                INSERT INTO connectors(charge_point_id, connector_id, status, error_code, info, vendor_error_code, since, updated)
                VALUES(?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(charge_point_id, connector_id) DO UPDATE SET
                    since = CASE WHEN status = excluded.status AND error_code IS excluded.error_code
                        THEN since ELSE excluded.since END,
                    status = excluded.status, error_code = excluded.error_code, info = excluded.info,
                    vendor_error_code = excluded.vendor_error_code, updated = excluded.updated
                """,
                [
                    .text(s.chargePointId), .init(s.connectorId), .text(s.status), .init(s.errorCode), .init(s.info),
                    .init(s.vendorErrorCode), .init(s.since), .init(Date()),
                ])
            if s.status == "Available" && s.connectorId > 0 {
                // The car has left: the idle time of the connector's latest session ends
                // (only the latest: an older one whose unplug was missed must not be billed to now).
                try writer.run(
                    """
                    UPDATE sessions SET unplugged_at = ?1 WHERE unplugged_at IS NULL AND id = (
                        SELECT max(id) FROM sessions WHERE charge_point_id = ?2 AND connector_id = ?3 AND status = 'completed')
                    """, [.init(s.since), .text(s.chargePointId), .init(s.connectorId)])
            }
            return .done
        case .startSession(let start):
            if let ref = start.transactionRef, let existing = try sessionId(chargePointId: start.chargePointId, ref: ref) {
                let status = try writer.query("SELECT status FROM sessions WHERE id = ?", [.integer(existing)]).first?.string(0)
                let ended = ["completed", "abandoned", "failed"].contains(status ?? "")
                guard start.startsNewTransaction && ended else { return .sessionStarted(id: existing, duplicate: true) }
                try writer.run("UPDATE sessions SET transaction_ref = transaction_ref || '@' || id WHERE id = ?", [.integer(existing)])
            }
            if start.transactionRef == nil, let existing = try writer.query(
                """
                SELECT id FROM sessions WHERE charge_point_id = ? AND connector_id = ? AND id_tag = ?
                    AND start_time = ? AND meter_start = ? AND status != 'starting'
                """,
                [
                    .text(start.chargePointId), .init(start.connectorId), .text(start.idTag), .init(start.startTime),
                    .integer(start.meterStartWh),
                ]
            ).first?.int(0) {
                return .sessionStarted(id: existing, duplicate: true)
            }
            // A scanned session waiting for this start: the transaction takes its id. The remote
            // start's id names it; else the connector and tag do.
            if let scanned = try writer.query(
                """
                SELECT id FROM sessions WHERE charge_point_id = ? AND status = 'starting'
                    AND (id = ? OR (? IS NULL AND connector_id = ? AND id_tag = ? COLLATE NOCASE)) ORDER BY id DESC LIMIT 1
                """,
                [
                    .text(start.chargePointId), .init(start.remoteStartId), .init(start.remoteStartId), .init(start.connectorId),
                    .text(start.idTag),
                ]
            ).first?.int(0) {
                try writer.run(
                    """
                    UPDATE sessions SET status = 'active', id_tag = coalesce(nullif(?, ''), id_tag), ocpp_version = ?, authorization_status = ?,
                        start_time = ?, meter_start = ?, reservation_id = ?, received_at = ?, transaction_ref = ? WHERE id = ?
                    """,
                    [
                        .text(start.idTag), .text(start.ocppVersion), .text(start.authorizationStatus), .init(start.startTime),
                        .integer(start.meterStartWh), .init(start.reservationId), .init(start.receivedAt), .init(start.transactionRef),
                        .integer(scanned),
                    ])
                try markReservationUsed(start, sessionId: scanned)
                return .sessionStarted(id: scanned, duplicate: false)
            }
            try writer.run(
                """
                INSERT INTO sessions(charge_point_id, connector_id, id_tag, ocpp_version, status, authorization_status,
                    start_time, meter_start, reservation_id, received_at, account_id, transaction_ref)
                VALUES(?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(start.chargePointId), .init(start.connectorId), .text(start.idTag), .text(start.ocppVersion),
                    .text(start.authorizationStatus), .init(start.startTime), .integer(start.meterStartWh),
                    .init(start.reservationId), .init(start.receivedAt), .init(start.account), .init(start.transactionRef),
                ])
            let id = writer.lastInsertRowID
            try markReservationUsed(start, sessionId: id)
            return .sessionStarted(id: id, duplicate: false)
        case .meterSamples(let batch):
            var sessionId: Int64?
            if let ref = batch.transactionRef {
                sessionId = try self.sessionId(chargePointId: batch.chargePointId, ref: ref)
            } else if let transactionId = batch.transactionId {
                sessionId = try writer.query(
                    "SELECT id FROM sessions WHERE id = ? AND charge_point_id = ?",
                    [.integer(transactionId), .text(batch.chargePointId)]
                ).first?.int(0)
            }
            var samples = batch.samples
            if batch.mayRepeat, let sessionId {
                let stored = try storedSamples(sessionId: sessionId, db: writer)
                samples = samples.filter { !stored.contains($0) }
            }
            record(samples, sessionId: sessionId, chargePointId: batch.chargePointId, connectorId: batch.connectorId)
            return .samplesStored(sessionId: sessionId)
        case .putIdTag(let tag):
            try writer.run(
                "INSERT OR REPLACE INTO id_tags(id_tag, status, expiry_date, parent_id_tag) VALUES(?, ?, ?, ?)",
                [.text(tag.idTag), .text(tag.status), .init(tag.expiryDate), .init(tag.parentIdTag)])
            return .done
        case .reserveScan(let scan):
            let account = try writer.query(
                "SELECT id FROM sessions WHERE account_id = ? AND status IN ('starting', 'active') LIMIT 1", [.text(scan.account)]
            ).first?.int(0)
            let connector = try writer.query(
                """
                SELECT id FROM sessions WHERE charge_point_id = ? AND connector_id = ? AND status IN ('starting', 'active')
                ORDER BY id DESC LIMIT 1
                """, [.text(scan.chargePointId), .init(scan.connectorId)]
            ).first?.int(0)
            if account != nil || connector != nil { return .scanConflict(accountSession: account, connectorSession: connector) }
            try writer.run(
                """
                INSERT INTO sessions(charge_point_id, connector_id, id_tag, ocpp_version, status, start_time, meter_start,
                    received_at, account_id)
                VALUES(?, ?, ?, ?, 'starting', ?, 0, ?, ?)
                """,
                [
                    .text(scan.chargePointId), .init(scan.connectorId), .text(scan.idTag), .text(scan.ocppVersion),
                    .init(scan.time), .init(scan.time), .text(scan.account),
                ])
            return .scanReserved(sessionId: writer.lastInsertRowID)
        case .failScan(let id, let failure, let at):
            let closed = try writer.query(
                "UPDATE sessions SET status = 'failed', failure = ?, ended_at = ? WHERE id = ? AND status = 'starting' RETURNING id",
                [.text(failure), .init(at), .integer(id)])
            return .sessionsClosed(closed.compactMap { $0.int(0) })
        case .failStartingScans(let chargePointId, let connectorId, let failure, let at):
            let closed = try writer.query(
                """
                UPDATE sessions SET status = 'failed', failure = ?, ended_at = ?
                WHERE charge_point_id = ? AND (? IS NULL OR connector_id = ?) AND status = 'starting' RETURNING id
                """, [.text(failure), .init(at), .text(chargePointId), .init(connectorId), .init(connectorId)])
            return .sessionsClosed(closed.compactMap { $0.int(0) })
        case .abandonSessions(let abandonment):
            let closed = try abandon(abandonment)
            for id in closed { try endNamedTxProfiles(chargePointId: abandonment.chargePointId, sessionId: id) }
            return .sessionsClosed(closed)
        case .sessionToken(let id, let idTag, let status, let account):
            try writer.run(
                """
                UPDATE sessions SET id_tag = ?, authorization_status = ?, account_id = coalesce(account_id, ?)
                WHERE id = ? AND (id_tag IS NULL OR id_tag = '')
                """, [.text(idTag), .text(status), .init(account), .integer(id)])
            return .done
        case .operatorCommand(let c):
            try writer.run(
                """
                INSERT INTO operator_commands(charge_point_id, time, issued_by, ocpp_version, action, payload, outcome, response, error_code,
                    error_description, latency_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(c.chargePointId), .init(c.time), .text(c.issuedBy), .text(c.ocppVersion), .text(c.action), .text(c.payload),
                    .text(c.outcome.rawValue), .init(c.response), .init(c.errorCode), .init(c.errorDescription), c.latencyMs.map { .real($0) } ?? .null,
                ])
            return .done
        case .saveReservation(let r):
            let values: [SQLiteValue] = [
                .text(r.chargePointId), .init(r.connectorId), .text(r.idTag), .init(r.account), .init(r.expiry), .text(r.status.rawValue),
                .init(r.answer), .init(r.sessionId), .init(r.createdAt), .text(r.ocppVersion),
            ]
            if r.id == 0 {
                try writer.run(
                    """
                    INSERT INTO reservations(charge_point_id, connector_id, id_tag, account_id, expiry, status, answer, session_id, created_at,
                        ocpp_version) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, values)
                return .reservationSaved(id: writer.lastInsertRowID)
            }
            try writer.run(
                """
                UPDATE reservations SET charge_point_id = ?, connector_id = ?, id_tag = ?, account_id = ?, expiry = ?, status = ?, answer = ?,
                    session_id = coalesce(session_id, ?), created_at = ?, ocpp_version = ? WHERE id = ? AND status != 'used'
                """, values + [.integer(r.id)])
            return .reservationSaved(id: r.id)
        case .saveLocalList(let list):
            try saveLocalList(list)
            return .done
        case .saveCredential(let credential):
            try saveCredential(credential)
            return .done
        case .relayEnqueue(let record):
            return .relayQueued(id: try enqueueRelayed(record))
        case .relayDelivered(let queueId, let transaction):
            try relayDelivered(queueId, transaction: transaction)
            return .done
        case .installChargingProfile(let profile):
            let held = try writer.query("\(Self.profileColumns) WHERE charge_point_id = ?", [.text(profile.chargePointId)]).map(Self.chargingProfile)
            try replaceChargingProfiles(chargePointId: profile.chargePointId, ChargingProfileRecord.installing(profile, into: held))
            return .done
        case .clearChargingProfiles(let chargePointId, let filter):
            let held = try writer.query("\(Self.profileColumns) WHERE charge_point_id = ?", [.text(chargePointId)]).map(Self.chargingProfile)
            try replaceChargingProfiles(chargePointId: chargePointId, ChargingProfileRecord.clearing(filter, from: held))
            return .done
        case .reportChargingProfiles(let report):
            let held = try writer.query("\(Self.profileColumns) WHERE charge_point_id = ?", [.text(report.chargePointId)]).map(Self.chargingProfile)
            try replaceChargingProfiles(chargePointId: report.chargePointId, ChargingProfileRecord.reconciling(report, with: held))
            return .done
        case .pileNotice(let n):
            try writer.run(
                "INSERT INTO pile_notices(charge_point_id, time, kind, status, request_id, detail, ocpp_version) VALUES(?, ?, ?, ?, ?, ?, ?)",
                [.text(n.chargePointId), .init(n.time), .text(n.kind.rawValue), .text(n.status), .init(n.requestId), .init(n.detail), .text(n.ocppVersion)])
            try feedJob(n)
            return .done
        case .createJob(let job):
            return .jobSaved(id: try insertJob(job))
        case .jobAnswered(let id, let request, let status, let answer, let fileName, let event):
            try answerJob(id, request: request, status: status, answer: answer, fileName: fileName, event: event)
            return .done
        case .saveFile(let file):
            return .fileSaved(id: try insertFile(file))
        case .deviceModel(let chargePointId, let variables):
            for v in variables {
                try writer.run(
                    """
                    INSERT OR REPLACE INTO device_variables(charge_point_id, component, component_instance, evse_id, connector_id,
                        variable, variable_instance, attribute, value, mutability, data_type, unit, reported_at)
                    VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(chargePointId), .text(v.component), .text(v.componentInstance ?? ""), .init(v.evseId ?? -1),
                        .init(v.connectorId ?? -1), .text(v.variable), .text(v.variableInstance ?? ""), .text(v.attribute), .init(v.value),
                        .init(v.mutability), .init(v.dataType), .init(v.unit), .init(v.reportedAt),
                    ])
            }
            return .done
        case .sessionCost(let id, let cost):
            try writer.run("UPDATE sessions SET cost_fen = ? WHERE id = ?", [.integer(cost), .integer(id)])
            return .done
        case .stopSession(var stop):
            if let ref = stop.transactionRef { stop.transactionId = try sessionId(chargePointId: stop.chargePointId, ref: ref) ?? 0 }
            let rows = try writer.query(
                "SELECT connector_id, status, meter_start FROM sessions WHERE id = ? AND charge_point_id = ?",
                [.integer(stop.transactionId), .text(stop.chargePointId)])
            guard let row = rows.first, let connectorId = row.int(0) else {
                return .sessionStopped(.unknownTransaction)
            }
            if row.string(1) == SessionRecord.Status.completed.rawValue {
                return .sessionStopped(.alreadyStopped(id: stop.transactionId))
            }
            let wasAbandoned = row.string(1) == SessionRecord.Status.abandoned.rawValue
            try writer.run(
                """
                UPDATE sessions SET status = 'completed', stop_time = ?, meter_stop = ?, energy_wh = ? - meter_start, failure = NULL,
                    stop_reason = ?, stop_id_tag = ?, ended_at = ?
                WHERE id = ?
                """,
                [
                    .init(stop.stopTime), .integer(stop.meterStopWh), .integer(stop.meterStopWh), .text(stop.reason),
                    .init(stop.idTag), .init(stop.receivedAt), .integer(stop.transactionId),
                ])
            record(stop.samples, sessionId: stop.transactionId, chargePointId: stop.chargePointId, connectorId: Int(connectorId))
            try endTxProfiles(chargePointId: stop.chargePointId, connectorId: Int(connectorId), sessionId: stop.transactionId)
            if stop.meterStopFromReadings {
                let readings = try readingSummary(sessionId: stop.transactionId)
                try writer.run(
                    "UPDATE sessions SET meter_stop = CAST(max(meter_stop, meter_start, ?2) AS INTEGER) WHERE id = ?1",
                    [.integer(stop.transactionId), .real(readings.highestRegister ?? 0)])
                try writer.run("UPDATE sessions SET energy_wh = meter_stop - meter_start WHERE id = ?", [.integer(stop.transactionId)])
            }
            let meterStart = row.int(2) ?? 0
            return .sessionStopped(
                wasAbandoned
                    ? .stoppedAfterAbandonment(id: stop.transactionId, meterStartWh: meterStart)
                    : .stopped(id: stop.transactionId, meterStartWh: meterStart))
        }
    }
}

extension SQLiteSessionStore {
    /// A start under a reservation of this pile uses it up (in the same transaction as the start).
    func markReservationUsed(_ start: SessionStart, sessionId: Int64) throws {
        guard let reservation = start.reservationId else { return }
        try writer.run(
            "UPDATE reservations SET status = 'used', session_id = ? WHERE id = ? AND charge_point_id = ? AND status IN ('accepted', 'requested')",
            [.integer(sessionId), .init(reservation), .text(start.chargePointId)])
    }

    /// The session a pile's own transaction id names.
    func sessionId(chargePointId: String, ref: String) throws -> Int64? {
        try writer.query(
            "SELECT id FROM sessions WHERE charge_point_id = ? AND transaction_ref = ?", [.text(chargePointId), .text(ref)]
        ).first?.int(0)
    }

    /// Closes the active sessions an abandonment names at their last known register and
    /// reading time; returns their ids.
    ///
    /// The SQL text is the same for every abandonment, the kept ids are dropped after the
    /// query: the writer keeps a prepared statement per distinct text for the life of the
    /// process, and ids written into the text cost one more statement (~3 KiB) per
    /// transaction started. The pile's index, not the status one (SQLite's pick without
    /// statistics), so a start reads this pile's sessions, not every active session.
    func abandon(_ a: SessionAbandonment) throws -> [Int64] {
        let keeping = Set(a.keeping)
        let candidates = try writer.query(
            """
            SELECT id FROM sessions INDEXED BY sessions_by_pile
            WHERE charge_point_id = ? AND status = 'active' AND (? IS NULL OR connector_id = ?)
                AND (? IS NULL OR id = ?) AND (? IS NULL OR received_at < ?)
            """,
            [
                .text(a.chargePointId), .init(a.connectorId), .init(a.connectorId), .init(a.sessionId), .init(a.sessionId),
                .init(a.receivedBefore), .init(a.receivedBefore),
            ]
        ).compactMap { $0.int(0) }.filter { !keeping.contains($0) }
        for id in candidates {
            // The highest plausible outlet register is what the pile last showed; a session
            // without readings ends where it started, at its last reading's time or its start.
            let readings = try readingSummary(sessionId: id)
            try writer.run(
                """
                UPDATE sessions SET status = 'abandoned', stop_reason = ?2, ended_at = ?3,
                    meter_stop = CAST(max(meter_start, coalesce(?4, meter_start)) AS INTEGER),
                    stop_time = max(start_time, coalesce(?5, start_time))
                WHERE id = ?1
                """, [.integer(id), .text(a.reason), .init(a.at), .init(readings.highestRegister), .init(readings.lastTime)])
            try writer.run("UPDATE sessions SET energy_wh = meter_stop - meter_start WHERE id = ?", [.integer(id)])
        }
        return candidates
    }
}
