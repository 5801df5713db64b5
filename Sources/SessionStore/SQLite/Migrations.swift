/// The schema, as numbered steps. A database records the last step applied in
/// `PRAGMA user_version`; opening it applies the rest, each in its own transaction.
/// Never edit a released step: add a new one.
enum Migrations {
    static let steps: [String] = [
        // 1: the session model of Records.swift. Times are UTC seconds since 1970 (REAL).
        """
        CREATE TABLE charge_points(
            id TEXT PRIMARY KEY,
            network TEXT, vendor TEXT, model TEXT, serial_number TEXT, firmware_version TEXT,
            ocpp_version TEXT, registration_status TEXT,
            first_seen REAL, last_seen REAL,
            connected INTEGER NOT NULL DEFAULT 0,
            node TEXT
        );
        CREATE TABLE connectors(
            charge_point_id TEXT NOT NULL,
            connector_id INTEGER NOT NULL,
            status TEXT NOT NULL, error_code TEXT, info TEXT, vendor_error_code TEXT,
            since REAL NOT NULL, updated REAL NOT NULL,
            PRIMARY KEY(charge_point_id, connector_id)
        );
        CREATE TABLE sessions(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            charge_point_id TEXT NOT NULL,
            connector_id INTEGER NOT NULL,
            id_tag TEXT,
            ocpp_version TEXT,
            status TEXT NOT NULL,
            authorization_status TEXT,
            start_time REAL NOT NULL,
            stop_time REAL,
            meter_start INTEGER NOT NULL,
            meter_stop INTEGER,
            energy_wh INTEGER,
            stop_reason TEXT,
            stop_id_tag TEXT,
            cost_fen INTEGER,
            reservation_id INTEGER,
            received_at REAL NOT NULL,
            ended_at REAL
        );
        CREATE INDEX sessions_by_pile ON sessions(charge_point_id, connector_id, start_time);
        CREATE INDEX sessions_by_status ON sessions(status);
        CREATE TABLE meter_samples(
            id INTEGER PRIMARY KEY,
            session_id INTEGER,
            charge_point_id TEXT NOT NULL,
            connector_id INTEGER NOT NULL,
            time REAL NOT NULL,
            measurand TEXT NOT NULL,
            value REAL NOT NULL,
            unit TEXT, phase TEXT, location TEXT, context TEXT
        );
        CREATE INDEX meter_samples_by_session ON meter_samples(session_id, time);
        CREATE TABLE message_log(
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            direction TEXT NOT NULL,
            charge_point_id TEXT NOT NULL,
            message_type INTEGER NOT NULL,
            message_id TEXT,
            action TEXT,
            frame TEXT NOT NULL,
            latency_ms REAL
        );
        CREATE INDEX message_log_by_pile ON message_log(charge_point_id, time);
        CREATE TABLE findings(
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            rule TEXT NOT NULL,
            severity TEXT NOT NULL,
            charge_point_id TEXT NOT NULL,
            session_id INTEGER,
            message_id TEXT,
            detail TEXT NOT NULL
        );
        CREATE INDEX findings_by_pile ON findings(charge_point_id, time);
        CREATE INDEX findings_by_session ON findings(session_id);
        """,
        // 2: id tags kept in the store (the configuration file's list is checked first).
        """
        CREATE TABLE id_tags(
            id_tag TEXT PRIMARY KEY COLLATE NOCASE,
            status TEXT NOT NULL,
            expiry_date REAL,
            parent_id_tag TEXT
        );
        """,
        // 3: scan to charge. A scanned session exists from the scan ('starting') until the
        // pile's StartTransaction fills it in, or it is closed as 'failed' with the reason.
        """
        ALTER TABLE sessions ADD COLUMN account_id TEXT;
        ALTER TABLE sessions ADD COLUMN failure TEXT;
        ALTER TABLE sessions ADD COLUMN unplugged_at REAL;
        CREATE INDEX sessions_by_account ON sessions(account_id, status);
        """,
        // 4: the pile's own transaction id (OCPP 2.0.1 lets the charger choose it).
        """
        ALTER TABLE sessions ADD COLUMN transaction_ref TEXT;
        CREATE UNIQUE INDEX sessions_by_ref ON sessions(charge_point_id, transaction_ref) WHERE transaction_ref IS NOT NULL;
        """,
        // 5: a 2.0.1 station's device model, as its NotifyReports said (one row per variable attribute).
        """
        CREATE TABLE device_variables(
            charge_point_id TEXT NOT NULL,
            component TEXT NOT NULL, component_instance TEXT NOT NULL DEFAULT '',
            evse_id INTEGER NOT NULL DEFAULT -1, connector_id INTEGER NOT NULL DEFAULT -1,
            variable TEXT NOT NULL, variable_instance TEXT NOT NULL DEFAULT '',
            attribute TEXT NOT NULL,
            value TEXT, mutability TEXT, data_type TEXT, unit TEXT, reported_at REAL NOT NULL,
            PRIMARY KEY (charge_point_id, component, component_instance, evse_id, connector_id, variable, variable_instance, attribute)
        );
        """,
        // 6: operators' commands to piles (POST /api/chargepoints/{id}/commands/{action}) and their answers.
        """
        CREATE TABLE operator_commands(
            id INTEGER PRIMARY KEY,
            charge_point_id TEXT NOT NULL,
            time REAL NOT NULL,
            issued_by TEXT NOT NULL,
            ocpp_version TEXT NOT NULL,
            action TEXT NOT NULL,
            payload TEXT NOT NULL,
            outcome TEXT NOT NULL,
            response TEXT,
            error_code TEXT,
            error_description TEXT,
            latency_ms REAL
        );
        CREATE INDEX operator_commands_by_pile ON operator_commands(charge_point_id, id);
        """,
        // 7: what piles report of their firmware, diagnostics and log jobs, and security events.
        """
        CREATE TABLE pile_notices(
            id INTEGER PRIMARY KEY,
            charge_point_id TEXT NOT NULL,
            time REAL NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            request_id INTEGER,
            detail TEXT,
            ocpp_version TEXT NOT NULL
        );
        CREATE INDEX pile_notices_by_pile ON pile_notices(charge_point_id, id);
        """,
        // 8: reservations the gateway asked piles for (ReserveNow), and what became of them.
        """
        CREATE TABLE reservations(
            id INTEGER PRIMARY KEY,
            charge_point_id TEXT NOT NULL,
            connector_id INTEGER NOT NULL,
            id_tag TEXT NOT NULL,
            account_id TEXT,
            expiry REAL NOT NULL,
            status TEXT NOT NULL,
            answer TEXT,
            session_id INTEGER,
            created_at REAL NOT NULL,
            ocpp_version TEXT NOT NULL
        );
        CREATE INDEX reservations_by_pile ON reservations(charge_point_id, id);
        """,
        // 9: firmware, diagnostics and log jobs with their status history, and the files
        // the gateway keeps (firmware for piles to download, what piles uploaded).
        """
        CREATE TABLE jobs(
            id INTEGER PRIMARY KEY,
            charge_point_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            ocpp_version TEXT NOT NULL,
            action TEXT NOT NULL,
            request TEXT NOT NULL,
            status TEXT NOT NULL,
            pile_status TEXT,
            answer TEXT,
            file_name TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE INDEX jobs_by_pile ON jobs(charge_point_id, kind, id);
        CREATE TABLE job_events(
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL,
            time REAL NOT NULL,
            source TEXT NOT NULL,
            status TEXT NOT NULL,
            detail TEXT
        );
        CREATE INDEX job_events_by_job ON job_events(job_id, id);
        CREATE TABLE stored_files(
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            job_id INTEGER,
            size INTEGER,
            content_type TEXT,
            sha256 TEXT,
            location TEXT,
            created_at REAL NOT NULL
        );
        CREATE UNIQUE INDEX stored_firmware_by_name ON stored_files(name) WHERE kind = 'firmware';
        CREATE INDEX stored_files_by_job ON stored_files(job_id);
        """,
        // 10 (issue 11, local lists): the gateway's local authorization list
        // per pile, its version, what the pile last accepted and said.
        """
        CREATE TABLE local_lists(
            charge_point_id TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            source TEXT NOT NULL,
            entries TEXT NOT NULL,
            updated_at REAL NOT NULL,
            accepted_version INTEGER,
            accepted_entries TEXT,
            last_sent_update_type TEXT,
            last_sent_version INTEGER,
            last_sent_at REAL,
            last_answer TEXT,
            last_answer_at REAL,
            pile_version INTEGER,
            pile_version_at REAL,
            not_supported INTEGER NOT NULL DEFAULT 0,
            max_length INTEGER,
            max_per_send INTEGER
        );
        """,
        // 11 (issue 11, charging profiles): the charging profiles piles accepted.
        """
        CREATE TABLE charging_profiles(
            id INTEGER PRIMARY KEY,
            charge_point_id TEXT NOT NULL,
            connector_id INTEGER NOT NULL,
            charging_profile_id INTEGER NOT NULL,
            purpose TEXT NOT NULL,
            stack_level INTEGER NOT NULL,
            transaction_id TEXT,
            valid_from REAL,
            valid_to REAL,
            profile TEXT NOT NULL,
            ocpp_version TEXT NOT NULL,
            stored_at REAL NOT NULL
        );
        CREATE INDEX charging_profiles_by_pile ON charging_profiles(charge_point_id, connector_id);
        """,
        // 12 (issue 12, security profiles): piles' profiles and password hashes.
        """
        CREATE TABLE pile_credentials(
            charge_point_id TEXT PRIMARY KEY,
            security_profile INTEGER NOT NULL,
            password_hash TEXT,
            updated_at REAL NOT NULL,
            updated_by TEXT NOT NULL
        );
        """,
        // 13 (issue 12, relay mode): the durable outage queue and the transaction ids
        // the relay gave piles while the backend was away.
        """
        CREATE TABLE relay_queue(
            id INTEGER PRIMARY KEY,
            charge_point_id TEXT NOT NULL,
            ocpp_version TEXT NOT NULL,
            message_id TEXT NOT NULL,
            action TEXT NOT NULL,
            frame TEXT NOT NULL,
            queued_at REAL NOT NULL
        );
        CREATE INDEX relay_queue_by_pile ON relay_queue(charge_point_id, id);
        CREATE TABLE relay_transactions(
            charge_point_id TEXT NOT NULL,
            local_id INTEGER NOT NULL,
            backend_id INTEGER NOT NULL,
            PRIMARY KEY(charge_point_id, local_id)
        );
        """,
        // 14 (issue 14, smart charging): under which source a 2.0.1 station reported each
        // profile (ReportChargingProfiles), and when.
        """
        ALTER TABLE charging_profiles ADD COLUMN source TEXT;
        ALTER TABLE charging_profiles ADD COLUMN reported_at REAL;
        """,
        // 15 (issue 15, the write path): frames and meter samples move to the record log
        // (RecordLog); these tables index its sealed chunks. `message_log` and
        // `meter_samples` keep what older versions wrote and are still read.
        """
        CREATE TABLE log_chunks(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            node TEXT NOT NULL,
            segment INTEGER NOT NULL,
            first_offset INTEGER NOT NULL,
            end_offset INTEGER NOT NULL,
            first_time REAL NOT NULL,
            last_time REAL NOT NULL,
            frames INTEGER NOT NULL,
            records INTEGER NOT NULL,
            epoch INTEGER NOT NULL,
            end_sequence INTEGER NOT NULL
        );
        CREATE TABLE log_index(
            chunk INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            key TEXT NOT NULL,
            entries BLOB NOT NULL,
            PRIMARY KEY(chunk, kind, key)
        ) WITHOUT ROWID;
        CREATE TABLE log_identity(id TEXT NOT NULL);
        INSERT INTO log_identity VALUES(lower(hex(randomblob(16))));
        """,
    ]

    static var latest: Int { steps.count }

    /// Brings `db` up to the latest step. Throws if the file is from a newer PileGate.
    static func apply(to db: SQLiteDatabase) throws {
        let current = Int(try db.query("PRAGMA user_version").first?.int(0) ?? 0)
        guard current <= latest else {
            throw SQLiteError(
                code: 0, message: "\(db.path) has schema version \(current), newer than this PileGate (\(latest))", sql: nil)
        }
        for version in current..<latest {
            try db.execute("BEGIN IMMEDIATE")
            do {
                // Another process opening the same fresh store (serve --reuse-port) may have
                // applied this step while we waited for the write lock: read it again under it.
                if Int(try db.query("PRAGMA user_version").first?.int(0) ?? 0) > version {
                    try db.execute("COMMIT")
                    continue
                }
                try db.execute(steps[version])
                try db.execute("PRAGMA user_version = \(version + 1)")
                try db.execute("COMMIT")
            } catch {
                try? db.execute("ROLLBACK")
                throw error
            }
        }
    }
}
