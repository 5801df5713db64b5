import Foundation
import Gateway
import OCPP
import Simulator

/// A compatibility scenario as written in `Scenarios/*.yaml` (docs/scenarios.md): which
/// piles and vehicles, what happens, and what the gateway must have recorded.
public struct Scenario: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public var tags: [String]?
    /// A gateway configuration file (relative to the scenario) for embedded runs.
    public var gateway: String?
    public var simulation: Simulation?
    /// Required unless the scenario is a `replay`.
    public var matrix: Matrix?
    /// Changes to every pile profile of the matrix (quirks, intervals).
    public var pile: PileOverrides?
    public var steps: [Step]?
    public var expect: Expectations?
    /// A recorded conversation to play instead of a simulated pile (`pilegate record`).
    public var replay: Replay?
    /// Several piles of the matrix's profile on one managed grid connection (a case each).
    public var site: SiteSpec?

    public struct Simulation: Codable, Sendable, Equatable {
        /// Wall seconds a pile with the slow-replies quirk waits before answering.
        public var slowReplySeconds: Double?
        /// Wall seconds the pile waits for the gateway's answers.
        public var callTimeoutSeconds: Double?
        /// The case runs at most this fast: a gateway reacting in wall time (load
        /// management) looks slower the faster simulated time runs.
        public var maxSpeed: Double?
    }

    /// Piles × vehicles × starting states of charge; every combination is one case.
    public struct Matrix: Codable, Sendable, Equatable {
        /// Pile profile ids from `Simulators/piles`, or `all`.
        public var piles: [String]
        public var vehicles: [String]?
        public var soc: [Double]?
        /// The OCPP versions each pile runs at (`ocpp1.6`, `ocpp2.0.1`); default the profile's
        /// own. A model runs at another version as its variant of that version in the
        /// library (same network, vendor and model), else as the same profile speaking it.
        public var versions: [OCPPVersion]?
    }

    public struct PileOverrides: Codable, Sendable, Equatable {
        public var quirks: [Quirk]?
        /// The deviations of a 2.0.1 station's TransactionEvents (docs/quirks.md).
        public var v201Quirks: [V201Quirk]?
        public var meterValueSampleInterval: Int?
        public var heartbeatInterval: Int?
        public var replyDelay: Double?
        /// Lowest pack voltage the pile charges (e.g. 800 for an 800 V-only pile).
        public var minVoltageV: Double?
    }
}

/// One thing that happens in a scenario: exactly one key per list item.
public struct Step: Codable, Sendable, Equatable {
    public var boot: Boot?
    public var plugIn: PlugIn?
    public var authorize: Authorize?
    public var scan: Scan?
    public var waitStatus: WaitStatus?
    public var chargeTo: ChargeTo?
    public var chargeFor: Duration?
    public var wait: Duration?
    public var remoteStop: RemoteStop?
    public var unplug: ConnectorRef?
    public var dropConnection: DropConnection?
    public var reboot: Empty?
    public var injectQuirk: InjectQuirk?
    public var fault: Fault?
    public var recover: ConnectorRef?
    public var raw: Raw?
    public var command: Command?
    public var api: PileAPI?
    public var job: Job?

    public struct Empty: Codable, Sendable, Equatable {}
    public struct ConnectorRef: Codable, Sendable, Equatable { public var connector: Int? }
    /// Starts the pile and waits for the gateway's answer to its BootNotification.
    public struct Boot: Codable, Sendable, Equatable { public var expect: V16.RegistrationStatus? }
    public struct PlugIn: Codable, Sendable, Equatable {
        public var connector: Int?
        /// Defaults to the matrix's vehicle and state of charge.
        public var vehicle: String?
        public var soc: Double?
        public var target: Double?
        /// The driver swipes this tag right away (Authorize, then StartTransaction).
        public var idTag: String?
    }
    public struct Authorize: Codable, Sendable, Equatable {
        public var connector: Int?
        public var idTag: String
    }
    /// POST /api/scan for the connector's QR code (docs/api.md).
    public struct Scan: Codable, Sendable, Equatable {
        public var connector: Int?
        public var account: String
        /// The payload; default `pilegate://charge/v1/{network}/{identity}/{connector}`.
        public var qr: String?
        /// HTTP status expected (default 201).
        public var expectStatus: Int?
        /// The `error.code` expected, e.g. account_blocked.
        public var expectError: String?
    }
    public struct WaitStatus: Codable, Sendable, Equatable {
        public var connector: Int?
        public var status: V16.ChargePointStatus
        /// Simulated minutes (default 30).
        public var timeoutMinutes: Double?
    }
    public struct ChargeTo: Codable, Sendable, Equatable {
        public var connector: Int?
        public var soc: Double
        public var timeoutMinutes: Double?
    }
    /// Simulated time passing.
    public struct Duration: Codable, Sendable, Equatable {
        public var minutes: Double?
        public var seconds: Double?
        public var total: Double { (minutes ?? 0) * 60 + (seconds ?? 0) }
    }
    public struct RemoteStop: Codable, Sendable, Equatable {
        public var connector: Int?
        /// Accepted (default), or the API's error code: pile_rejected, pile_timeout, pile_offline.
        public var expect: String?
    }
    public struct DropConnection: Codable, Sendable, Equatable {
        /// Simulated minutes the pile stays offline before it reconnects (default: it retries at once).
        public var offlineMinutes: Double?
    }
    public struct InjectQuirk: Codable, Sendable, Equatable {
        /// The pile's quirks from now on (replacing the profile's).
        public var quirks: [Quirk]
    }
    public struct Fault: Codable, Sendable, Equatable {
        public var connector: Int?
        public var errorCode: V16.ChargePointErrorCode?
    }
    /// A frame sent exactly as written; the gateway's answer is checked.
    public struct Raw: Codable, Sendable, Equatable {
        public var frame: String
        /// The CALLERROR code the gateway must answer with, e.g. FormationViolation.
        public var expectCallError: String?
        /// The gateway must answer with a CALLRESULT.
        public var expectResult: Bool?
    }

    /// An operator's command through the gateway (POST /api/chargepoints/{id}/commands/{action}).
    public struct Command: Codable, Sendable, Equatable {
        public var action: String
        /// The action's request payload (default {}).
        public var payload: JSON?
        /// What the pile's answer must contain (every key given, recursively; lists element by element).
        public var expect: JSON?
        /// The API's error code instead of an answer: pile_error, pile_timeout, pile_offline, invalid_response, invalid_payload, unknown_action.
        public var expectError: String?
    }

    /// A call of the gateway's HTTP API about the pile (`/api/chargepoints/{id}/{path}`):
    /// its own local list and charging profiles, say.
    public struct PileAPI: Codable, Sendable, Equatable {
        /// GET (default), POST, PUT or DELETE.
        public var method: String?
        /// After `/api/chargepoints/{id}/`, e.g. `local-list/sync`.
        public var path: String
        public var body: JSON?
        /// What the answer must contain (as `command`'s expect).
        public var expect: JSON?
        /// The API's `error.code` instead of an answer.
        public var expectError: String?
        /// The answer is a list of exactly this many elements.
        public var expectCount: Int?
        /// Wall seconds to keep asking (every 0.2 s) until the answer matches; default 0: once.
        public var withinSeconds: Double?
    }

    /// A firmware update, diagnostics or log upload as a gateway job (`POST
    /// /api/chargepoints/{id}/firmware-update`, `…/diagnostics`, `…/logs`), followed until it ends.
    public struct Job: Codable, Sendable, Equatable {
        /// firmware, diagnostics or log.
        public var kind: String
        /// firmware: the name it is uploaded to the gateway under first (a small generated file).
        public var file: String?
        /// The pile's configured failure: DownloadFailed, InstallationFailed (firmware), UploadFailed (diagnostics), UploadFailure (log).
        public var outcome: String?
        /// More fields of the request body (retries, retryInterval, logType …).
        public var body: JSON?
        /// The job's final status: succeeded or failed.
        public var expectStatus: String?
        /// The pile's status words in order (Downloading, Downloaded, Installing, Installed …).
        public var expectPileStatuses: [String]?
        /// How many files the pile uploaded for it.
        public var expectUploads: Int?
        /// The firmware version the pile boots with afterwards (read from the gateway's record).
        public var expectFirmware: String?
    }

    /// The list keys, in documentation order.
    public static let kinds = [
        "boot", "plugIn", "authorize", "scan", "waitStatus", "chargeTo", "chargeFor", "wait", "remoteStop", "unplug",
        "dropConnection", "reboot", "injectQuirk", "fault", "recover", "raw", "command", "api", "job",
    ]
}

/// What the gateway must have recorded once the steps are done.
public struct Expectations: Codable, Sendable, Equatable {
    public var statuses: [StatusSequence]?
    /// How many sessions the gateway recorded for the pile.
    public var sessions: Int?
    /// The pile's last session (or `index`, 0-based, oldest first).
    public var session: SessionExpectation?
    /// Checked on every session the gateway recorded for the pile.
    public var eachSession: SessionExpectation?
    public var findings: FindingExpectation?
    /// The pile's highest total power, kW: its sessions' Power.Active.Import readings taken
    /// at the same instant, added up (what a shared cabinet delivered at once).
    public var pilePowerKW: Range?
    /// Measured over the piles of the scenario's `site`.
    public var site: SiteExpectation?

    public struct StatusSequence: Codable, Sendable, Equatable {
        public var connector: Int?
        public var sequence: [V16.ChargePointStatus]
        /// `exact` (default: the statuses, repeats collapsed, are this list) or `inOrder` (a subsequence).
        public var match: Match?
        public enum Match: String, Codable, Sendable, CaseIterable { case exact, inOrder }
    }

    public struct SessionExpectation: Codable, Sendable, Equatable {
        /// Which session: 0-based, oldest first; default the last (on `connector`, when given).
        public var index: Int?
        /// completed or active (the store's words; the HTTP API adds starting and failed).
        public var status: String?
        /// In the gateway's words, which are 1.6's and 2.0.1's reasons together (docs/api.md).
        public var stopReason: StopReason?
        public var idTag: String?
        public var energy: Energy?
        public var costFen: Range?
        public var connector: Int?
        /// The highest Power.Active.Import reading, kW.
        public var maxPowerKW: Range?
        /// The reservation the session started under (the pile's StartTransaction reservationId).
        public var reservationId: Int?
    }

    /// Energy recorded, either a figure or what the simulated pile delivered to the car.
    public struct Energy: Codable, Sendable, Equatable {
        public var kWh: Double?
        /// Compare with the energy the simulated pile's register advanced by.
        public var delivered: Bool?
        public var toleranceKWh: Double?
        public var tolerancePercent: Double?
    }

    public struct Range: Codable, Sendable, Equatable {
        public var min: Double?
        public var max: Double?
    }

    public struct FindingExpectation: Codable, Sendable, Equatable {
        /// Rule ids (`Sources/Gateway/FindingRule.swift`) that must be recorded for the pile.
        public var present: [String]?
        /// Rule ids that must not be.
        public var absent: [String]?
    }
}

/// A recorded pile's side of a conversation, replayed frame by frame.
public struct Replay: Codable, Sendable, Equatable {
    /// Where it was recorded: the pile, the session id, the gateway.
    public var chargePoint: String
    public var session: Int64?
    /// The version the pile spoke (default ocpp1.6); the replay offers only that subprotocol.
    public var ocppVersion: OCPPVersion?
    public var frames: [ReplayFrame]
}

public struct ReplayFrame: Codable, Sendable, Equatable {
    /// What the pile sent (a CALL or its answer to the gateway's CALL), as recorded.
    public var send: String?
    /// What the gateway answered or sent, as recorded.
    public var receive: String?
}
