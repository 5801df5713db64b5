import Foundation

// Queries run on their own connection and queue: WAL lets them read while the writer commits.

extension SQLiteSessionStore {
    func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteDatabase) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            readQueue.async {
                continuation.resume(with: Result { try body(self.reader) })
            }
        }
    }

    public func chargePoints() async throws -> [ChargePointDetail] {
        try await read { db in
            let connectors = Dictionary(grouping: try db.query("\(Self.connectorColumns) ORDER BY charge_point_id, connector_id").map(Self.connector), by: \.chargePointId)
            return try db.query("\(Self.chargePointColumns) ORDER BY id").map(Self.chargePoint).map {
                ChargePointDetail(chargePoint: $0, connectors: connectors[$0.id] ?? [])
            }
        }
    }

    public func chargePoint(id: String) async throws -> ChargePointDetail? {
        try await read { db in
            guard let cp = try db.query("\(Self.chargePointColumns) WHERE id = ?", [.text(id)]).first.map(Self.chargePoint) else {
                return nil
            }
            let connectors = try db.query("\(Self.connectorColumns) WHERE charge_point_id = ? ORDER BY connector_id", [.text(id)])
            return ChargePointDetail(chargePoint: cp, connectors: connectors.map(Self.connector))
        }
    }

    public func sessions(chargePointId: String?, status: SessionRecord.Status?, limit: Int) async throws -> [SessionRecord] {
        try await read { db in
            try db.query(
                """
                \(Self.sessionColumns) WHERE (?1 IS NULL OR charge_point_id = ?1) AND (?2 IS NULL OR status = ?2)
                ORDER BY id DESC LIMIT ?3
                """,
                [.init(chargePointId), .init(status?.rawValue), .init(limit)]
            ).compactMap(Self.session)
        }
    }

    public func session(id: Int64) async throws -> SessionDetail? {
        try await read { db in
            let rows = try db.query("\(Self.sessionColumns) WHERE id = ?", [.integer(id)])
            guard let row = rows.first, let session = Self.session(row) else { return nil }
            let samples = try self.storedSamples(sessionId: id, db: db)
            let findings = try db.query("\(Self.findingColumns) WHERE session_id = ? ORDER BY time, id", [.integer(id)]).map { Self.finding($0) }
            // The pile's frames from the start message to the stop message, by our receive times.
            let from = row.double(17) ?? 0
            let to = row.double(18) ?? Date().timeIntervalSince1970
            let logged = try self.loggedFrames(
                chargePointId: session.chargePointId, db: db, limit: 10_000, scanning: .max, since: from, until: to + 1)
            let legacy = try db.query(
                """
                SELECT time, direction, charge_point_id, message_type, message_id, action, frame, latency_ms
                FROM message_log WHERE charge_point_id = ? AND time >= ? AND time <= ? ORDER BY time, id LIMIT ?
                """, [.text(session.chargePointId), .real(from), .real(to + 1), .integer(Int64(10_000 - logged.count))]
            ).map(Self.frame)
            let timeline = legacy + Self.byTime(logged.reversed())
            return SessionDetail(session: session, samples: samples, findings: findings, timeline: timeline)
        }
    }

    public func samples(sessionId: Int64) async throws -> [SampleRecord] {
        try await read { db in try self.storedSamples(sessionId: sessionId, db: db) }
    }

    /// Frames in time order; those of one time keep the order they were logged in.
    static func byTime(_ frames: [FrameRecord]) -> [FrameRecord] {
        frames.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    static func sample(_ r: SQLiteRow) -> SampleRecord {
        SampleRecord(
            time: r.date(0) ?? .distantPast, measurand: r.string(1) ?? "", value: r.double(2) ?? 0,
            unit: r.string(3), phase: r.string(4), location: r.string(5), context: r.string(6))
    }

    public func latestSamples(sessionIds: [Int64]) async throws -> [Int64: [SampleRecord]] {
        guard !sessionIds.isEmpty else { return [:] }
        return try await read { db in
            var result: [Int64: [SampleRecord]] = [:]
            for id in sessionIds { result[id] = try self.latestSamples(sessionId: id, db: db) }
            return result
        }
    }

    public func findings(chargePointId: String?, limit: Int) async throws -> [FindingRecord] {
        try await read { db in
            try db.query(
                "\(Self.findingColumns) WHERE (?1 IS NULL OR charge_point_id = ?1) ORDER BY id DESC LIMIT ?2",
                [.init(chargePointId), .init(limit)]
            ).map { Self.finding($0) }
        }
    }

    public func frameCount() async throws -> Int {
        try await read { db in
            try self.log.frameCount(db: db) + Int(try db.query("SELECT count(*) FROM message_log").first?.int(0) ?? 0)
        }
    }

    public func idTags() async throws -> [IdTagRecord] {
        try await read { db in
            try db.query("SELECT id_tag, status, expiry_date, parent_id_tag FROM id_tags ORDER BY id_tag").map {
                IdTagRecord(idTag: $0.string(0) ?? "", status: $0.string(1) ?? "Invalid", expiryDate: $0.date(2), parentIdTag: $0.string(3))
            }
        }
    }

    public func commands(chargePointId: String, limit: Int) async throws -> [CommandRecord] {
        try await read { db in
            try db.query(
                """
                SELECT id, charge_point_id, time, issued_by, ocpp_version, action, payload, outcome, response, error_code, error_description,
                    latency_ms FROM operator_commands WHERE charge_point_id = ? ORDER BY id DESC LIMIT ?
                """, [.text(chargePointId), .init(limit)]
            ).map { r in
                CommandRecord(
                    id: r.int(0) ?? 0, chargePointId: r.string(1) ?? "", time: r.date(2) ?? .distantPast, issuedBy: r.string(3) ?? "",
                    ocppVersion: r.string(4) ?? "", action: r.string(5) ?? "", payload: r.string(6) ?? "{}",
                    outcome: r.string(7).flatMap(CommandRecord.Outcome.init) ?? .pileError, response: r.string(8), errorCode: r.string(9),
                    errorDescription: r.string(10), latencyMs: r.double(11))
            }
        }
    }

    static let reservationColumns = """
        SELECT id, charge_point_id, connector_id, id_tag, account_id, expiry, status, answer, session_id, created_at, ocpp_version FROM reservations
        """

    static func reservation(_ r: SQLiteRow) -> ReservationRecord {
        ReservationRecord(
            id: r.int(0) ?? 0, chargePointId: r.string(1) ?? "", connectorId: Int(clamping: r.int(2) ?? 0), idTag: r.string(3) ?? "",
            account: r.string(4), expiry: r.date(5) ?? .distantPast, status: r.string(6).flatMap(ReservationRecord.Status.init) ?? .failed,
            answer: r.string(7), sessionId: r.int(8), createdAt: r.date(9) ?? .distantPast, ocppVersion: r.string(10) ?? "")
    }

    public func reservations(chargePointId: String?, limit: Int) async throws -> [ReservationRecord] {
        try await read { db in
            try db.query(
                "\(Self.reservationColumns) WHERE (?1 IS NULL OR charge_point_id = ?1) ORDER BY id DESC LIMIT ?2", [.init(chargePointId), .init(limit)]
            ).map(Self.reservation)
        }
    }

    public func reservation(id: Int64) async throws -> ReservationRecord? {
        try await read { db in try db.query("\(Self.reservationColumns) WHERE id = ?", [.integer(id)]).first.map(Self.reservation) }
    }

    public func notices(chargePointId: String, kind: PileNoticeRecord.Kind?, limit: Int) async throws -> [PileNoticeRecord] {
        try await read { db in
            try db.query(
                """
                SELECT id, charge_point_id, time, kind, status, request_id, detail, ocpp_version FROM pile_notices
                WHERE charge_point_id = ?1 AND (?2 IS NULL OR kind = ?2) ORDER BY id DESC LIMIT ?3
                """, [.text(chargePointId), .init(kind?.rawValue), .init(limit)]
            ).map { r in
                PileNoticeRecord(
                    id: r.int(0) ?? 0, chargePointId: r.string(1) ?? "", time: r.date(2) ?? .distantPast,
                    kind: r.string(3).flatMap(PileNoticeRecord.Kind.init) ?? .security, status: r.string(4) ?? "", requestId: r.int(5),
                    detail: r.string(6), ocppVersion: r.string(7) ?? "")
            }
        }
    }

    public func deviceModel(chargePointId: String) async throws -> [DeviceVariableRecord] {
        try await read { db in
            try db.query(
                """
                SELECT component, component_instance, evse_id, connector_id, variable, variable_instance, attribute, value,
                    mutability, data_type, unit, reported_at
                FROM device_variables WHERE charge_point_id = ? ORDER BY component, component_instance, evse_id, connector_id,
                    variable, variable_instance, attribute
                """, [.text(chargePointId)]
            ).map { r in
                DeviceVariableRecord(
                    component: r.string(0) ?? "", componentInstance: r.string(1).flatMap { $0.isEmpty ? nil : $0 },
                    evseId: r.int(2).flatMap { $0 < 0 ? nil : Int($0) }, connectorId: r.int(3).flatMap { $0 < 0 ? nil : Int($0) },
                    variable: r.string(4) ?? "", variableInstance: r.string(5).flatMap { $0.isEmpty ? nil : $0 },
                    attribute: r.string(6) ?? "Actual", value: r.string(7), mutability: r.string(8), dataType: r.string(9),
                    unit: r.string(10), reportedAt: r.date(11) ?? .distantPast)
            }
        }
    }

    public func frames(chargePointId: String, limit: Int) async throws -> [FrameRecord] {
        try await read { db in
            let logged = try self.loggedFrames(chargePointId: chargePointId, db: db, limit: limit, scanning: limit)
            let legacy = try db.query(
                """
                SELECT * FROM (SELECT time, direction, charge_point_id, message_type, message_id, action, frame, latency_ms, id
                FROM message_log WHERE charge_point_id = ? ORDER BY time DESC, id DESC LIMIT ?) ORDER BY time, id
                """, [.text(chargePointId), .integer(Int64(max(0, limit - logged.count)))]
            ).map(Self.frame)
            return legacy + Self.byTime(logged.reversed())
        }
    }

    /// How far back a search by message id looks in a pile's log.
    static let messageIdSearchFrames = 50_000

    public func frames(chargePointId: String, messageId: String) async throws -> [FrameRecord] {
        // Message ids repeat over a pile's life (a counter restarting at boot): the newest few.
        try await read { db in
            let logged = try self.loggedFrames(
                chargePointId: chargePointId, db: db, limit: 20, scanning: Self.messageIdSearchFrames, keep: { $0.messageId == messageId })
            let legacy = try db.query(
                """
                SELECT * FROM (SELECT time, direction, charge_point_id, message_type, message_id, action, frame, latency_ms, id
                FROM message_log WHERE charge_point_id = ? AND message_id = ? ORDER BY time DESC, id DESC LIMIT ?) ORDER BY time, id
                """, [.text(chargePointId), .text(messageId), .integer(Int64(20 - logged.count))]
            ).map(Self.frame)
            return legacy + Self.byTime(logged.reversed())
        }
    }

    static let chargePointColumns = """
        SELECT id, network, vendor, model, serial_number, firmware_version, ocpp_version, registration_status,
            first_seen, last_seen, connected FROM charge_points
        """

    static func chargePoint(_ r: SQLiteRow) -> ChargePointRecord {
        ChargePointRecord(
            id: r.string(0) ?? "", network: r.string(1), vendor: r.string(2), model: r.string(3), serialNumber: r.string(4),
            firmwareVersion: r.string(5), ocppVersion: r.string(6), registrationStatus: r.string(7), firstSeen: r.date(8),
            lastSeen: r.date(9), connected: r.int(10) == 1)
    }

    static let connectorColumns = """
        SELECT charge_point_id, connector_id, status, error_code, info, vendor_error_code, since FROM connectors
        """

    static func connector(_ r: SQLiteRow) -> ConnectorStatusRecord {
        ConnectorStatusRecord(
            chargePointId: r.string(0) ?? "", connectorId: Int(r.int(1) ?? 0), status: r.string(2) ?? "",
            errorCode: r.string(3), info: r.string(4), vendorErrorCode: r.string(5), since: r.date(6) ?? .distantPast)
    }

    static let sessionColumns = """
        SELECT id, charge_point_id, connector_id, id_tag, ocpp_version, status, authorization_status, start_time,
            stop_time, meter_start, meter_stop, energy_wh, stop_reason, stop_id_tag, cost_fen, reservation_id,
            0, received_at, ended_at, account_id, failure, unplugged_at, transaction_ref FROM sessions
        """

    static func session(_ r: SQLiteRow) -> SessionRecord? {
        guard let id = r.int(0), let status = r.string(5).flatMap(SessionRecord.Status.init(rawValue:)) else { return nil }
        return SessionRecord(
            id: id, chargePointId: r.string(1) ?? "", connectorId: Int(r.int(2) ?? 0), idTag: r.string(3),
            ocppVersion: r.string(4), status: status, authorizationStatus: r.string(6),
            startTime: r.date(7) ?? .distantPast, stopTime: r.date(8), meterStartWh: r.int(9) ?? 0, meterStopWh: r.int(10),
            energyWh: r.int(11), stopReason: r.string(12), stopIdTag: r.string(13), costFen: r.int(14),
            reservationId: r.int(15).map(Int.init), account: r.string(19), failure: r.string(20), unpluggedAt: r.date(21),
            transactionRef: r.string(22))
    }

    static let findingFields = "rule, severity, charge_point_id, session_id, message_id, detail, time"
    static let findingColumns = "SELECT \(findingFields) FROM findings"

    /// A finding from `findingFields`, starting at column `first`.
    static func finding(_ r: SQLiteRow, from first: Int = 0) -> FindingRecord {
        FindingRecord(
            rule: r.string(first) ?? "", severity: r.string(first + 1) ?? "", chargePointId: r.string(first + 2) ?? "",
            sessionId: r.int(first + 3), messageId: r.string(first + 4), detail: r.string(first + 5) ?? "", time: r.date(first + 6) ?? .distantPast)
    }

    static func frame(_ r: SQLiteRow) -> FrameRecord {
        FrameRecord(
            time: r.date(0) ?? .distantPast, direction: FrameRecord.Direction(rawValue: r.string(1) ?? "") ?? .incoming,
            chargePointId: r.string(2) ?? "", messageType: Int(r.int(3) ?? 0), messageId: r.string(4), action: r.string(5),
            text: r.string(6) ?? "", latencyMs: r.double(7))
    }
}
