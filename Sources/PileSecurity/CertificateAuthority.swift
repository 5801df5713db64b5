import Crypto
import Foundation
import SwiftASN1
import X509

/// A small CA for security profile 3: it issues the gateway's server certificate and the
/// piles' client certificates (CN = the charge point identity), and signs the CSRs piles
/// send in SignCertificate. What `pilegate certs` writes, and what the gateway uses when
/// configured with a CA key. P-256 keys and ECDSA-SHA256, as the OCPP security spec allows.
public final class CertificateAuthority: Sendable {
    public let certificate: Certificate
    let key: Certificate.PrivateKey

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case identityMismatch(csr: String?, identity: String)
        case badSignature
        case unreadable(String)
        public var description: String {
            switch self {
            case .identityMismatch(let csr, let identity):
                "the CSR's common name is \(csr.map { "\"\($0)\"" } ?? "missing"), not the pile's identity \"\(identity)\""
            case .badSignature: "the CSR is not signed by the key it carries"
            case .unreadable(let why): why
            }
        }
    }

    /// A new self-signed CA.
    public init(name: String, organization: String = "PileGate test CA", validFor days: Int = 3650, now: Date = Date()) throws {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let subject = try DistinguishedName {
            OrganizationName(organization)
            CommonName(name)
        }
        certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
            }, issuerPrivateKey: key)
        self.key = key
    }

    /// A CA from its PEM certificate and key (files `pilegate certs` wrote).
    public init(certificatePEM: String, keyPEM: String) throws {
        do {
            certificate = try Certificate(pemEncoded: certificatePEM)
            key = try Certificate.PrivateKey(pemEncoded: keyPEM)
        } catch {
            throw Failure.unreadable("the CA certificate or key is not PEM X.509 / PKCS#8: \(error)")
        }
        guard key.publicKey == certificate.publicKey else { throw Failure.unreadable("the CA key does not match its certificate") }
    }

    /// A new key and a certificate for it. Servers get their host names and addresses as
    /// subject alternative names; piles get CN = identity and O = the operator.
    public func issue(
        commonName: String, organization: String? = nil, hosts: [String] = [], usage: ExtendedKeyUsage.Usage,
        validFor days: Int = 825, now: Date = Date()
    ) throws -> (certificate: Certificate, key: Certificate.PrivateKey) {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let subject = try DistinguishedName {
            if let organization { OrganizationName(organization) }
            CommonName(commonName)
        }
        let certificate = try sign(publicKey: key.publicKey, subject: subject, hosts: hosts, usage: usage, validFor: days, now: now)
        return (certificate, key)
    }

    /// Signs a pile's CSR (SignCertificate) when its common name is the pile's identity: a
    /// certificate issued to one pile must never let another log in.
    public func sign(csrPEM: String, identity: String, validFor days: Int = 825, now: Date = Date()) throws -> Certificate {
        let csr: CertificateSigningRequest
        do {
            csr = try CertificateSigningRequest(pemEncoded: csrPEM)
        } catch {
            throw Failure.unreadable("the CSR is not PEM PKCS#10: \(error)")
        }
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else { throw Failure.badSignature }
        let name = csr.subject.commonName
        guard name == identity else { throw Failure.identityMismatch(csr: name, identity: identity) }
        return try sign(publicKey: csr.publicKey, subject: csr.subject, hosts: [], usage: .clientAuth, validFor: days, now: now)
    }

    private func sign(
        publicKey: Certificate.PublicKey, subject: DistinguishedName, hosts: [String], usage: ExtendedKeyUsage.Usage, validFor days: Int,
        now: Date
    ) throws -> Certificate {
        let names: [GeneralName] = hosts.map { host in
            if let v4 = IPv4Bytes(host) { .ipAddress(ASN1OctetString(contentBytes: ArraySlice(v4.bytes))) } else
            if host == "::1" { .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))) } else { .dnsName(host) }
        }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
            issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyAgreement: true))
                try ExtendedKeyUsage([usage])
                if !names.isEmpty { SubjectAlternativeNames(names) }
                AuthorityKeyIdentifier(keyIdentifier: try certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
            }, issuerPrivateKey: key)
    }

    public var certificatePEM: String { get throws { try certificate.serializeAsPEM().pemString } }
    public var keyPEM: String { get throws { try key.serializeAsPEM().pemString } }
}

extension DistinguishedName {
    /// The first common name, as text.
    public var commonName: String? {
        for rdn in self {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return String(attribute.value)
            }
        }
        return nil
    }
}

/// A dotted IPv4 address's four bytes.
public struct IPv4Bytes {
    public let bytes: [UInt8]
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard let byte = UInt8(part) else { return nil }
            bytes.append(byte)
        }
        self.bytes = bytes
    }
}

/// What the gateway needs of a pile's TLS client certificate (security profile 3).
public struct ClientCertificate: Sendable, Equatable {
    public let commonName: String?
    /// Hex digits, lower case, without separators (as `revokedSerials` lists them).
    public let serialNumber: String
    public let notValidAfter: Date

    public init(derEncoded bytes: [UInt8]) throws {
        let certificate = try Certificate(derEncoded: bytes)
        commonName = certificate.subject.commonName
        serialNumber = Self.normalizedSerial(certificate.serialNumber.bytes.map { String(format: "%02x", $0) }.joined())
        notValidAfter = certificate.notValidAfter
    }

    /// A serial as people write it (`0A:1B…`, `0a1b…`) in the form `serialNumber` has.
    public static func normalizedSerial(_ text: String) -> String {
        let hex = text.lowercased().filter { $0.isHexDigit }
        let trimmed = hex.drop(while: { $0 == "0" })
        return trimmed.isEmpty ? "0" : String(trimmed.count % 2 == 0 ? trimmed : "0" + trimmed)
    }
}
