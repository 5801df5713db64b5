import Foundation
import Gateway
import NIOCore
import OCPP
import OCPPWebSocket
import PileSecurity
import Simulator
import XCTest

/// Certificate management and login quirks between the gateway and simulated piles, over
/// real TLS: the gateway installs its CA on a pile and has it renew its certificate (CSR →
/// SignCertificate → CertificateSigned), the pile then logs in at profile 3 with it; the
/// piles' login mistakes meet the gateway's checks.
final class CertificateManagementTests: XCTestCase {
    static let password = "0123456789abcdef0123"

    /// Records what simulated piles report: connections and why connects failed.
    final class Watcher: PileObserver, @unchecked Sendable {
        private let lock = NSLock()
        private var connected = 0
        private var causes: [String] = []
        var connections: Int { lock.withLock { connected } }
        var failures: [String] { lock.withLock { causes } }
        func pile(_ event: PileEvent) {
            lock.withLock {
                switch event {
                case .connected: connected += 1
                case .connectFailed(_, let cause, _): causes.append(cause)
                default: break
                }
            }
        }
    }

    func start(
        _ identity: String, profile: String, gateway: SecureGateway, endpoint: String, credentials: PileCredentialsSource
    ) throws -> (PileHandle, Watcher) {
        var pile = try XCTUnwrap(try SimulatedPileFixtures.profile(profile))
        pile.securityExtension = true
        var context = SimulationContext(endpoint: endpoint, clock: VirtualClock(speed: 60))
        context.credentials = credentials
        let watcher = Watcher()
        context.observer = watcher
        let handle = PileHandle(identity: identity, profile: pile, context: context, eventLoop: gateway.running.group.next(), seed: 1)
        handle.start()
        return (handle, watcher)
    }

    func testTheGatewayInstallsItsCAAndRenewsThePilesCertificateWhichThenLogsInAtProfile3() async throws {
        for (profile, version) in [("nio-640", OCPPVersion.v16), ("nio-640-v201", .v201)] {
            try await SecureGateway.with({ configuration, pki in
                try Data(try pki.ca.keyPEM.utf8).write(to: URL(fileURLWithPath: pki.path("ca-key.pem")))
                configuration.security.ca = .init(certificate: pki.caFile, key: pki.path("ca-key.pem"))
                var pile = GatewayConfiguration.KnownChargePoint(id: "CP-RENEW", password: Self.password)
                pile.securityProfile = 2
                configuration.chargePoints = [pile]
            }) { gateway in
                let (pile, watcher) = try start(
                    "CP-RENEW", profile: profile, gateway: gateway, endpoint: gateway.tlsEndpoint,
                    credentials: PileCredentialsSource(password: Self.password, caFile: gateway.pki.caFile))
                defer { pile.stop() }
                let booted = try await eventually(10) { try await pile.run { $0.registration == .Accepted && $0.isConnected } }
                XCTAssertTrue(booted, "\(version.label): the pile did not boot")

                let installed = try await gateway.request("POST", "/chargepoints/CP-RENEW/security/install-root-certificate")
                XCTAssertEqual(installed.json?["status"], "Accepted", "\(version.label): \(installed.json?.text ?? "")")
                let listed = try await gateway.request(
                    "POST", "/chargepoints/CP-RENEW/commands/GetInstalledCertificateIds",
                    body: version == .v16 ? #"{"certificateType": "CentralSystemRootCertificate"}"# : #"{"certificateType": ["CSMSRootCertificate"]}"#)
                let answer = try XCTUnwrap(listed.json, "\(listed.status)")
                XCTAssertEqual(answer["status"], "Accepted")
                let expected = try CertificateHash(gateway.pki.ca.certificate)
                let hash = try XCTUnwrap(version == .v16 ? answer["certificateHashData"]?.arrayValue?.first : answer["certificateHashDataChain"]?.arrayValue?.first?["certificateHashData"])
                XCTAssertEqual(hash["serialNumber"]?.stringValue, expected.serialNumber)
                XCTAssertEqual(hash["issuerNameHash"]?.stringValue, expected.issuerNameHash)

                let renewed = try await gateway.request("POST", "/chargepoints/CP-RENEW/security/renew-certificate")
                XCTAssertEqual(renewed.json?["status"], "Accepted", "\(version.label): \(renewed.json?.text ?? "")")
                // The pile reconnects with its new certificate; at profile 3 it is the only way in.
                let withCertificate = try await eventually(15) { watcher.connections >= 2 }
                XCTAssertTrue(withCertificate, "\(version.label): the pile did not reconnect after CertificateSigned")
                let raised = try await gateway.request("PUT", "/chargepoints/CP-RENEW/security", body: #"{"securityProfile": 3}"#)
                XCTAssertEqual(raised.json?["securityProfile"], 3)
                gateway.running.gateway.peer("CP-RENEW")?.close(code: .goingAway, reason: "test: log in again")
                let atProfile3 = try await eventually(15) { watcher.connections >= 3 }
                XCTAssertTrue(atProfile3, "\(version.label): the pile did not log in at profile 3: \(watcher.failures)")

                let deleted = try await gateway.request(
                    "POST", "/chargepoints/CP-RENEW/commands/DeleteCertificate", body: Self.deleteBody(hash))
                XCTAssertEqual(deleted.json?["status"], "Accepted")
                let again = try await gateway.request(
                    "POST", "/chargepoints/CP-RENEW/commands/DeleteCertificate", body: Self.deleteBody(hash))
                XCTAssertEqual(again.json?["status"], "NotFound")
            }
        }
    }

    /// DeleteCertificate's body for the hash data a listing gave.
    static func deleteBody(_ hash: JSON) -> String {
        var data = JSONObject()
        for key in ["hashAlgorithm", "issuerNameHash", "issuerKeyHash", "serialNumber"] { data[key] = hash[key] }
        var body = JSONObject()
        body["certificateHashData"] = .object(data)
        return JSON.object(body).text
    }

    func testLoginQuirksMeetTheGatewaysChecks() async throws {
        try await SecureGateway.with({ configuration, pki in
            try pki.issue("CP-MINE")
            try pki.issue("CP-THEIRS")
            var lower = GatewayConfiguration.KnownChargePoint(id: "CP-LOWER", password: Self.password)
            lower.securityProfile = 1
            var mine = GatewayConfiguration.KnownChargePoint(id: "CP-MINE")
            mine.securityProfile = 3
            var fallback = GatewayConfiguration.KnownChargePoint(id: "CP-FALLBACK", password: Self.password)
            fallback.securityProfile = 2
            configuration.chargePoints = [lower, mine, fallback]
        }) { gateway in
            // `basic`: let in (RFC 7235), with a finding.
            let (lower, _) = try start(
                "CP-LOWER", profile: "nio-640", gateway: gateway, endpoint: gateway.plainEndpoint,
                credentials: PileCredentialsSource(password: Self.password, loginQuirks: [.lowercaseBasic]))
            defer { lower.stop() }
            let lowerIn = try await eventually(10) { try await lower.run { $0.registration == .Accepted } }
            XCTAssertTrue(lowerIn)
            try await gateway.running.store.flush()
            let findings = try await gateway.running.store.findings(chargePointId: "CP-LOWER", limit: 10)
            XCTAssertTrue(findings.contains { $0.rule == "transport.basic-scheme-case" }, "\(findings.map(\.rule))")

            // Another pile's certificate: refused 403 however often it tries.
            let (mine, mineWatch) = try start(
                "CP-MINE", profile: "nio-640", gateway: gateway, endpoint: gateway.tlsEndpoint,
                credentials: PileCredentialsSource(caFile: gateway.pki.caFile, certificateDirectory: gateway.pki.directory.path, loginQuirks: [.otherPileCertificate]))
            defer { mine.stop() }
            let refused = try await eventually(10) { mineWatch.failures.contains { $0.contains("403") } }
            XCTAssertTrue(refused, "\(mineWatch.failures)")
            XCTAssertEqual(mineWatch.connections, 0)

            // TLS fails (a CA that did not sign the gateway's certificate), so it falls back to
            // plain ws: a profile 2 pile is refused there too (no downgrade).
            let strangerCA = try TestPKI(directory: gateway.directory.appendingPathComponent("stranger"))
            let (fallback, fallbackWatch) = try start(
                "CP-FALLBACK", profile: "nio-640", gateway: gateway, endpoint: gateway.tlsEndpoint,
                credentials: PileCredentialsSource(
                    password: Self.password, caFile: strangerCA.caFile, loginQuirks: [.plainFallback], plainFallback: gateway.plainEndpoint))
            defer { fallback.stop() }
            let downgraded = try await eventually(15) { fallbackWatch.failures.contains { $0.contains("403") } }
            XCTAssertTrue(downgraded, "\(fallbackWatch.failures)")
            XCTAssertTrue(fallbackWatch.failures.first?.hasPrefix("TLS failed") ?? false, "\(fallbackWatch.failures)")
            XCTAssertEqual(fallbackWatch.connections, 0)
        }
    }
}
