import Foundation

/// A change the gateway wants made durable. Commands are plain data, so any backend
/// (SQLite now, PostgreSQL for several gateway nodes) can apply them in batches.
public enum StoreCommand: Sendable {
    /// A pile booted (or re-booted): upsert its identity.
    case chargePointBooted(ChargePointRecord)
    /// A pile's socket opened or closed on this gateway node.
    case connection(chargePointId: String, connected: Bool, at: Date)
    case connectorStatus(ConnectorStatusRecord)
    case startSession(SessionStart)
    case meterSamples(MeterSampleBatch)
    case stopSession(SessionStop)
    /// Adds or replaces an id tag.
    case putIdTag(IdTagRecord)
    /// Opens a scanned session in `starting`, unless the account or the connector already
    /// has a starting or active session (checked and inserted atomically).
    case reserveScan(ScanReservation)
    /// Closes a session still `starting` as `failed`; answers `sessionsClosed` with it if it was.
    case failScan(sessionId: Int64, failure: String, at: Date)
    /// Closes every session of a pile (or one connector of it) still `starting` as `failed`.
    case failStartingScans(chargePointId: String, connectorId: Int?, failure: String, at: Date)
    /// Closes active sessions the pile seems to have forgotten as `abandoned`.
    case abandonSessions(SessionAbandonment)
    /// A running session's token, learned after its start (2.0.1); only a session with none yet takes it.
    case sessionToken(sessionId: Int64, idTag: String, authorizationStatus: String, account: String?)
    /// Variables of a 2.0.1 station's device model (NotifyReport), each replacing what was stored for it.
    case deviceModel(chargePointId: String, variables: [DeviceVariableRecord])
    /// The session's cost as billed (at stop, and again when the car is unplugged).
    case sessionCost(sessionId: Int64, costFen: Int64)
    /// An operator's command and how the pile answered it.
    case operatorCommand(CommandRecord)
    /// A firmware, diagnostics or log status, or a security event, as the pile reported it.
    case pileNotice(PileNoticeRecord)
    /// A reservation, new (id 0: answers `reservationSaved` with its id) or updated.
    case saveReservation(ReservationRecord)
    /// A pile's local list, replacing what was stored for it.
    case saveLocalList(LocalListRecord)
    /// A pile's security profile and password hash, replacing what was stored for it.
    case saveCredential(PileCredentialRecord)
    /// A charging profile the pile accepted: it replaces those it replaces on the pile
    /// (ChargingProfileRecord.installing), read and written in one transaction.
    case installChargingProfile(ChargingProfileRecord)
    /// The pile accepted a ClearChargingProfile: the profiles it matched are gone.
    case clearChargingProfiles(chargePointId: String, ChargingProfileFilter)
    /// A 2.0.1 station reported the profiles it holds (ChargingProfileRecord.reconciling).
    case reportChargingProfiles(ChargingProfileReport)
    /// A new firmware, diagnostics or log job with its first history entries; answers `jobSaved`.
    case createJob(JobRecord)
    /// The pile's answer to a job's command: the status moves on only from `requested`
    /// (a notification may have come first); the event joins the history.
    case jobAnswered(jobId: Int64, request: String, status: JobRecord.Status, answer: String?, fileName: String?, event: JobRecord.Event)
    /// A file the gateway keeps (firmware, or an upload for a job, which joins its history); answers `fileSaved`.
    case saveFile(StoredFileRecord)
    /// A relayed transactional CALL taken into the durable queue; answers `relayQueued`.
    case relayEnqueue(RelayQueueRecord)
    /// The backend answered a queued CALL: it leaves the queue, with the transaction id
    /// mapping its answer gave, if any, in the same transaction.
    case relayDelivered(queueId: Int64, transaction: RelayTransactionRecord?)
    /// Only the findings (and frame) that ride along.
    case none
}

public struct SessionStart: Sendable {
    public var chargePointId: String
    public var connectorId: Int
    public var idTag: String
    public var meterStartWh: Int64
    public var startTime: Date
    public var reservationId: Int?
    public var authorizationStatus: String
    public var ocppVersion: String
    public var receivedAt: Date
    /// The app account the id tag (or VIN) belongs to, if any.
    public var account: String?
    /// The pile's own transaction id (2.0.1 chooses it; a string up to 36 characters).
    /// A second start with the same one is a repeat, answered with the same session.
    public var transactionRef: String?
    /// A station's Started event: if the session its `transactionRef` names has ended, the
    /// station reused the id for a new transaction. The new one takes the reference; the
    /// ended one keeps it as `{ref}@{its id}`.
    public var startsNewTransaction = false
    /// The id the central system gave a remote start (2.0.1 remoteStartId; the gateway
    /// uses the scanned session's id), so the start fills in that session.
    public var remoteStartId: Int64?

    public init(
        chargePointId: String, connectorId: Int, idTag: String, meterStartWh: Int64, startTime: Date,
        reservationId: Int?, authorizationStatus: String, ocppVersion: String, receivedAt: Date, account: String? = nil,
        transactionRef: String? = nil, remoteStartId: Int64? = nil
    ) {
        self.remoteStartId = remoteStartId
        self.account = account
        self.transactionRef = transactionRef
        self.chargePointId = chargePointId
        self.connectorId = connectorId
        self.idTag = idTag
        self.meterStartWh = meterStartWh
        self.startTime = startTime
        self.reservationId = reservationId
        self.authorizationStatus = authorizationStatus
        self.ocppVersion = ocppVersion
        self.receivedAt = receivedAt
    }
}

public struct ScanReservation: Sendable {
    public var chargePointId: String
    public var connectorId: Int
    public var account: String
    public var idTag: String
    public var ocppVersion: String
    public var time: Date

    public init(chargePointId: String, connectorId: Int, account: String, idTag: String, ocppVersion: String, time: Date) {
        self.chargePointId = chargePointId
        self.connectorId = connectorId
        self.account = account
        self.idTag = idTag
        self.ocppVersion = ocppVersion
        self.time = time
    }
}

public struct MeterSampleBatch: Sendable {
    public var chargePointId: String
    public var connectorId: Int
    /// The transaction the pile named, if any; checked against the store.
    public var transactionId: Int64?
    /// Or the pile's own id of it (2.0.1), looked up in the store.
    public var transactionRef: String?
    public var samples: [SampleRecord]
    /// The batch may repeat one already stored (a station's retry after a reconnect):
    /// readings identical to stored ones of the session are not stored again.
    public var mayRepeat = false

    public init(chargePointId: String, connectorId: Int, transactionId: Int64?, transactionRef: String? = nil, samples: [SampleRecord]) {
        self.transactionRef = transactionRef
        self.chargePointId = chargePointId
        self.connectorId = connectorId
        self.transactionId = transactionId
        self.samples = samples
    }
}

public struct SessionStop: Sendable {
    public var chargePointId: String
    /// The session's id, or 0 with `transactionRef` naming it (2.0.1).
    public var transactionId: Int64
    public var transactionRef: String?
    /// The pile gave no final register (a 2.0.1 Ended event without meter values): the
    /// store takes the highest of `meterStopWh`, meterStart and the session's readings.
    public var meterStopFromReadings = false
    public var meterStopWh: Int64
    public var stopTime: Date
    public var reason: String
    public var idTag: String?
    /// transactionData readings.
    public var samples: [SampleRecord]
    public var receivedAt: Date

    public init(
        chargePointId: String, transactionId: Int64, meterStopWh: Int64, stopTime: Date, reason: String,
        idTag: String?, samples: [SampleRecord], receivedAt: Date, transactionRef: String? = nil
    ) {
        self.transactionRef = transactionRef
        self.chargePointId = chargePointId
        self.transactionId = transactionId
        self.meterStopWh = meterStopWh
        self.stopTime = stopTime
        self.reason = reason
        self.idTag = idTag
        self.samples = samples
        self.receivedAt = receivedAt
    }
}

/// What applying a command found out.
public enum StoreOutcome: Sendable, Equatable {
    case done
    /// `duplicate`: the same start (pile, connector, tag, time, meterStart) was already
    /// stored, and this is its id again (docs/ocpp-notes.md, pitfall 9).
    case sessionStarted(id: Int64, duplicate: Bool)
    /// `sessionId` is nil when no transaction was named or it is not a session of this pile.
    case samplesStored(sessionId: Int64?)
    case sessionStopped(SessionStopOutcome)
    case scanReserved(sessionId: Int64)
    case reservationSaved(id: Int64)
    case jobSaved(id: Int64)
    case fileSaved(id: Int64)
    case relayQueued(id: Int64)
    /// The account already charges (or is starting) in `accountSession`, or the connector
    /// is taken by `connectorSession`.
    case scanConflict(accountSession: Int64?, connectorSession: Int64?)
    /// The sessions a failScan, failStartingScans or abandonSessions closed.
    case sessionsClosed([Int64])
}

/// Which active sessions to close as `abandoned`, and why. Each ends at its last known
/// register (the highest outlet energy reading, else meterStart) and last reading's time.
public struct SessionAbandonment: Sendable {
    public var chargePointId: String
    /// One connector's sessions, or (nil) the whole pile's.
    public var connectorId: Int?
    /// One session only.
    public var sessionId: Int64?
    /// Sessions the pile has mentioned since the suspicion arose: they are alive.
    public var keeping: [Int64]
    /// Only sessions the gateway learned of before this time.
    public var receivedBefore: Date?
    /// Stored as the stop reason: `superseded`, `pile_rebooted`, `connector_idle`, `operator`.
    public var reason: String
    public var at: Date

    public init(
        chargePointId: String, connectorId: Int? = nil, sessionId: Int64? = nil, keeping: [Int64] = [], receivedBefore: Date? = nil,
        reason: String, at: Date
    ) {
        self.chargePointId = chargePointId
        self.connectorId = connectorId
        self.sessionId = sessionId
        self.keeping = keeping
        self.receivedBefore = receivedBefore
        self.reason = reason
        self.at = at
    }
}

public enum SessionStopOutcome: Sendable, Equatable {
    case stopped(id: Int64, meterStartWh: Int64)
    /// The pile's own StopTransaction for a session closed as `abandoned`: it now ends as
    /// the pile says (it was already counted as ended).
    case stoppedAfterAbandonment(id: Int64, meterStartWh: Int64)
    case alreadyStopped(id: Int64)
    case unknownTransaction
}

/// Where the gateway keeps sessions, frames and findings.
///
/// Writes are batched by the store: `submit` returns at once and calls `completion`
/// after the batch holding the command has committed, so a reply that confirms the
/// write can be sent then and only then. Frames are appended without a completion.
public protocol SessionStore: Sendable {
    func submit(
        _ command: StoreCommand, frame: FrameRecord?, findings: [FindingRecord],
        completion: @escaping @Sendable (Result<StoreOutcome, any Error>) -> Void)

    func append(frame: FrameRecord)

    /// Waits until everything submitted so far is committed.
    func flush() async throws

    /// Flushes and closes; later submits fail.
    func close() async throws

    // Reads for the API and for start-up.
    func chargePoints() async throws -> [ChargePointDetail]
    func chargePoint(id: String) async throws -> ChargePointDetail?
    func sessions(chargePointId: String?, status: SessionRecord.Status?, limit: Int) async throws -> [SessionRecord]
    /// A session's meter samples, in time order (for its cost).
    func samples(sessionId: Int64) async throws -> [SampleRecord]
    /// The latest value of each measurand per session (for live power, energy and SoC).
    func latestSamples(sessionIds: [Int64]) async throws -> [Int64: [SampleRecord]]
    func session(id: Int64) async throws -> SessionDetail?
    func findings(chargePointId: String?, limit: Int) async throws -> [FindingRecord]
    func frameCount() async throws -> Int
    func idTags() async throws -> [IdTagRecord]
    /// A 2.0.1 station's device model as reported, ordered by component and variable.
    func deviceModel(chargePointId: String) async throws -> [DeviceVariableRecord]
    /// A pile's operator commands, newest first.
    func commands(chargePointId: String, limit: Int) async throws -> [CommandRecord]
    /// Reservations, newest first, of one pile or all.
    func reservations(chargePointId: String?, limit: Int) async throws -> [ReservationRecord]
    func reservation(id: Int64) async throws -> ReservationRecord?
    /// Every pile's stored security profile and password hash (read at start).
    func credentials() async throws -> [PileCredentialRecord]
    /// The relay's queue, oldest first: one pile's, or (nil) every pile's.
    func relayQueue(chargePointId: String?) async throws -> [RelayQueueRecord]
    /// The transactions the relay started for a pile (nil: every pile) during outages, local id → backend id.
    func relayTransactions(chargePointId: String?) async throws -> [RelayTransactionRecord]
    /// A pile's local list, if the gateway has made one.
    func localList(chargePointId: String) async throws -> LocalListRecord?
    /// The charging profiles a pile accepted and still holds, by connector, purpose and stack level.
    func chargingProfiles(chargePointId: String) async throws -> [ChargingProfileRecord]
    /// A pile's notices (firmware, diagnostics, log, security), newest first; `kind` filters.
    func notices(chargePointId: String, kind: PileNoticeRecord.Kind?, limit: Int) async throws -> [PileNoticeRecord]
    /// Jobs, newest first, of one pile or all; `kind` filters.
    func jobs(chargePointId: String?, kind: JobRecord.Kind?, limit: Int) async throws -> [JobRecord]
    func job(id: Int64) async throws -> JobRecord?
    /// Stored files of a kind, newest first.
    func storedFiles(kind: StoredFileRecord.Kind, limit: Int) async throws -> [StoredFileRecord]
    func storedFile(id: Int64) async throws -> StoredFileRecord?
    /// Firmware by its name.
    func firmwareFile(name: String) async throws -> StoredFileRecord?
    /// A pile's most recent frames, oldest first.
    func frames(chargePointId: String, limit: Int) async throws -> [FrameRecord]
    /// The frames of one message of a pile (its CALL and the answer), oldest first: a finding's evidence.
    func frames(chargePointId: String, messageId: String) async throws -> [FrameRecord]
    /// Findings by network × model × firmware × rule, with each group's piles and sessions.
    func compatibility() async throws -> CompatibilityReport
}

extension SessionStore {
    /// `submit` for callers in async code.
    public func write(_ command: StoreCommand, frame: FrameRecord? = nil, findings: [FindingRecord] = []) async throws
        -> StoreOutcome
    {
        try await withCheckedThrowingContinuation { continuation in
            submit(command, frame: frame, findings: findings) { continuation.resume(with: $0) }
        }
    }
}

/// A store URL from `--db`: `sqlite:PATH` (the default, `sqlite:pilegate.sqlite`) or,
/// in a later release, `postgres://…`.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)

    public init(parsing text: String) throws(StoreLocationError) {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count)).replacingOccurrences(of: "//", with: "", options: .anchored)
            guard !path.isEmpty else { throw StoreLocationError(text: text, reason: "no file path after sqlite:") }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            throw StoreLocationError(text: text, reason: "PostgreSQL is not available in this build yet; use sqlite:PATH")
        } else if text.hasSuffix(".sqlite") || text.hasSuffix(".db") {
            self = .sqlite(path: text)
        } else {
            throw StoreLocationError(text: text, reason: "expected sqlite:PATH")
        }
    }

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        }
    }
}

public struct StoreLocationError: Error, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "invalid --db \"\(text)\": \(reason)" }
}
