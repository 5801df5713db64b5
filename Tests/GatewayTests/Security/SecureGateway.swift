import Foundation
import Gateway
import HTTPAPI
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import OCPP
import OCPPWebSocket
import PileSecurity
import XCTest

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A test PKI in a temporary folder: a CA, the gateway's certificate for 127.0.0.1 and
/// localhost, and client certificates per identity (`expired` ones issued two years ago).
struct TestPKI {
    let directory: URL
    let ca: CertificateAuthority

    init(directory: URL) throws {
        self.directory = directory
        ca = try CertificateAuthority(name: "PileGate test CA")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try write(try ca.certificatePEM, "ca.pem")
        let server = try ca.issue(commonName: "localhost", hosts: ["localhost", "127.0.0.1"], usage: .serverAuth)
        try write(try server.certificate.serializeAsPEM().pemString, "server.pem")
        try write(try server.key.serializeAsPEM().pemString, "server-key.pem")
    }

    var caFile: String { path("ca.pem") }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Issues a client certificate and returns its serial.
    @discardableResult
    func issue(_ identity: String, expired: Bool = false) throws -> String {
        let start = expired ? Date().addingTimeInterval(-2 * 365 * 86_400) : Date()
        let issued = try ca.issue(commonName: identity, organization: "Test CPO", usage: .clientAuth, validFor: 30, now: start)
        try write(try issued.certificate.serializeAsPEM().pemString, "\(identity).pem")
        try write(try issued.key.serializeAsPEM().pemString, "\(identity)-key.pem")
        return try ClientCertificate(derEncoded: issued.certificate.serializeAsPEM().derBytes).serialNumber
    }

    /// A client context presenting `certificateOf`'s certificate (nil: none).
    func client(certificateOf identity: String?) throws -> NIOSSLContext {
        try TLSContexts.client(ca: caFile, certificate: identity.map { path("\($0).pem") }, key: identity.map { path("\($0)-key.pem") })
    }

    private func write(_ text: String, _ name: String) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }
}

/// `pilegate serve` in-process with a plain and a TLS listener on free ports.
struct SecureGateway {
    let running: RunningGateway
    let directory: URL
    let pki: TestPKI
    var plainEndpoint: String { "ws://127.0.0.1:\(running.port)/ocpp" }
    var tlsEndpoint: String { "wss://127.0.0.1:\(running.tlsAddress?.port ?? 0)/ocpp" }
    var apiBase: String { "http://127.0.0.1:\(running.port)/api" }
    static let token = "security-test-token"

    static func with(
        directory: URL? = nil, pki existing: TestPKI? = nil, _ edit: (inout GatewayConfiguration, TestPKI) throws -> Void,
        _ body: (SecureGateway) async throws -> Void
    ) async throws {
        let dir = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-security-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let pki = try existing ?? TestPKI(directory: dir.appendingPathComponent("pki"))
        var configuration = GatewayConfiguration()
        configuration.api.token = token
        configuration.security.passwordHashCost = 10  // fast tests; the default is 14
        configuration.security.tls = .init(port: 0, certificate: pki.path("server.pem"), key: pki.path("server-key.pem"), clientCA: pki.caFile)
        try edit(&configuration, pki)
        var logger = Logger(label: "security-test")
        logger.logLevel = .critical
        let running = try await RunningGateway.start(
            host: "127.0.0.1", port: 0, db: "sqlite:" + dir.appendingPathComponent("gateway.sqlite").path, configuration: configuration,
            node: "test", reusePort: false, threads: 2, logger: logger)
        let gateway = SecureGateway(running: running, directory: dir, pki: pki)
        do {
            try await body(gateway)
        } catch {
            try await running.shutdown()
            if directory == nil { try? FileManager.default.removeItem(at: dir) }
            throw error
        }
        try await running.shutdown()
        if directory == nil { try? FileManager.default.removeItem(at: dir) }
    }

    /// Connects as `identity`; the HTTP status of a refusal, or nil when it got in.
    func login(
        _ identity: String, tls: Bool, certificateOf: String? = nil, password: String? = nil, scheme: String = "Basic",
        version: OCPPVersion = .v16
    ) async throws -> Int? {
        var configuration = OCPPClientConfiguration(endpoint: (tls ? tlsEndpoint : plainEndpoint), identity: identity)
        configuration.subprotocols = [version.subprotocol]
        configuration.password = password
        configuration.basicScheme = scheme
        if tls { configuration.tls = try pki.client(certificateOf: certificateOf) }
        do {
            let peer = try await OCPPClient.connect(configuration, group: running.group) { _ in }
            peer.close(code: .normalClosure, reason: "test done")
            return nil
        } catch OCPPClientError.upgradeRefused(_, let status, _) {
            return status ?? -1
        } catch OCPPClientError.tlsFailed {
            return 0
        }
    }

    func request(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, json: JSON?) {
        var request = URLRequest(url: try XCTUnwrap(URL(string: apiBase + path)))
        request.httpMethod = method
        request.setValue("Bearer \(Self.token)", forHTTPHeaderField: "Authorization")
        if let body { request.httpBody = Data(body.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, try? JSONParser.parse(Array(data)))
    }
}
