import Foundation
import Gateway
import OCPP
import OCPPWebSocket
import PileSecurity
import SessionStore
import Simulator
import XCTest

/// Security profiles 1–3 end to end: real TLS on loopback, real handshakes, each refusal
/// with its status.
final class SecurityProfileTests: XCTestCase {
    static let password = "0123456789abcdef0123456789abcdef01234567"

    func testEachProfileLetsInItsOwnCredentialsAndNothingLess() async throws {
        try await SecureGateway.with({ configuration, pki in
            try pki.issue("CP-3")
            try pki.issue("CP-OTHER")
            configuration.chargePoints = [
                { var p = GatewayConfiguration.KnownChargePoint(id: "CP-1", password: "profile-one-password"); p.securityProfile = 1; return p }(),
                { var p = GatewayConfiguration.KnownChargePoint(id: "CP-2", password: Self.password); p.securityProfile = 2; return p }(),
                { var p = GatewayConfiguration.KnownChargePoint(id: "CP-3"); p.securityProfile = 3; return p }(),
            ]
        }) { gateway in
            // Profile 1: the password over plain ws (or TLS); a wrong or missing one is 401.
            let p1 = try await gateway.login("CP-1", tls: false, password: "profile-one-password")
            XCTAssertNil(p1)
            let p1Wrong = try await gateway.login("CP-1", tls: false, password: "wrong-password-xxxxx")
            XCTAssertEqual(p1Wrong, 401)
            let p1None = try await gateway.login("CP-1", tls: false)
            XCTAssertEqual(p1None, 401)
            // The scheme is case-insensitive (RFC 7235): a pile that writes `basic` gets in.
            let lower = try await gateway.login("CP-1", tls: false, password: "profile-one-password", scheme: "basic")
            XCTAssertNil(lower)
            // Profile 2: the password over TLS; over plain ws it is a downgrade, 403.
            let p2 = try await gateway.login("CP-2", tls: true, password: Self.password)
            XCTAssertNil(p2)
            let p2Plain = try await gateway.login("CP-2", tls: false, password: Self.password)
            XCTAssertEqual(p2Plain, 403)
            // Profile 3: its own certificate; none, another pile's, or plain ws are refused.
            let p3 = try await gateway.login("CP-3", tls: true, certificateOf: "CP-3")
            XCTAssertNil(p3)
            let p3None = try await gateway.login("CP-3", tls: true)
            XCTAssertEqual(p3None, 403)
            let p3Other = try await gateway.login("CP-3", tls: true, certificateOf: "CP-OTHER")
            XCTAssertEqual(p3Other, 403)
            let p3Plain = try await gateway.login("CP-3", tls: false)
            XCTAssertEqual(p3Plain, 403)
            // A certificate issued to one pile never logs in as another, whatever its profile.
            let borrowed = try await gateway.login("CP-2", tls: true, certificateOf: "CP-3", password: Self.password)
            XCTAssertEqual(borrowed, 403)
        }
    }

    func testExpiredAndRevokedCertificatesAreRefused() async throws {
        var revokedSerial = ""
        try await SecureGateway.with({ configuration, pki in
            try pki.issue("CP-OLD", expired: true)
            revokedSerial = try pki.issue("CP-REVOKED")
            try pki.issue("CP-GOOD")
            configuration.security.tls?.revokedSerials = [revokedSerial.uppercased()]
            configuration.security.minimumProfile = 3
        }) { gateway in
            let good = try await gateway.login("CP-GOOD", tls: true, certificateOf: "CP-GOOD")
            XCTAssertNil(good)
            // Expired: the TLS handshake itself fails (0 here: no HTTP status at all).
            let expired = try await gateway.login("CP-OLD", tls: true, certificateOf: "CP-OLD")
            XCTAssertEqual(expired, 0)
            let revoked = try await gateway.login("CP-REVOKED", tls: true, certificateOf: "CP-REVOKED")
            XCTAssertEqual(revoked, 403)
            // minimumProfile 3 holds unknown piles too.
            let unknown = try await gateway.login("CP-NOBODY", tls: false)
            XCTAssertEqual(unknown, 403)
        }
    }

    func testPasswordGuessesAreThrottledPerPileThenAllowedAgain() async throws {
        try await SecureGateway.with({ configuration, _ in
            configuration.security.maxFailedLogins = 3
            configuration.security.loginWindowSeconds = 1
            configuration.chargePoints = [.init(id: "CP-T", password: "throttled-password-1")]
        }) { gateway in
            for _ in 0..<3 {
                let status = try await gateway.login("CP-T", tls: false, password: "guess-guess-guess-1")
                XCTAssertEqual(status, 401)
            }
            let locked = try await gateway.login("CP-T", tls: false, password: "throttled-password-1")
            XCTAssertEqual(locked, 429, "the right password is not even checked while the pile is locked")
            try await Task.sleep(for: .milliseconds(1200))
            let after = try await gateway.login("CP-T", tls: false, password: "throttled-password-1")
            XCTAssertNil(after)
        }
    }

    func testPlainCanBeSwitchedOffEntirely() async throws {
        try await SecureGateway.with({ configuration, pki in
            configuration.security.plain = false
            try pki.issue("CP-1")
        }) { gateway in
            XCTAssertNil(gateway.running.tlsServer, "with plain off the TLS listener is the main one")
            XCTAssertEqual(gateway.running.tlsAddress, gateway.running.address)
            let tls = try await gateway.login("CP-1", tls: true, certificateOf: "CP-1")
            XCTAssertNil(tls)
            var configuration = OCPPClientConfiguration(endpoint: "ws://127.0.0.1:\(gateway.running.port)/ocpp", identity: "CP-1")
            configuration.connectTimeout = .seconds(2)
            do {
                _ = try await OCPPClient.connect(configuration, group: gateway.running.group) { _ in }
                XCTFail("a plain WebSocket handshake on the TLS-only port must fail")
            } catch {}
        }
    }

    func testPasswordsSetThroughTheAPIAreStoredHashedAndWinAfterARestart() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-security-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pki = try TestPKI(directory: dir.appendingPathComponent("pki"))
        let edit: (inout GatewayConfiguration, TestPKI) throws -> Void = { configuration, _ in
            configuration.chargePoints = [.init(id: "CP-API", password: "registry-password-1")]
        }
        try await SecureGateway.with(directory: dir, pki: pki, edit) { gateway in
            let short = try await gateway.request("PUT", "/chargepoints/CP-API/security", body: #"{"password": "short"}"#)
            XCTAssertEqual(short.status, 400)
            let set = try await gateway.request("PUT", "/chargepoints/CP-API/security", body: #"{"password": "api-set-password-123"}"#)
            XCTAssertEqual(set.status, 200)
            XCTAssertEqual(set.json?["hasPassword"], .bool(true))
            XCTAssertFalse(set.json?.text.contains("api-set-password") ?? true, "the password is never echoed")
            let lower = try await gateway.request("PUT", "/chargepoints/CP-API/security", body: #"{"securityProfile": 0}"#)
            XCTAssertEqual(lower.status, 409, "lowering takes allowDowngrade")
            let old = try await gateway.login("CP-API", tls: false, password: "registry-password-1")
            XCTAssertEqual(old, 401)
        }
        try await SecureGateway.with(directory: dir, pki: pki, edit) { gateway in
            let old = try await gateway.login("CP-API", tls: false, password: "registry-password-1")
            XCTAssertEqual(old, 401, "the stored password wins over the registry file")
            let new = try await gateway.login("CP-API", tls: false, password: "api-set-password-123")
            XCTAssertNil(new)
            let stored = try await gateway.running.store.credentials()
            XCTAssertEqual(stored.count, 1)
            let hash = try XCTUnwrap(stored.first?.passwordHash)
            XCTAssertTrue(hash.hasPrefix("$scrypt$"))
            XCTAssertFalse(hash.contains("api-set-password"))
        }
    }

    func testRotationTakesEffectOnlyAfterThePileAcceptsAndNeverReachesTheFrameLog() async throws {
        for version in [OCPPVersion.v16, .v201] {
            try await SecureGateway.with({ configuration, _ in
                configuration.chargePoints = [.init(id: "CP-ROT", password: Self.password)]
            }) { gateway in
                let profile = try XCTUnwrap(try SimulatedPileFixtures.profile(version == .v16 ? "nio-640" : "nio-640-v201"))
                var context = SimulationContext(endpoint: gateway.plainEndpoint, clock: VirtualClock(speed: 60))
                context.credentials = PileCredentialsSource(password: Self.password)
                let connections = ConnectionCounter()
                context.observer = connections
                let pile = PileHandle(identity: "CP-ROT", profile: profile, context: context, eventLoop: gateway.running.group.next(), seed: 1)
                pile.start()
                defer { pile.stop() }
                let booted = try await eventually(10) { try await pile.run { $0.registration == .Accepted && $0.isConnected } }
                XCTAssertTrue(booted, "\(version.label): the pile did not boot")
                let newPassword = "fedcba9876543210fedcba9876543210fedcba98"
                let rotation = try await gateway.request("POST", "/chargepoints/CP-ROT/security/rotate-password", body: "{\"password\": \"\(newPassword)\"}")
                XCTAssertEqual(rotation.status, 200)
                XCTAssertEqual(rotation.json?["applied"], .bool(true), "\(version.label): \(rotation.json?.text ?? "")")
                // The pile reconnects with the new password; the old one no longer logs in.
                let reconnected = try await eventually(15) {
                    let connected = try await pile.run { $0.isConnected }
                    return connected && connections.count >= 2
                }
                XCTAssertTrue(reconnected, "\(version.label): the pile did not come back with its new password")
                let old = try await gateway.login("CP-ROT-PROBE", tls: false, password: Self.password)
                XCTAssertNil(old, "another identity is untouched")
                let oldForPile = try await gateway.login("CP-ROT", tls: false, password: Self.password, version: version)
                XCTAssertEqual(oldForPile, 401, "\(version.label): the old password is out")
                try await gateway.running.store.flush()
                let frames = try await gateway.running.store.frames(chargePointId: "CP-ROT", limit: 10_000)
                XCTAssertFalse(frames.contains { $0.text.contains(newPassword) }, "\(version.label): the password reached the frame log")
                XCTAssertTrue(frames.contains { $0.text.contains("(redacted)") })
                let commands = try await gateway.running.store.commands(chargePointId: "CP-ROT", limit: 10)
                XCTAssertFalse(commands.contains { $0.payload.contains(newPassword) }, "\(version.label): the password reached the command history")
            }
        }
    }

    func testARotationThePileRejectsLeavesTheOldPasswordInForce() async throws {
        try await SecureGateway.with({ configuration, _ in
            configuration.chargePoints = [.init(id: "CP-NO", password: Self.password)]
        }) { gateway in
            let pile = try await TestChargePoint.connect(
                endpoint: gateway.plainEndpoint, identity: "CP-NO", group: gateway.running.group, password: Self.password)
            pile.respond(to: "ChangeConfiguration", with: ["status": "Rejected"])
            let rotation = try await gateway.request("POST", "/chargepoints/CP-NO/security/rotate-password")
            XCTAssertEqual(rotation.status, 200)
            XCTAssertEqual(rotation.json?["status"], .string("Rejected"))
            XCTAssertEqual(rotation.json?["applied"], .bool(false))
            let old = try await gateway.login("CP-NO", tls: false, password: Self.password)
            XCTAssertNil(old, "the old password stays when the pile refuses the new one")
            pile.peer.close(code: .normalClosure, reason: "done")
            let offline = try await gateway.request("POST", "/chargepoints/CP-OFFLINE/security/rotate-password")
            XCTAssertEqual(offline.status, 409, "a rotation needs the pile connected")
        }
    }

    func testTheSimulatorLogsInWithItsCertificateOverTLS() async throws {
        try await SecureGateway.with({ configuration, pki in
            try pki.issue("NIO-000001")
            configuration.chargePoints = [{ var p = GatewayConfiguration.KnownChargePoint(id: "NIO-000001"); p.securityProfile = 3; return p }()]
        }) { gateway in
            let profile = try XCTUnwrap(try SimulatedPileFixtures.profile("nio-640"))
            var context = SimulationContext(endpoint: gateway.tlsEndpoint, clock: VirtualClock(speed: 60))
            context.credentials = PileCredentialsSource(caFile: gateway.pki.caFile, certificateDirectory: gateway.pki.directory.path)
            let pile = PileHandle(identity: "NIO-000001", profile: profile, context: context, eventLoop: gateway.running.group.next(), seed: 1)
            pile.start()
            defer { pile.stop() }
            let booted = try await eventually(10) { try await pile.run { $0.registration == .Accepted && $0.isConnected } }
            XCTAssertTrue(booted, "the pile did not boot over mutual TLS")
        }
    }
}

/// Counts a pile's successful connections (a rotation makes it reconnect).
final class ConnectionCounter: PileObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var connected = 0
    var count: Int { lock.withLock { connected } }
    func pile(_ event: PileEvent) {
        if case .connected = event { lock.withLock { connected += 1 } }
    }
}

enum SimulatedPileFixtures {
    static let library: ProfileLibrary? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Simulators").path
        return try? ProfileLibrary(root: root)
    }()

    static func profile(_ id: String) throws -> PileProfile? { library?.piles[id] }
}
