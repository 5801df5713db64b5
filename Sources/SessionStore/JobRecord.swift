import Foundation

/// A firmware update, diagnostics upload or log upload the gateway asked a pile for
/// (1.6 UpdateFirmware / GetDiagnostics / GetLog, 2.0.1 UpdateFirmware / GetLog), with its
/// status history: the gateway's own steps, the pile's status notifications and the
/// uploads that arrived.
public struct JobRecord: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case firmware, diagnostics, log
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Recorded, the command not answered yet.
        case requested
        /// The pile took the command.
        case accepted
        /// The pile said no (`answer` is its word).
        case refused
        /// The pile reported progress (Downloading, Installing, Uploading …).
        case running
        /// Installed (firmware) or Uploaded (diagnostics, log).
        case succeeded
        /// The command got no answer (offline, timeout, CALLERROR), or the pile reported a failure.
        case failed

        /// Whether the pile may still report on it (or upload for it).
        public var isOpen: Bool { self == .requested || self == .accepted || self == .running }
    }

    /// One step of a job's history.
    public struct Event: Sendable, Codable, Equatable {
        public enum Source: String, Sendable, Codable {
            /// What the gateway did: sent the command, the pile's answer.
            case gateway
            /// A status notification of the pile.
            case pile
            /// A file the pile uploaded for the job.
            case upload
        }

        public var time: Date
        public var source: Source
        public var status: String
        public var detail: String?

        public init(time: Date, source: Source, status: String, detail: String? = nil) {
            self.time = time
            self.source = source
            self.status = status
            self.detail = detail
        }
    }

    public var id: Int64
    public var chargePointId: String
    public var kind: Kind
    public var ocppVersion: String
    /// The command's action and payload, as sent.
    public var action: String
    public var request: String
    public var status: Status
    /// The pile's last status word, or the answer to the command.
    public var pileStatus: String?
    /// The command's outcome: the pile's status word, its file name, or a failure code.
    public var answer: String?
    /// The file the pile said it uploads (GetDiagnostics fileName, GetLog filename).
    public var fileName: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var history: [Event]
    public var uploads: [StoredFileRecord]

    public init(
        id: Int64 = 0, chargePointId: String, kind: Kind, ocppVersion: String, action: String, request: String, status: Status = .requested,
        pileStatus: String? = nil, answer: String? = nil, fileName: String? = nil, createdAt: Date, updatedAt: Date? = nil,
        history: [Event] = [], uploads: [StoredFileRecord] = []
    ) {
        self.id = id
        self.chargePointId = chargePointId
        self.kind = kind
        self.ocppVersion = ocppVersion
        self.action = action
        self.request = request
        self.status = status
        self.pileStatus = pileStatus
        self.answer = answer
        self.fileName = fileName
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.history = history
        self.uploads = uploads
    }

    /// What a pile's status word means for its job: nil for one that says nothing of a
    /// job (Idle), else running, succeeded or failed.
    public static func status(afterPileReports word: String) -> Status? {
        switch word {
        case "Idle": nil
        case "Installed", "Uploaded": .succeeded
        case "DownloadFailed", "InstallationFailed", "InvalidSignature", "InstallVerificationFailed", "UploadFailed", "UploadFailure",
            "BadMessage", "NotSupportedOperation", "PermissionDenied", "AcceptedCanceled":
            .failed
        default: .running
        }
    }
}

/// A file the gateway keeps: firmware an operator uploaded (or registered by URL) for
/// piles to download, or a file a pile uploaded for a diagnostics or log job.
public struct StoredFileRecord: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case firmware, upload
    }

    public var id: Int64
    public var kind: Kind
    /// Firmware: its unique name (the download path). Upload: the name the pile gave it.
    public var name: String
    /// Upload: the job it belongs to.
    public var jobId: Int64?
    /// Bytes on disk; nil for firmware registered by URL.
    public var size: Int64?
    public var contentType: String?
    /// SHA-256 of the bytes kept, lowercase hex; nil for firmware registered by URL.
    public var sha256: String?
    /// Firmware registered by URL: where piles download it (the gateway keeps no copy).
    public var location: String?
    public var createdAt: Date

    public init(
        id: Int64 = 0, kind: Kind, name: String, jobId: Int64? = nil, size: Int64?, contentType: String? = nil, sha256: String? = nil,
        location: String? = nil, createdAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.jobId = jobId
        self.size = size
        self.contentType = contentType
        self.sha256 = sha256
        self.location = location
        self.createdAt = createdAt
    }
}
