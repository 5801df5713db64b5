import Foundation
import NIOSSL
import OCPPWebSocket
import Synchronization

/// What simulated piles log in with (security profiles 1–3): a password for every pile or
/// per pile, the CA that signs the CSMS's certificate, and a folder of client certificates
/// named as `pilegate certs` writes them (`ID.pem`, `ID-key.pem`). A pile whose
/// certificate is in the folder presents it; the others share one TLS context.
public final class PileCredentialsSource: Sendable {
    public let password: String?
    public let passwords: [String: String]
    public let caFile: String?
    public let certificateDirectory: String?
    public let loginQuirks: Set<LoginQuirk>
    public let plainFallback: String?
    private let contexts = Mutex<(shared: NIOSSLContext?, failure: String?)>((nil, nil))

    public init(
        password: String? = nil, passwords: [String: String] = [:], caFile: String? = nil, certificateDirectory: String? = nil,
        loginQuirks: Set<LoginQuirk> = [], plainFallback: String? = nil
    ) {
        self.password = password
        self.passwords = passwords
        self.caFile = caFile
        self.certificateDirectory = certificateDirectory
        self.loginQuirks = loginQuirks
        self.plainFallback = plainFallback
    }

    public static let none = PileCredentialsSource()

    public convenience init(_ fleet: FleetProfile.Credentials) {
        self.init(
            password: fleet.password, passwords: fleet.passwords ?? [:], caFile: fleet.ca, certificateDirectory: fleet.certificates,
            loginQuirks: Set(fleet.loginQuirks ?? []), plainFallback: fleet.plainFallback)
    }

    /// The pile's first password (a rotation later replaces it in the pile's configuration).
    public func password(for identity: String) -> String? { passwords[identity] ?? password }

    /// The pile's TLS context for `wss://` endpoints (with the `other-pile-certificate`
    /// quirk, another pile's certificate from the folder).
    public func tls(for identity: String) throws -> NIOSSLContext {
        let identity = loginQuirks.contains(.otherPileCertificate) ? otherIdentity(than: identity) ?? identity : identity
        if let directory = certificateDirectory {
            let certificate = directory + "/\(identity).pem", key = directory + "/\(identity)-key.pem"
            if FileManager.default.fileExists(atPath: certificate) {
                return try TLSContexts.client(ca: caFile, certificate: certificate, key: key)
            }
        }
        return try contexts.withLock { state in
            if let shared = state.shared { return shared }
            let context = try TLSContexts.client(ca: caFile, certificate: nil, key: nil)
            state.shared = context
            return context
        }
    }

    /// The first other pile with a certificate in the folder.
    func otherIdentity(than identity: String) -> String? {
        guard let directory = certificateDirectory, let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        return files.filter { $0.hasSuffix(".pem") && !$0.hasSuffix("-key.pem") }.map { String($0.dropLast(4)) }.sorted().first { $0 != identity }
    }

    /// The `Authorization` scheme as the piles write it.
    var basicScheme: String { loginQuirks.contains(.lowercaseBasic) ? "basic" : "Basic" }

    /// Checks the files before a fleet starts: a wrong path fails once, clearly, not per pile.
    public func validate() throws {
        for (name, path) in [("CA", caFile), ("certificate folder", certificateDirectory)] {
            if let path, !FileManager.default.fileExists(atPath: path) {
                throw TLSContexts.Failure(description: "the \(name) \(path) does not exist")
            }
        }
        if caFile != nil { _ = try TLSContexts.client(ca: caFile, certificate: nil, key: nil) }
        if loginQuirks.contains(.plainFallback) && !(plainFallback?.hasPrefix("ws://") ?? false) {
            throw TLSContexts.Failure(description: "the plain-fallback login quirk needs plainFallback: a ws:// URL the piles fall back to")
        }
        if loginQuirks.contains(.otherPileCertificate) && certificateDirectory == nil {
            throw TLSContexts.Failure(description: "the other-pile-certificate login quirk needs a certificate folder with two piles' certificates")
        }
    }
}

/// What real piles get wrong when they log in (security profiles 1–3), set per fleet in
/// `credentials.loginQuirks` or with `pilegate sim --login-quirk`.
public enum LoginQuirk: String, Codable, Sendable, CaseIterable {
    /// `Authorization: basic …`: the scheme in lower case (RFC 7235 allows it; OCPP writes `Basic`).
    case lowercaseBasic = "lowercase-basic"
    /// Presents another pile's client certificate (a certificate copied between piles).
    case otherPileCertificate = "other-pile-certificate"
    /// When the TLS handshake fails, connects to `plainFallback` without TLS from then on.
    case plainFallback = "plain-fallback"
}
