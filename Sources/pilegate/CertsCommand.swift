import ArgumentParser
import Foundation
import PileSecurity
import X509

/// `pilegate certs`: a test CA, the gateway's server certificate and one client
/// certificate per pile, so security profiles 2 and 3 can be tried in minutes.
struct Certs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a test CA, a server certificate and per-pile client certificates (PEM) for wss:// and mutual TLS.",
        discussion: """
            Writes into --out: ca.pem and ca-key.pem (the CA), server.pem and server-key.pem \
            (subject alternative names from --host), and piles/ID.pem, piles/ID-key.pem per --pile \
            (CN = the identity). The CA and the server certificate already in --out are reused, \
            so piles can be added later. \
            Prints the security section that serves them. For tests and local setups: a production \
            CA keeps its key elsewhere.
            """)

    @Option(help: "Folder to write the files into (made if missing).")
    var out: String = "pki"

    @Option(name: .customLong("pile"), help: "A charge point identity to make a client certificate for (repeatable).")
    var piles: [String] = []

    @Option(name: .customLong("host"), help: "A host name or IP address the server certificate is valid for (repeatable).")
    var hosts: [String] = ["localhost", "127.0.0.1", "::1"]

    @Option(help: "The operator's name, written as O= in the piles' certificates.")
    var organization: String = "PileGate test operator"

    @Option(help: "Days the server and pile certificates are valid.")
    var days: Int = 825

    @Flag(help: "Make the pile certificates already expired (valid until yesterday), to test that they are refused.")
    var expired = false

    func validate() throws {
        guard (1...3650).contains(days) else { throw ValidationError("--days takes 1 to 3650") }
        for pile in piles where pile.isEmpty || pile.count > 48 || pile.contains("/") {
            throw ValidationError("--pile \(pile): an identity has 1 to 48 characters and no '/'")
        }
    }

    func run() async throws {
        let folder = URL(fileURLWithPath: out)
        let files = FileManager.default
        do {
            try files.createDirectory(at: folder.appendingPathComponent("piles"), withIntermediateDirectories: true)
        } catch {
            throw CommandFailure("cannot make \(out): \(error.localizedDescription)")
        }
        let caCert = folder.appendingPathComponent("ca.pem"), caKey = folder.appendingPathComponent("ca-key.pem")
        let ca: CertificateAuthority
        if files.fileExists(atPath: caCert.path) {
            do {
                ca = try CertificateAuthority(certificatePEM: try String(contentsOf: caCert, encoding: .utf8), keyPEM: try String(contentsOf: caKey, encoding: .utf8))
            } catch {
                throw CommandFailure("\(caCert.path): \(error)")
            }
            Console.line("reusing the CA in \(caCert.path)")
        } else {
            ca = try CertificateAuthority(name: "PileGate test CA")
            try write(try ca.certificatePEM, to: caCert)
            try write(try ca.keyPEM, to: caKey, secret: true)
        }
        let serverCert = folder.appendingPathComponent("server.pem")
        if !files.fileExists(atPath: serverCert.path) {
            let server = try ca.issue(commonName: hosts.first ?? "localhost", hosts: hosts, usage: .serverAuth, validFor: days)
            try write(try server.certificate.serializeAsPEM().pemString + "\n" + (try ca.certificatePEM), to: serverCert)
            try write(try server.key.serializeAsPEM().pemString, to: folder.appendingPathComponent("server-key.pem"), secret: true)
        }
        // Expired: issued a day longer ago than it is valid for.
        let start = expired ? Date().addingTimeInterval(-Double(days + 1) * 86_400) : Date()
        for pile in piles {
            let issued = try ca.issue(commonName: pile, organization: organization, usage: .clientAuth, validFor: days, now: start)
            try write(try issued.certificate.serializeAsPEM().pemString, to: folder.appendingPathComponent("piles/\(pile).pem"))
            try write(try issued.key.serializeAsPEM().pemString, to: folder.appendingPathComponent("piles/\(pile)-key.pem"), secret: true)
            Console.line("pile \(pile): piles/\(pile).pem (serial \(try ClientCertificate(derEncoded: issued.certificate.serializeAsPEM().derBytes).serialNumber))")
        }
        Console.line(
            """
            wrote \(out)/ca.pem, ca-key.pem, server.pem, server-key.pem\(piles.isEmpty ? "" : " and \(piles.count) pile certificate(s)")
            serve them with this in the gateway's configuration:
            security:
              tls:
                port: 8443
                certificate: \(out)/server.pem
                key: \(out)/server-key.pem
                clientCA: \(out)/ca.pem
            """)
    }

    private func write(_ text: String, to url: URL, secret: Bool = false) throws {
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
            if secret { try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path) }
        } catch {
            throw CommandFailure("cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}

/// `pilegate password-hash`: the form `chargePoints[].passwordHash` takes.
struct PasswordHashCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password-hash",
        abstract: "Hash a pile's Basic-auth password for the registry (chargePoints[].passwordHash); reads it from standard input.")

    @Option(help: "log2 of scrypt's N (10–20), as security.passwordHashCost.")
    var cost: Int = PasswordHash.defaultLogCost

    func run() async throws {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CommandFailure("give the password on standard input, e.g. echo \"$PASSWORD\" | pilegate password-hash")
        }
        do {
            Console.line(try PasswordHash(password: line, logCost: cost).description)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}
