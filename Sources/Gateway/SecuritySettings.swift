import Foundation
import PileSecurity

/// Security profiles 1–3 (OCPP 1.6 security whitepaper, 2.0.1 block A): which listeners
/// run, the TLS files, and the limits on password guessing. Per pile, the profile and the
/// password are in the registry (`chargePoints`) and, once set through the API or rotated,
/// in the store, which then wins.
public struct SecuritySettings: Codable, Sendable, Equatable {
    /// The plain `ws://` listener on `--port`; false switches plain connections off entirely.
    public var plain = true
    /// The `wss://` listener (profiles 2 and 3); nil: none.
    public var tls: TLSSettings?
    /// The profile of piles the registry and the store give none (unknown piles included):
    /// 0 takes anyone the registry lets in, 1 wants a password, 2 TLS, 3 a client certificate.
    public var minimumProfile = 0
    /// log2 of scrypt's N for new password hashes. 12 (4 MiB, ~9 ms each here): a gateway
    /// restart re-admits 20,000 password piles in about three minutes on its hashing
    /// thread; raise it where people choose the passwords.
    public var passwordHashCost = PasswordHash.defaultLogCost
    /// Failed logins a pile (or a source address) may have within `loginWindowSeconds`
    /// before further attempts are refused with 429 until the window has passed.
    public var maxFailedLogins = 5
    public var loginWindowSeconds: Double = 60
    /// The CA that signs piles' CSRs (SignCertificate): PEM certificate and key. nil: CSRs
    /// are answered Rejected.
    public var ca: CASettings?

    public init() {}

    public struct CASettings: Codable, Sendable, Equatable {
        public var certificate: String
        public var key: String
        /// Days a signed pile certificate is valid.
        public var validityDays = 825

        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }

        enum CodingKeys: String, CodingKey { case certificate, key, validityDays }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            certificate = try c.decode(String.self, forKey: .certificate)
            key = try c.decode(String.self, forKey: .key)
            validityDays = try c.decodeIfPresent(Int.self, forKey: .validityDays) ?? 825
        }
    }

    public struct TLSSettings: Codable, Sendable, Equatable {
        public var port = 8443
        /// PEM files: the server's certificate chain and its private key.
        public var certificate: String
        public var key: String
        /// PEM bundle of the CAs that issue piles' client certificates: set, the listener asks
        /// for a client certificate (profile 3) and refuses one that does not verify.
        public var clientCA: String?
        /// Serial numbers (hex) of client certificates that are revoked: refused at login.
        public var revokedSerials: [String] = []

        public init(port: Int = 8443, certificate: String, key: String, clientCA: String? = nil) {
            self.port = port
            self.certificate = certificate
            self.key = key
            self.clientCA = clientCA
        }

        enum CodingKeys: String, CodingKey { case port, certificate, key, clientCA, revokedSerials }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            port = try c.decodeIfPresent(Int.self, forKey: .port) ?? 8443
            certificate = try c.decode(String.self, forKey: .certificate)
            key = try c.decode(String.self, forKey: .key)
            clientCA = try c.decodeIfPresent(String.self, forKey: .clientCA)
            revokedSerials = try c.decodeIfPresent([String].self, forKey: .revokedSerials) ?? []
        }
    }

    enum CodingKeys: String, CodingKey { case plain, tls, minimumProfile, passwordHashCost, maxFailedLogins, loginWindowSeconds, ca }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SecuritySettings()
        plain = try c.decodeIfPresent(Bool.self, forKey: .plain) ?? d.plain
        tls = try c.decodeIfPresent(TLSSettings.self, forKey: .tls)
        minimumProfile = try c.decodeIfPresent(Int.self, forKey: .minimumProfile) ?? d.minimumProfile
        passwordHashCost = try c.decodeIfPresent(Int.self, forKey: .passwordHashCost) ?? d.passwordHashCost
        maxFailedLogins = try c.decodeIfPresent(Int.self, forKey: .maxFailedLogins) ?? d.maxFailedLogins
        loginWindowSeconds = try c.decodeIfPresent(Double.self, forKey: .loginWindowSeconds) ?? d.loginWindowSeconds
        ca = try c.decodeIfPresent(CASettings.self, forKey: .ca)
    }

    /// What is wrong with these settings, worded for the configuration file.
    var problems: [String] {
        var problems: [String] = []
        if !(0...3).contains(minimumProfile) { problems.append("security.minimumProfile must be 0, 1, 2 or 3") }
        if !(10...20).contains(passwordHashCost) { problems.append("security.passwordHashCost must be between 10 and 20") }
        if !(1...1000).contains(maxFailedLogins) { problems.append("security.maxFailedLogins must be between 1 and 1000") }
        if !(loginWindowSeconds > 0 && loginWindowSeconds <= 86_400) { problems.append("security.loginWindowSeconds must be between 0 and 86400") }
        if !plain && tls == nil { problems.append("security.plain is false and there is no security.tls: nothing would listen for piles") }
        if minimumProfile >= 2 && tls == nil { problems.append("security.minimumProfile \(minimumProfile) needs security.tls") }
        if minimumProfile == 3 && tls?.clientCA == nil { problems.append("security.minimumProfile 3 needs security.tls.clientCA") }
        if let ca, !(1...3650).contains(ca.validityDays) { problems.append("security.ca.validityDays must be between 1 and 3650") }
        if let tls, !(0...65_535).contains(tls.port) { problems.append("security.tls.port must be between 1 and 65535 (0: any free port)") }
        return problems
    }
}
