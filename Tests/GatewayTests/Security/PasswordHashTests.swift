import Foundation
import Crypto
import PileSecurity
import SessionStore
import X509
import XCTest

/// The password hash and the CA: what is stored verifies only its password, hostile
/// stored or presented values fail cleanly, and a CSR for another identity is refused.
final class PasswordHashTests: XCTestCase {
    func testAHashVerifiesItsPasswordAndNothingElseAfterARoundTrip() throws {
        let hash = try PasswordHash(password: "correct-horse-battery", logCost: 10)
        let parsed = try PasswordHash(encoded: hash.description)
        XCTAssertEqual(parsed, hash)
        XCTAssertTrue(parsed.verify(Array("correct-horse-battery".utf8)))
        XCTAssertFalse(parsed.verify(Array("correct-horse-batterx".utf8)))
        XCTAssertFalse(parsed.verify([]))
        XCTAssertFalse(hash.description.contains("correct"))
        // A fresh salt each time: the same password never hashes the same twice.
        XCTAssertNotEqual(try PasswordHash(password: "correct-horse-battery", logCost: 10).description, hash.description)
    }

    func testAHexPasswordAlsoVerifiesAsTheBytesItStandsFor() throws {
        // 1.6 piles differ: some send the hex digits, some the decoded bytes (ocpp-notes pitfall 13).
        let hex = "41424344454647484950515253545556"
        let hash = try PasswordHash(encoded: try PasswordHash(password: hex, logCost: 10).description)
        XCTAssertTrue(hash.verify(Array(hex.utf8)))
        XCTAssertTrue(hash.verify(Array("ABCDEFGHIPQRSTUV".utf8)))
        XCTAssertFalse(hash.verify(Array("ABCDEFGHIPQRSTUW".utf8)))
        let plain = try PasswordHash(password: "not-hex-but-long-enough", logCost: 10)
        XCTAssertEqual(plain.description.split(separator: "$").count, 4, "no second key for a password that is not hex")
    }

    func testPasswordRulesFollowBothVersions() {
        XCTAssertThrowsError(try PasswordHash.check(String(repeating: "a", count: 15)))
        XCTAssertNoThrow(try PasswordHash.check(String(repeating: "a", count: 16)))
        XCTAssertNoThrow(try PasswordHash.check(String(repeating: "a", count: 40)))
        XCTAssertThrowsError(try PasswordHash.check(String(repeating: "a", count: 41)))
        XCTAssertThrowsError(try PasswordHash.check("with a space inside it"))
        XCTAssertThrowsError(try PasswordHash.check("ünïcödé-password-xx"))
        let generated = PasswordHash.generatePassword()
        XCTAssertEqual(generated.count, 40)
        XCTAssertNoThrow(try PasswordHash.check(generated))
        XCTAssertNotEqual(generated, PasswordHash.generatePassword())
    }

    func testMangledStoredHashesAreRefusedNotTrusted() throws {
        let good = try PasswordHash(password: "stored-password-123", logCost: 10).description
        XCTAssertThrowsError(try PasswordHash(encoded: "stored-password-123"), "a plain password is not a hash")
        XCTAssertThrowsError(try PasswordHash(encoded: good.replacingOccurrences(of: "ln=10", with: "ln=40")), "cost out of range")
        XCTAssertThrowsError(try PasswordHash(encoded: good.replacingOccurrences(of: "r=8", with: "r=0")))
        XCTAssertThrowsError(try PasswordHash(encoded: ""))
        // Random single-byte changes: each either fails to parse or no longer verifies.
        var generator = SystemRandomNumberGenerator()
        let bytes = Array(good.utf8)
        for _ in 0..<300 {
            var mutated = bytes
            let index = Int.random(in: 0..<mutated.count, using: &generator)
            mutated[index] = UInt8.random(in: 0x20...0x7e, using: &generator)
            guard mutated != bytes, let text = String(bytes: mutated, encoding: .utf8) else { continue }
            guard let parsed = try? PasswordHash(encoded: text) else { continue }
            if parsed.description == good { continue }  // base64 padding bits may not matter
            if parsed.logCost == 10, parsed.blockSize == 8, parsed.parallelism == 1 {
                XCTAssertFalse(parsed.verify(Array("stored-password-123".utf8)), "mutated \(text) still verifies")
            }
        }
    }

    func testRememberedPasswordsMatchOnlyThemselves() {
        let remembered = VerifiedPassword(Array("remembered-password".utf8))
        XCTAssertTrue(remembered.matches(Array("remembered-password".utf8)))
        XCTAssertFalse(remembered.matches(Array("remembered-passwore".utf8)))
    }

    func testTheCASignsACSROnlyForTheIdentityItNames() throws {
        let ca = try CertificateAuthority(name: "test CA")
        let issued = try ca.issue(commonName: "CP-9", usage: .clientAuth)
        let certificate = try ClientCertificate(derEncoded: issued.certificate.serializeAsPEM().derBytes)
        XCTAssertEqual(certificate.commonName, "CP-9")
        XCTAssertGreaterThan(certificate.notValidAfter, Date())
        XCTAssertEqual(ClientCertificate.normalizedSerial("00:0A:1b"), "0a1b")
        XCTAssertEqual(ClientCertificate.normalizedSerial(certificate.serialNumber.uppercased()), certificate.serialNumber)
        XCTAssertThrowsError(try ca.sign(csrPEM: "not a CSR", identity: "CP-9"))
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let csr = try CertificateSigningRequest(
            version: .v1, subject: try DistinguishedName { CommonName("CP-9") }, privateKey: key, attributes: .init(),
            signatureAlgorithm: .ecdsaWithSHA256)
        let pem = try csr.serializeAsPEM().pemString
        let signed = try ca.sign(csrPEM: pem, identity: "CP-9")
        XCTAssertEqual(signed.subject.commonName, "CP-9")
        XCTAssertEqual(signed.issuer, ca.certificate.subject)
        XCTAssertTrue(ca.certificate.publicKey.isValidSignature(signed.signature, for: signed))
        XCTAssertThrowsError(try ca.sign(csrPEM: pem, identity: "CP-8")) { error in
            XCTAssertEqual(error as? CertificateAuthority.Failure, .identityMismatch(csr: "CP-9", identity: "CP-8"))
        }
        let reloaded = try CertificateAuthority(certificatePEM: try ca.certificatePEM, keyPEM: try ca.keyPEM)
        XCTAssertEqual(try reloaded.certificatePEM, try ca.certificatePEM)
        let other = try CertificateAuthority(name: "other CA")
        XCTAssertThrowsError(try CertificateAuthority(certificatePEM: try ca.certificatePEM, keyPEM: try other.keyPEM), "a key of another CA")
    }
}
