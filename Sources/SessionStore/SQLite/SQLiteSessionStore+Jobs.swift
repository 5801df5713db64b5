import Foundation

// Firmware, diagnostics and log jobs and the files kept for them (migration 9).

extension SQLiteSessionStore {
    func insertJob(_ job: JobRecord) throws -> Int64 {
        try writer.run(
            """
            INSERT INTO jobs(charge_point_id, kind, ocpp_version, action, request, status, pile_status, answer, file_name, created_at, updated_at)
            VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(job.chargePointId), .text(job.kind.rawValue), .text(job.ocppVersion), .text(job.action), .text(job.request),
                .text(job.status.rawValue), .init(job.pileStatus), .init(job.answer), .init(job.fileName), .init(job.createdAt), .init(job.updatedAt),
            ])
        let id = writer.lastInsertRowID
        for event in job.history { try insertJobEvent(id, event) }
        return id
    }

    func insertJobEvent(_ jobId: Int64, _ event: JobRecord.Event) throws {
        try writer.run(
            "INSERT INTO job_events(job_id, time, source, status, detail) VALUES(?, ?, ?, ?, ?)",
            [.integer(jobId), .init(event.time), .text(event.source.rawValue), .text(event.status), .init(event.detail)])
    }

    func answerJob(_ id: Int64, request: String, status: JobRecord.Status, answer: String?, fileName: String?, event: JobRecord.Event) throws {
        try writer.run(
            """
            UPDATE jobs SET request = ?, status = CASE WHEN status = 'requested' THEN ? ELSE status END, answer = ?, file_name = coalesce(?, file_name),
                updated_at = ? WHERE id = ?
            """, [.text(request), .text(status.rawValue), .init(answer), .init(fileName), .init(event.time), .integer(id)])
        try insertJobEvent(id, event)
    }

    /// A firmware, diagnostics or log notice moves its job on: the job its requestId names
    /// (2.0.1, GetLog), else the pile's newest open job of that kind (1.6 has no id there).
    /// Idle says nothing of a job and feeds none.
    func feedJob(_ notice: PileNoticeRecord) throws {
        guard let kind = JobRecord.Kind(rawValue: notice.kind.rawValue), let next = JobRecord.status(afterPileReports: notice.status) else { return }
        let found: SQLiteRow?
        if let requestId = notice.requestId {
            found = try writer.query(
                "SELECT id FROM jobs WHERE id = ?1 AND charge_point_id = ?2 AND (kind = ?3 OR (?3 = 'log' AND kind = 'diagnostics'))",
                [.integer(requestId), .text(notice.chargePointId), .text(kind.rawValue)]
            ).first
        } else {
            found = try writer.query(
                """
                SELECT id FROM jobs WHERE charge_point_id = ? AND kind = ? AND status IN ('requested', 'accepted', 'running')
                ORDER BY id DESC LIMIT 1
                """, [.text(notice.chargePointId), .text(kind.rawValue)]
            ).first
        }
        guard let id = found?.int(0) else { return }
        try writer.run(
            "UPDATE jobs SET status = ?, pile_status = ?, updated_at = ? WHERE id = ?",
            [.text(next.rawValue), .text(notice.status), .init(notice.time), .integer(id)])
        try insertJobEvent(id, .init(time: notice.time, source: .pile, status: notice.status, detail: notice.detail))
    }

    func insertFile(_ file: StoredFileRecord) throws -> Int64 {
        try writer.run(
            "INSERT INTO stored_files(kind, name, job_id, size, content_type, sha256, location, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .text(file.kind.rawValue), .text(file.name), .init(file.jobId), .init(file.size), .init(file.contentType), .init(file.sha256),
                .init(file.location), .init(file.createdAt),
            ])
        let id = writer.lastInsertRowID
        if let job = file.jobId {
            try insertJobEvent(job, .init(time: file.createdAt, source: .upload, status: "FileReceived", detail: "\(file.name) (\(file.size ?? 0) bytes, upload \(id))"))
            try writer.run("UPDATE jobs SET updated_at = ? WHERE id = ?", [.init(file.createdAt), .integer(job)])
        }
        return id
    }

    // MARK: Reads

    static let jobColumns = """
        SELECT id, charge_point_id, kind, ocpp_version, action, request, status, pile_status, answer, file_name, created_at, updated_at FROM jobs
        """
    static let fileColumns = "SELECT id, kind, name, job_id, size, content_type, sha256, location, created_at FROM stored_files"

    static func storedFile(_ r: SQLiteRow) -> StoredFileRecord {
        StoredFileRecord(
            id: r.int(0) ?? 0, kind: r.string(1).flatMap(StoredFileRecord.Kind.init) ?? .upload, name: r.string(2) ?? "", jobId: r.int(3),
            size: r.int(4), contentType: r.string(5), sha256: r.string(6), location: r.string(7), createdAt: r.date(8) ?? .distantPast)
    }

    /// Jobs of rows, each with its history and uploads.
    static func jobs(_ rows: [SQLiteRow], in db: SQLiteDatabase) throws -> [JobRecord] {
        try rows.map { r in
            let id = r.int(0) ?? 0
            let history = try db.query("SELECT time, source, status, detail FROM job_events WHERE job_id = ? ORDER BY id", [.integer(id)]).map {
                JobRecord.Event(
                    time: $0.date(0) ?? .distantPast, source: $0.string(1).flatMap(JobRecord.Event.Source.init) ?? .gateway,
                    status: $0.string(2) ?? "", detail: $0.string(3))
            }
            let uploads = try db.query("\(fileColumns) WHERE job_id = ? ORDER BY id", [.integer(id)]).map(storedFile)
            return JobRecord(
                id: id, chargePointId: r.string(1) ?? "", kind: r.string(2).flatMap(JobRecord.Kind.init) ?? .firmware, ocppVersion: r.string(3) ?? "",
                action: r.string(4) ?? "", request: r.string(5) ?? "{}", status: r.string(6).flatMap(JobRecord.Status.init) ?? .failed,
                pileStatus: r.string(7), answer: r.string(8), fileName: r.string(9), createdAt: r.date(10) ?? .distantPast,
                updatedAt: r.date(11) ?? .distantPast, history: history, uploads: uploads)
        }
    }

    public func jobs(chargePointId: String?, kind: JobRecord.Kind?, limit: Int) async throws -> [JobRecord] {
        try await read { db in
            try Self.jobs(
                try db.query(
                    "\(Self.jobColumns) WHERE (?1 IS NULL OR charge_point_id = ?1) AND (?2 IS NULL OR kind = ?2) ORDER BY id DESC LIMIT ?3",
                    [.init(chargePointId), .init(kind?.rawValue), .init(limit)]), in: db)
        }
    }

    public func job(id: Int64) async throws -> JobRecord? {
        try await read { db in try Self.jobs(try db.query("\(Self.jobColumns) WHERE id = ?", [.integer(id)]), in: db).first }
    }

    public func storedFiles(kind: StoredFileRecord.Kind, limit: Int) async throws -> [StoredFileRecord] {
        try await read { db in
            try db.query("\(Self.fileColumns) WHERE kind = ? ORDER BY id DESC LIMIT ?", [.text(kind.rawValue), .init(limit)]).map(Self.storedFile)
        }
    }

    public func storedFile(id: Int64) async throws -> StoredFileRecord? {
        try await read { db in try db.query("\(Self.fileColumns) WHERE id = ?", [.integer(id)]).first.map(Self.storedFile) }
    }

    public func firmwareFile(name: String) async throws -> StoredFileRecord? {
        try await read { db in
            try db.query("\(Self.fileColumns) WHERE kind = 'firmware' AND name = ?", [.text(name)]).first.map(Self.storedFile)
        }
    }
}
