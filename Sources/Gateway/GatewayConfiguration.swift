import Foundation
import EVModel
import OCPP
import PileSecurity
import YAMLConfig

/// Everything `pilegate serve --config FILE` can set. Every field has a default that
/// works on a laptop; the file only needs what differs.
public struct GatewayConfiguration: Codable, Sendable, Equatable {
    /// Heartbeat interval handed to piles in BootNotification.conf, seconds.
    public var heartbeatInterval: Int = 300
    /// Wait before a Pending or Rejected pile may boot again, seconds.
    public var bootRetryInterval: Int = 60
    /// `lenient` (default): repair what is still clear and record a finding; `strict`: CALLERROR.
    public var validation: ValidationMode = .lenient
    /// Seconds to wait for a pile's answer to our CALL.
    public var callTimeout: Double = 30
    /// Seconds between server keepalive pings; 0 disables them.
    public var pingInterval: Double = 60
    /// Largest WebSocket message accepted, bytes.
    public var maxMessageSize: Int = 64 * 1024
    /// Seconds from accept (or from the previous response on a kept-alive connection) within
    /// which a socket must finish its handshake or send a whole HTTP request: a total deadline.
    public var handshakeTimeout: Double = 30
    /// Connections that may be in their handshake (or waiting for an HTTP request) at once;
    /// more are closed at accept, so slow clients cannot take every file descriptor.
    public var maxPendingHandshakes: Int = 2000
    /// What to do with a pile that is not in `chargePoints`.
    public var unknownChargePoints: UnknownChargePointPolicy = .accept
    /// Known piles (the registry). Empty means open registration.
    public var chargePoints: [KnownChargePoint] = []
    /// Id tags and their verdicts.
    public var idTags: [IdTagEntry] = []
    /// Answer Accepted for id tags not listed in `idTags` (a lab default; production sets false).
    public var acceptUnknownIdTags: Bool = true
    /// DataTransfer vendor ids answered with Accepted (others get UnknownVendorId).
    public var dataTransferVendors: [String] = []
    /// `full`: fsync every commit; `normal`: fsync at checkpoints (faster, may lose the last commits on power loss).
    public var durability: String = "full"
    /// The store's WAL bound (StoreSettings.swift).
    public var store = StoreSettings()
    /// Driver accounts that may scan to charge.
    public var accounts: [Account] = []
    /// Prices per network (and station); a tariff without `network` is the default.
    public var tariffs: [Tariff] = []
    /// Seconds a scanned session may wait for the pile's StartTransaction before it is
    /// closed as failed (the pile's ConnectionTimeOut plus margin).
    public var scanStartTimeout: Double = 180
    /// Directory of vehicle profiles (YAML) that `/api/recommend` estimates with.
    public var vehicles: String = "Simulators/vehicles"
    public var api = APISettings()
    /// Firmware served to piles and files piles upload (docs/api.md, "Firmware, uploads and jobs").
    public var files = FileSettings()
    /// Per network or pile model, strict or lenient; the most specific entry wins (CompliancePolicy.swift).
    public var policies: [CompliancePolicy] = []
    /// The margins of the plausibility and timing rules (RuleTolerances.swift); policies may replace them.
    public var tolerances = RuleTolerances()
    /// Rule ids checked for no pile (policies may add more per network or model).
    public var ignore: [String] = []
    /// Seconds a pile's timestamps may differ from the gateway's clock; 0 turns the clock and
    /// heartbeat-timing rules off (for piles on a virtual clock).
    public var clockTolerance: Double = 300
    /// The version a pile that offers both gets (the choice is logged and recorded with its boot).
    public var preferredVersion: OCPPVersion = .v201
    /// Days a pile timestamp may lie behind or ahead of the gateway's clock before it is
    /// read as the receive time (docs/wire-values.md).
    public var timestampWindowDays: Double = 366
    /// Seconds a session the pile seems to have forgotten (it rebooted, or its connector
    /// went idle) may wait for the pile's own StopTransaction before it is closed as `abandoned`.
    public var sessionReconcileGrace: Double = 120
    /// The gateway's local authorization lists (LocalLists.swift).
    public var localList = LocalListSettings()
    /// Security profiles: listeners, TLS files, password hashing and login throttling (SecuritySettings.swift).
    public var security = SecuritySettings()
    /// Relay mode: the operator's backend every pile is passed on to; nil is a gateway of its own.
    public var upstream: UpstreamSettings?
    /// Stations sharing a grid connection, whose piles' power the gateway shares out (SiteSettings.swift).
    public var sites: [SiteSettings] = []

    public var timestampWindow: TimestampWindow {
        TimestampWindow(behindSeconds: timestampWindowDays * 86_400, aheadSeconds: timestampWindowDays * 86_400)
    }

    public init() {}

    /// When the gateway sends piles its local authorization lists.
    public struct LocalListSettings: Codable, Sendable, Equatable {
        public enum Push: String, Codable, Sendable, CaseIterable {
            /// After a pile's accepted boot, after the id tags change and after the list is set
            /// through the API: the list, where the pile lacks it (not to piles that said NotSupported).
            case auto
            /// Only when asked (`POST /api/chargepoints/{id}/local-list/sync`).
            case off
        }

        public var push: Push = .off
        /// The most entries per SendLocalList (nil: as many as the pile's SendLocalListMaxLength, or all in one when it does not say).
        public var maxEntriesPerSend: Int?

        public init(push: Push = .off, maxEntriesPerSend: Int? = nil) {
            self.push = push
            self.maxEntriesPerSend = maxEntriesPerSend
        }

        enum CodingKeys: String, CodingKey { case push, maxEntriesPerSend }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            push = try c.decodeIfPresent(Push.self, forKey: .push) ?? .off
            maxEntriesPerSend = try c.decodeIfPresent(Int.self, forKey: .maxEntriesPerSend)
        }
    }

    /// Who may use the HTTP API.
    public struct APISettings: Codable, Sendable, Equatable {
        /// Bearer token for mutating endpoints; nil lets `pilegate serve` make one at start
        /// (printed once) or take it from --api-token / PILEGATE_API_TOKEN.
        public var token: String?
        /// Require the token on reads too.
        public var protectReads: Bool = false

        public init(token: String? = nil, protectReads: Bool = false) {
            self.token = token
            self.protectReads = protectReads
        }

        enum CodingKeys: String, CodingKey { case token, protectReads }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            token = try c.decodeIfPresent(String.self, forKey: .token)
            protectReads = try c.decodeIfPresent(Bool.self, forKey: .protectReads) ?? false
        }
    }

    /// Where the gateway keeps files, and the address piles reach it at for them.
    public struct FileSettings: Codable, Sendable, Equatable {
        /// The folder for firmware and uploads; nil: the store's path + `.files`
        /// (`pilegate.sqlite.files/`), or a temporary folder for a store without a path.
        public var directory: String?
        /// The gateway's base URL as piles reach it (`http://HOST:PORT`), put into
        /// UpdateFirmware, GetDiagnostics and GetLog; nil: `http://{serve host}:{port}`
        /// (127.0.0.1 for a wildcard host).
        public var publicURL: String?
        /// The largest file accepted, bytes (1 … 64 MiB, the HTTP limit of these routes).
        public var maxFileBytes: Int = 64 << 20

        public init(directory: String? = nil, publicURL: String? = nil, maxFileBytes: Int = 64 << 20) {
            self.directory = directory
            self.publicURL = publicURL
            self.maxFileBytes = maxFileBytes
        }

        enum CodingKeys: String, CodingKey { case directory, publicURL, maxFileBytes }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            directory = try c.decodeIfPresent(String.self, forKey: .directory)
            publicURL = try c.decodeIfPresent(String.self, forKey: .publicURL)
            maxFileBytes = try c.decodeIfPresent(Int.self, forKey: .maxFileBytes) ?? 64 << 20
        }
    }

    public enum UnknownChargePointPolicy: String, Codable, Sendable, CaseIterable {
        /// BootNotification Accepted (open registration).
        case accept
        /// BootNotification Pending: connected, may be configured, may not charge.
        case pending
        /// BootNotification Rejected.
        case reject
        /// The WebSocket handshake itself is refused with HTTP 404.
        case refuse
    }

    public struct KnownChargePoint: Codable, Sendable, Equatable {
        public var id: String
        public var network: String?
        public var model: String?
        /// HTTP Basic password (profiles 1 and 2), in plain text: hashed when the gateway
        /// starts and never kept. For tests and first setups; prefer `passwordHash`.
        public var password: String?
        /// The password as `pilegate password-hash` prints it (a salted scrypt hash).
        public var passwordHash: String?
        /// 0–3; the pile may never connect at a lower one. nil: `security.minimumProfile`,
        /// or 1 when the pile has a password.
        public var securityProfile: Int?
        /// Where it stands, for the map (`pilegate sim --write-registry` fills these in).
        public var station: String?
        public var city: String?
        public var latitude: Double?
        public var longitude: Double?
        /// Electrical limits, for the map's power class and charge-time estimates.
        public var current: CurrentKind?
        public var maxPowerKW: Double?
        public var maxCurrentA: Double?
        public var maxVoltageV: Double?
        public var minVoltageV: Double?
        public var connectors: Int?
        /// Pins the pile to one OCPP version: a handshake that does not offer it is closed.
        public var ocppVersion: OCPPVersion?
        /// Relay mode: the Basic password the relay logs in to the backend with as this pile,
        /// instead of passing the pile's own Authorization header on.
        public var upstreamPassword: String?

        public init(id: String, network: String? = nil, model: String? = nil, password: String? = nil) {
            self.id = id
            self.network = network
            self.model = model
            self.password = password
        }
    }

    public struct IdTagEntry: Codable, Sendable, Equatable {
        public var idTag: String
        public var status: TokenStatus = .accepted
        public var expiryDate: Date?
        public var parentIdTag: String?

        public init(idTag: String, status: TokenStatus = .accepted, expiryDate: Date? = nil, parentIdTag: String? = nil) {
            self.idTag = idTag
            self.status = status
            self.expiryDate = expiryDate
            self.parentIdTag = parentIdTag
        }
    }

    /// Reads a configuration file; errors name the file and line.
    public static func load(path: String) throws(YAMLConfigError) -> GatewayConfiguration {
        let configuration = try YAMLConfig.load(GatewayConfiguration.self, fromFile: path)
        try configuration.validate(file: path)
        return configuration
    }

    public func validate(file: String) throws(YAMLConfigError) {
        func check(_ ok: Bool, _ message: String) throws(YAMLConfigError) {
            if !ok { throw YAMLConfigError(file: file, line: nil, message: message) }
        }
        try check(heartbeatInterval > 0 && heartbeatInterval <= 604_800, "heartbeatInterval must be between 1 and 604800 s")
        try check(bootRetryInterval >= 0 && bootRetryInterval <= 86_400, "bootRetryInterval must be between 0 and 86400 s")
        try check(callTimeout > 0 && callTimeout <= 3_600, "callTimeout must be between 0 and 3600 s")
        try check(pingInterval >= 0 && pingInterval <= 3_600, "pingInterval must be between 0 and 3600 s")
        try check(maxMessageSize >= 1024 && maxMessageSize <= 64 << 20, "maxMessageSize must be between 1024 bytes and 64 MiB")
        try check(handshakeTimeout > 0 && handshakeTimeout <= 3_600, "handshakeTimeout must be between 0 and 3600 s")
        try check(maxPendingHandshakes > 0 && maxPendingHandshakes <= 19_000, "maxPendingHandshakes must be between 1 and 19000")
        try check(["full", "normal"].contains(durability), "durability must be full or normal")
        try check(store.problems.isEmpty, store.problems.joined(separator: "; "))
        try check(Set(chargePoints.map(\.id)).count == chargePoints.count, "chargePoints lists an id twice")
        try check(Set(accounts.map(\.id)).count == accounts.count, "accounts lists an id twice")
        try check(scanStartTimeout > 0 && scanStartTimeout <= 86_400, "scanStartTimeout must be between 0 and 86400 s")
        for (i, tariff) in tariffs.enumerated() {
            do {
                _ = try TariffPlan(tariff)
            } catch {
                throw YAMLConfigError(file: file, line: nil, message: "tariffs[\(i)] (\(tariff.network ?? "default")): \(error)")
            }
        }
        try check(clockTolerance >= 0 && clockTolerance <= 31_622_400, "clockTolerance must be between 0 and 31622400 s (a year)")
        try check(timestampWindowDays >= 1 && timestampWindowDays <= 3_660, "timestampWindowDays must be between 1 and 3660")
        try check(sessionReconcileGrace > 0 && sessionReconcileGrace <= 86_400, "sessionReconcileGrace must be between 0 and 86400 s")
        try check(localList.maxEntriesPerSend.map { (1...10_000).contains($0) } ?? true, "localList.maxEntriesPerSend must be between 1 and 10000")
        try check(files.maxFileBytes >= 1 && files.maxFileBytes <= 64 << 20, "files.maxFileBytes must be between 1 and 67108864 (64 MiB)")
        if let url = files.publicURL {
            try check(
                (url.hasPrefix("http://") || url.hasPrefix("https://")) && URL(string: url)?.host != nil && !url.contains("?"),
                "files.publicURL must be an http:// or https:// URL without a query, e.g. http://192.168.1.10:8180")
        }
        try check(policyProblems.isEmpty, policyProblems.joined(separator: "; "))
        try check(security.problems.isEmpty, security.problems.joined(separator: "; "))
        if let upstream { try check(upstream.problems.isEmpty, upstream.problems.joined(separator: "; ")) }
        try check(siteProblems.isEmpty, siteProblems.joined(separator: "; "))
        for pile in chargePoints {
            try check(pile.securityProfile.map { (0...3).contains($0) } ?? true, "chargePoints \(pile.id): securityProfile must be 0, 1, 2 or 3")
            try check(pile.password == nil || pile.passwordHash == nil, "chargePoints \(pile.id): give password or passwordHash, not both")
            if let hash = pile.passwordHash {
                do { _ = try PasswordHash(encoded: hash) } catch { try check(false, "chargePoints \(pile.id): passwordHash: \(error)") }
            }
            if let password = pile.password {
                do { try PasswordHash.check(password) } catch { try check(false, "chargePoints \(pile.id): password: \(error)") }
            }
            if (pile.securityProfile ?? 0) >= 2 { try check(security.tls != nil, "chargePoints \(pile.id): securityProfile \(pile.securityProfile ?? 0) needs security.tls") }
        }
    }

    // Unknown-key checking re-encodes the value; keep key order stable for messages.
    enum CodingKeys: String, CodingKey {
        case heartbeatInterval, bootRetryInterval, validation, callTimeout, pingInterval, maxMessageSize, handshakeTimeout
        case maxPendingHandshakes
        case unknownChargePoints, chargePoints, idTags, acceptUnknownIdTags, dataTransferVendors, durability, store
        case accounts, tariffs, scanStartTimeout, vehicles, api, files
        case policies, tolerances, ignore, clockTolerance, timestampWindowDays, sessionReconcileGrace, preferredVersion, localList
        case security, upstream, sites
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = GatewayConfiguration()
        heartbeatInterval = try c.decodeIfPresent(Int.self, forKey: .heartbeatInterval) ?? d.heartbeatInterval
        bootRetryInterval = try c.decodeIfPresent(Int.self, forKey: .bootRetryInterval) ?? d.bootRetryInterval
        validation = try c.decodeIfPresent(ValidationMode.self, forKey: .validation) ?? d.validation
        callTimeout = try c.decodeIfPresent(Double.self, forKey: .callTimeout) ?? d.callTimeout
        pingInterval = try c.decodeIfPresent(Double.self, forKey: .pingInterval) ?? d.pingInterval
        maxMessageSize = try c.decodeIfPresent(Int.self, forKey: .maxMessageSize) ?? d.maxMessageSize
        handshakeTimeout = try c.decodeIfPresent(Double.self, forKey: .handshakeTimeout) ?? d.handshakeTimeout
        maxPendingHandshakes = try c.decodeIfPresent(Int.self, forKey: .maxPendingHandshakes) ?? d.maxPendingHandshakes
        unknownChargePoints = try c.decodeIfPresent(UnknownChargePointPolicy.self, forKey: .unknownChargePoints) ?? d.unknownChargePoints
        chargePoints = try c.decodeIfPresent([KnownChargePoint].self, forKey: .chargePoints) ?? []
        idTags = try c.decodeIfPresent([IdTagEntry].self, forKey: .idTags) ?? []
        acceptUnknownIdTags = try c.decodeIfPresent(Bool.self, forKey: .acceptUnknownIdTags) ?? d.acceptUnknownIdTags
        dataTransferVendors = try c.decodeIfPresent([String].self, forKey: .dataTransferVendors) ?? []
        durability = try c.decodeIfPresent(String.self, forKey: .durability) ?? d.durability
        store = try c.decodeIfPresent(StoreSettings.self, forKey: .store) ?? d.store
        accounts = try c.decodeIfPresent([Account].self, forKey: .accounts) ?? []
        tariffs = try c.decodeIfPresent([Tariff].self, forKey: .tariffs) ?? []
        scanStartTimeout = try c.decodeIfPresent(Double.self, forKey: .scanStartTimeout) ?? d.scanStartTimeout
        vehicles = try c.decodeIfPresent(String.self, forKey: .vehicles) ?? d.vehicles
        api = try c.decodeIfPresent(APISettings.self, forKey: .api) ?? d.api
        files = try c.decodeIfPresent(FileSettings.self, forKey: .files) ?? d.files
        policies = try c.decodeIfPresent([CompliancePolicy].self, forKey: .policies) ?? []
        tolerances = try c.decodeIfPresent(RuleTolerances.self, forKey: .tolerances) ?? d.tolerances
        ignore = try c.decodeIfPresent([String].self, forKey: .ignore) ?? []
        clockTolerance = try c.decodeIfPresent(Double.self, forKey: .clockTolerance) ?? d.clockTolerance
        preferredVersion = try c.decodeIfPresent(OCPPVersion.self, forKey: .preferredVersion) ?? d.preferredVersion
        timestampWindowDays = try c.decodeIfPresent(Double.self, forKey: .timestampWindowDays) ?? d.timestampWindowDays
        sessionReconcileGrace = try c.decodeIfPresent(Double.self, forKey: .sessionReconcileGrace) ?? d.sessionReconcileGrace
        localList = try c.decodeIfPresent(LocalListSettings.self, forKey: .localList) ?? d.localList
        security = try c.decodeIfPresent(SecuritySettings.self, forKey: .security) ?? d.security
        upstream = try c.decodeIfPresent(UpstreamSettings.self, forKey: .upstream)
        sites = try c.decodeIfPresent([SiteSettings].self, forKey: .sites) ?? []
    }
}

extension GatewayConfiguration.IdTagEntry {
    enum CodingKeys: String, CodingKey { case idTag, status, expiryDate, parentIdTag }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        idTag = try c.decode(String.self, forKey: .idTag)
        status = try c.decodeIfPresent(TokenStatus.self, forKey: .status) ?? .accepted
        expiryDate = try c.decodeIfPresent(Date.self, forKey: .expiryDate)
        parentIdTag = try c.decodeIfPresent(String.self, forKey: .parentIdTag)
    }
}
