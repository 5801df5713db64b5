import Crypto
import Foundation
import SwiftASN1
import X509

/// A pile's own key, the CSR it sends in SignCertificate, and the check of the chain the
/// CSMS sends back in CertificateSigned (1.6 security extension; 2.0.1 A02/A03): the
/// first certificate must carry this key and name the pile.
public struct PileKeyPair: Sendable {
    let key: Certificate.PrivateKey

    public init() { key = Certificate.PrivateKey(P256.Signing.PrivateKey()) }

    /// A PKCS#10 request with CN = the identity and O = the operator, signed by this key.
    public func csrPEM(identity: String, organization: String) throws -> String {
        let subject = try DistinguishedName {
            OrganizationName(organization)
            CommonName(identity)
        }
        let csr = try CertificateSigningRequest(
            version: .v1, subject: subject, privateKey: key, attributes: CertificateSigningRequest.Attributes(),
            signatureAlgorithm: .ecdsaWithSHA256)
        return try csr.serializeAsPEM().pemString
    }

    public var keyPEM: String { get throws { try key.serializeAsPEM().pemString } }

    public enum ChainProblem: Error, Equatable, CustomStringConvertible {
        case unreadable(String)
        case otherKey
        case otherIdentity(String?)
        public var description: String {
            switch self {
            case .unreadable(let why): "the certificate chain is not PEM X.509: \(why)"
            case .otherKey: "the certificate is not for the key of the pile's CSR"
            case .otherIdentity(let name): "the certificate names \(name.map { "\"\($0)\"" } ?? "no common name"), not the pile"
            }
        }
    }

    /// The chain's certificates (leaf first) when the leaf is this key's and names `identity`.
    public func check(chainPEM: String, identity: String) throws(ChainProblem) -> [Certificate] {
        let chain: [Certificate]
        do {
            chain = try PEMDocument.parseMultiple(pemString: chainPEM).map { try Certificate(pemDocument: $0) }
        } catch {
            throw .unreadable("\(error)")
        }
        guard let leaf = chain.first else { throw .unreadable("no certificate in it") }
        guard leaf.publicKey == key.publicKey else { throw .otherKey }
        guard leaf.subject.commonName == identity else { throw .otherIdentity(leaf.subject.commonName) }
        return chain
    }
}

/// How OCPP names an installed certificate (CertificateHashData, 1.6 security extension and
/// 2.0.1): SHA-256 of the issuer's name (DER) and of the issuer's public key, and the
/// serial number in hex. For a root certificate the issuer is itself.
public struct CertificateHash: Sendable, Equatable {
    public let issuerNameHash: String
    public let issuerKeyHash: String
    public let serialNumber: String

    /// The hash data of `certificate`, whose issuer's key is `issuerKey` (itself for a root).
    public init(_ certificate: Certificate, issuerKey: Certificate.PublicKey? = nil) throws {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate.issuer)
        issuerNameHash = SHA256Hex.of(serializer.serializedBytes)
        let key = issuerKey ?? certificate.publicKey
        let keyBytes: [UInt8]
        if let p256 = P256.Signing.PublicKey(key) {
            keyBytes = Array(p256.x963Representation)
        } else if let p384 = P384.Signing.PublicKey(key) {
            keyBytes = Array(p384.x963Representation)
        } else {
            var keySerializer = DER.Serializer()
            try keySerializer.serialize(key)
            keyBytes = keySerializer.serializedBytes
        }
        issuerKeyHash = SHA256Hex.of(keyBytes)
        // Hex without leading zeroes (2.0.1 CertificateHashDataType.serialNumber).
        let hex = certificate.serialNumber.bytes.map { String(format: "%02x", $0) }.joined().drop { $0 == "0" }
        serialNumber = hex.isEmpty ? "0" : String(hex)
    }

    /// The hash data of a PEM certificate (what InstallCertificate carries).
    public init(pem: String) throws {
        try self.init(try Certificate(pemEncoded: pem))
    }
}
