import Foundation
import NIOSSL
import OCPPWebSocket
import PileSecurity

/// What a simulated pile keeps of certificates, as a real one does: the CA certificates
/// the CSMS installed (InstallCertificate, listed by GetInstalledCertificateIds, removed
/// by DeleteCertificate), the key of the CSR it sent, and the certificate the CSMS signed
/// for that key (CertificateSigned), which it logs in with from then on (profile 3).
struct PileCertificates {
    struct Installed {
        /// The certificate use as the version names it (`CentralSystemRootCertificate`, `CSMSRootCertificate` …).
        let use: String
        let pem: String
        let hash: CertificateHash
    }

    /// At most this many installed: a pile's certificate store is small.
    static let capacity = 20

    private(set) var installed: [Installed] = []
    private var pendingKey: PileKeyPair?
    /// The signed chain and its key, once the CSMS answered a CSR.
    private(set) var signed: (chainPEM: String, keyPEM: String)?

    enum InstallOutcome { case accepted, rejected, full }

    mutating func install(use: String, pem: String) -> InstallOutcome {
        guard let hash = try? CertificateHash(pem: pem) else { return .rejected }
        installed.removeAll { $0.hash == hash }
        guard installed.count < Self.capacity else { return .full }
        installed.append(Installed(use: use, pem: pem, hash: hash))
        return .accepted
    }

    func installed(uses: Set<String>?) -> [Installed] { installed.filter { uses?.contains($0.use) ?? true } }

    /// Removes the certificate with this hash data (hex compared without case); false if none.
    mutating func delete(issuerNameHash: String, issuerKeyHash: String, serialNumber: String) -> Bool {
        let before = installed.count
        installed.removeAll {
            $0.hash.issuerNameHash.caseInsensitiveCompare(issuerNameHash) == .orderedSame
                && $0.hash.issuerKeyHash.caseInsensitiveCompare(issuerKeyHash) == .orderedSame
                && $0.hash.serialNumber.caseInsensitiveCompare(serialNumber.drop { $0 == "0" }.description) == .orderedSame
        }
        return installed.count < before
    }

    /// A new key and its CSR; the key waits for the CSMS's CertificateSigned.
    mutating func newRequest(identity: String, organization: String) throws -> String {
        let key = PileKeyPair()
        let csr = try key.csrPEM(identity: identity, organization: organization)
        pendingKey = key
        return csr
    }

    /// Takes the CSMS's chain when it is for the pending key and names the pile.
    mutating func accept(chainPEM: String, identity: String) -> Bool {
        guard let key = pendingKey, (try? key.check(chainPEM: chainPEM, identity: identity)) != nil, let keyPEM = try? key.keyPEM else {
            return false
        }
        signed = (chainPEM, keyPEM)
        pendingKey = nil
        return true
    }

    /// The TLS context with the signed certificate, once there is one.
    func tls(ca: String?) throws -> NIOSSLContext? {
        guard let signed else { return nil }
        return try TLSContexts.client(ca: ca, certificateChainPEM: signed.chainPEM, keyPEM: signed.keyPEM)
    }
}
