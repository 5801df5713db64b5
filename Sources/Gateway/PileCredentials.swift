import Foundation
import Logging
import NIOCore
import NIOPosix
import OCPPWebSocket
import PileSecurity
import SessionStore
import Synchronization

/// Who may log in as which pile (security profiles 1–3), decided during the WebSocket
/// handshake. Every pile has a profile (registry, then store, else `minimumProfile`) and
/// is never let in below it: profile 1 wants its Basic password, 2 the password over TLS,
/// 3 a verified client certificate whose CN is the identity. A client certificate issued
/// to another identity is refused at any profile, so a pile's identity is bound to its
/// credentials and a replacing connection must prove it is that pile.
///
/// Passwords are checked against a salted scrypt hash on a thread of their own (never on
/// the event loops); a password that verified is remembered as an HMAC, so reconnects
/// cost no scrypt. Failed logins are throttled per pile and per source address.
final class PileCredentials: Sendable {
    struct Entry: Sendable {
        var profile: Int
        var hash: PasswordHash?
        var verified: VerifiedPassword?
    }

    enum Admission: Sendable, Equatable {
        case admitted
        case refused(HTTPStatus, String)
    }

    /// The statuses a login is refused with.
    enum HTTPStatus: Int, Sendable { case unauthorized = 401, forbidden = 403, tooManyRequests = 429, serviceUnavailable = 503 }

    let settings: SecuritySettings
    private let entries: Mutex<[String: Entry]>
    private let revoked: Set<String>
    private let throttle: LoginThrottle
    private let hashing: NIOThreadPool
    /// Verifications queued or running; past `maxQueued` a login is answered 503 at once.
    private let queued = Atomic<Int>(0)
    private let maxQueued = 1024
    private let logger: Logger

    init(configuration: GatewayConfiguration, logger: Logger) {
        settings = configuration.security
        var entries: [String: Entry] = [:]
        for pile in configuration.chargePoints {
            let hash: PasswordHash? =
                if let encoded = pile.passwordHash { try? PasswordHash(encoded: encoded) } else
                if let password = pile.password { try? PasswordHash(password: password, logCost: configuration.security.passwordHashCost) } else { nil }
            // A password that does not hash (the file's check refuses it) locks the pile out: fail closed.
            let hasPassword = pile.password != nil || pile.passwordHash != nil
            let profile = pile.securityProfile ?? max(configuration.security.minimumProfile, hasPassword ? 1 : 0)
            entries[pile.id] = Entry(profile: profile, hash: hash)
        }
        self.entries = Mutex(entries)
        revoked = Set((configuration.security.tls?.revokedSerials ?? []).map(ClientCertificate.normalizedSerial))
        throttle = LoginThrottle(maxFailures: configuration.security.maxFailedLogins, window: configuration.security.loginWindowSeconds)
        hashing = NIOThreadPool(numberOfThreads: 1)
        hashing.start()
        self.logger = logger
    }

    deinit { hashing.shutdownGracefully { _ in } }

    /// The store's records win over the registry file (they were set later, through the
    /// API or by a rotation the pile confirmed).
    func restore(_ records: [PileCredentialRecord]) {
        entries.withLock { entries in
            for record in records {
                entries[record.chargePointId] = Entry(
                    profile: record.securityProfile, hash: record.passwordHash.flatMap { try? PasswordHash(encoded: $0) })
            }
        }
    }

    func profile(of identity: String) -> Int { entries.withLock { $0[identity]?.profile } ?? settings.minimumProfile }
    func hasPassword(_ identity: String) -> Bool { entries.withLock { $0[identity]?.hash != nil } }
    func currentHash(_ identity: String) -> PasswordHash? { entries.withLock { $0[identity]?.hash } }

    func update(_ identity: String, profile: Int, hash: PasswordHash?) {
        entries.withLock { $0[identity] = Entry(profile: profile, hash: hash) }
    }

    /// Hashes a new password on the hashing thread.
    func hash(_ password: String) async throws -> PasswordHash {
        let cost = settings.passwordHashCost
        return try await hashing.runIfActive { try PasswordHash(password: password, logCost: cost) }
    }

    func admit(_ request: HandshakeRequest, on loop: any EventLoop) -> Answer<Admission> {
        let identity = request.identity
        let entry = entries.withLock { $0[identity] }
        let profile = entry?.profile ?? settings.minimumProfile
        if let certificate = request.transport.clientCertificate {
            guard certificate.commonName == identity else {
                return refuse(
                    .forbidden, "the client certificate is issued to \(certificate.commonName.map { "\"\($0)\"" } ?? "no common name"), not \(identity)",
                    request)
            }
            guard !revoked.contains(certificate.serialNumber) else {
                return refuse(.forbidden, "the client certificate (serial \(certificate.serialNumber)) is revoked", request)
            }
        }
        if profile >= 2 && !request.transport.isTLS {
            return refuse(.forbidden, "\(identity) is registered at security profile \(profile): connect over wss:// (no downgrade)", request)
        }
        if profile == 3 {
            guard request.transport.clientCertificate != nil else {
                return refuse(.forbidden, "\(identity) is registered at security profile 3: a client certificate is required", request)
            }
            return .now(.admitted)
        }
        guard profile >= 1 || entry?.hash != nil else { return .now(.admitted) }
        return checkPassword(request, entry: entry, on: loop)
    }

    private func checkPassword(_ request: HandshakeRequest, entry: Entry?, on loop: any EventLoop) -> Answer<Admission> {
        let identity = request.identity
        let source = request.sourceHost ?? "?"
        if let wait = throttle.lockedFor(pile: identity, source: source) {
            return refuse(
                .tooManyRequests, "too many failed logins for \(identity) or from \(source); retry in \(Int(wait.rounded(.up))) s", request)
        }
        guard let header = request.authorization, let credentials = BasicCredentials(header) else {
            return refuse(.unauthorized, "\(identity) needs HTTP Basic credentials (security profile \(entry?.profile ?? settings.minimumProfile))", request)
        }
        guard credentials.username == Array(identity.utf8) else {
            throttle.failed(pile: identity, source: source)
            return refuse(.unauthorized, "the Basic username is not the charge point identity \(identity)", request)
        }
        guard let hash = entry?.hash else {
            throttle.failed(pile: identity, source: source)
            return refuse(.unauthorized, "no password is registered for \(identity)", request)
        }
        if let verified = entry?.verified, verified.matches(credentials.password) {
            return .now(.admitted)
        }
        guard queued.add(1, ordering: .relaxed).newValue <= maxQueued else {
            queued.subtract(1, ordering: .relaxed)
            return refuse(.serviceUnavailable, "the gateway is busy checking passwords; retry", request)
        }
        let password = credentials.password
        let checked = hashing.runIfActive(eventLoop: loop) { hash.verify(password) }.always { [self] _ in
            queued.subtract(1, ordering: .relaxed)
        }.map { [self] ok -> Admission in
            guard ok else {
                throttle.failed(pile: identity, source: source)
                return refusal(.unauthorized, "wrong password for \(identity)", request)
            }
            remember(identity, hash: hash, password: password)
            return .admitted
        }.recover { error in
            .refused(.serviceUnavailable, "the password could not be checked: \(error)")
        }
        return .later(checked)
    }

    private func remember(_ identity: String, hash: PasswordHash, password: [UInt8]) {
        entries.withLock { entries in
            // Only if the password did not change while it was being checked.
            guard entries[identity]?.hash == hash else { return }
            entries[identity]?.verified = VerifiedPassword(password)
        }
    }

    private func refuse(_ status: HTTPStatus, _ reason: String, _ request: HandshakeRequest) -> Answer<Admission> {
        .now(refusal(status, reason, request))
    }

    /// Logs the refusal with the pile and the source, never the password.
    private func refusal(_ status: HTTPStatus, _ reason: String, _ request: HandshakeRequest) -> Admission {
        logger.warning(
            "login refused (\(status.rawValue)): \(reason)",
            metadata: ["chargePoint": "\(request.identity)", "source": "\(request.sourceHost ?? "?")"])
        return .refused(status, reason)
    }
}

/// The username and password bytes of an `Authorization: Basic …` header. The scheme is
/// case-insensitive (RFC 7235), so `basic` is taken too.
struct BasicCredentials {
    let username: [UInt8]
    let password: [UInt8]

    init?(_ header: String) {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic", parts[1].utf8.count <= 1024,
            let data = Data(base64Encoded: String(parts[1].trimmingCharacters(in: .whitespaces)))
        else { return nil }
        let bytes = [UInt8](data)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        username = Array(bytes[..<colon])
        password = Array(bytes[(colon + 1)...])
    }
}

/// Failed logins per pile and per source address in a window: past the limit (20 times
/// the pile's for a source), further attempts are refused unchecked until it has passed.
final class LoginThrottle: Sendable {
    private struct Count { var failures: Int; var since: ContinuousClock.Instant }
    private let counts = Mutex<[String: Count]>([:])
    private let maxFailures: Int
    private let window: Duration

    init(maxFailures: Int, window: Double) {
        self.maxFailures = maxFailures
        self.window = .milliseconds(Int64(window * 1000))
    }

    /// Seconds left of a lock on the pile or the source, if either is locked.
    func lockedFor(pile: String, source: String) -> Double? {
        let now = ContinuousClock.now
        return counts.withLock { counts -> Double? in
            let waits = ["pile:" + pile, "source:" + source].compactMap { key -> Double? in
                // A source carries many piles (a site's router, a simulator): it gets more room.
                let limit = key.hasPrefix("source:") ? maxFailures * 20 : maxFailures
                guard let count = counts[key], count.failures >= limit else { return nil }
                let left = count.since + window - now
                guard left > .zero else {
                    counts[key] = nil
                    return nil
                }
                return Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18
            }
            return waits.max()
        }
    }

    func failed(pile: String, source: String) {
        let now = ContinuousClock.now
        counts.withLock { counts in
            if counts.count > 100_000 { counts = counts.filter { $0.value.since + window > now } }
            for key in ["pile:" + pile, "source:" + source] {
                if let count = counts[key], count.since + window > now {
                    counts[key]?.failures = count.failures + 1
                } else {
                    counts[key] = Count(failures: 1, since: now)
                }
            }
        }
    }
}
