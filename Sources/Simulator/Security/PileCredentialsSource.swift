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
    private let contexts = Mutex<(shared: NIOSSLContext?, failure: String?)>((nil, nil))

    public init(password: String? = nil, passwords: [String: String] = [:], caFile: String? = nil, certificateDirectory: String? = nil) {
        self.password = password
        self.passwords = passwords
        self.caFile = caFile
        self.certificateDirectory = certificateDirectory
    }

    public static let none = PileCredentialsSource()

    public convenience init(_ fleet: FleetProfile.Credentials) {
        self.init(password: fleet.password, passwords: fleet.passwords ?? [:], caFile: fleet.ca, certificateDirectory: fleet.certificates)
    }

    /// The pile's first password (a rotation later replaces it in the pile's configuration).
    public func password(for identity: String) -> String? { passwords[identity] ?? password }

    /// The pile's TLS context for `wss://` endpoints.
    public func tls(for identity: String) throws -> NIOSSLContext {
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

    /// Checks the files before a fleet starts: a wrong path fails once, clearly, not per pile.
    public func validate() throws {
        for (name, path) in [("CA", caFile), ("certificate folder", certificateDirectory)] {
            if let path, !FileManager.default.fileExists(atPath: path) {
                throw TLSContexts.Failure(description: "the \(name) \(path) does not exist")
            }
        }
        if caFile != nil { _ = try TLSContexts.client(ca: caFile, certificate: nil, key: nil) }
    }
}
