import Foundation
import Gateway
import NIOCore
import OCPP
import OCPPWebSocket
import SessionStore
import XCTest

/// The relay in front of real chargers: TLS on both legs, a pile's password checked by the
/// backend through the relay, a pile that comes back while its queue is still being
/// delivered, and the backend's findings in the compatibility report.
final class RelaySecurityTests: XCTestCase {
    func testBothLegsOverTLSWithThePilesPasswordCheckedByTheBackend() async throws {
        let password = "0123456789abcdef0123"
        try await SecureGateway.with({ configuration, _ in
            var pile = GatewayConfiguration.KnownChargePoint(id: "CP-TLS", password: password)
            pile.securityProfile = 2
            configuration.chargePoints = [pile]
        }) { backend in
            try await SecureGateway.with(pki: backend.pki, { configuration, pki in
                var upstream = UpstreamSettings(url: backend.tlsEndpoint)
                upstream.ca = pki.caFile
                configuration.upstream = upstream
            }) { relay in
                let wrong = try await relay.login("CP-TLS", tls: true, password: "wrong-password-00000")
                XCTAssertEqual(wrong, 401, "the backend's refusal, through the relay")
                var client = OCPPClientConfiguration(endpoint: relay.tlsEndpoint, identity: "CP-TLS")
                client.password = password
                client.tls = try relay.pki.client(certificateOf: nil)
                let peer = try await OCPPClient.connect(client, group: relay.running.group) { _ in }
                let boot = try await peer.call(
                    V16.BootNotification.self, .init(chargePointVendor: "V", chargePointModel: "TLS", firmwareVersion: "1"))
                XCTAssertEqual(boot.status, .Accepted)
                peer.close()
                // The backend answers the boot before its record of the pile is written: wait for it, bounded.
                var model: JSON?
                for _ in 0..<100 where model == nil {
                    model = try await backend.request("GET", "/chargepoints/CP-TLS").json?["model"]
                    if model == nil { try await Task.sleep(nanoseconds: 50_000_000) }
                }
                XCTAssertEqual(model, "TLS", "the boot reached the backend over TLS")
            }
        }
    }

    func testAPileThatReconnectsWhileItsQueueIsDeliveredLosesAndRepeatsNothing() async throws {
        let backend = try await GatewayHarness.start()
        let port = backend.port
        let backendDirectory = backend.directory
        try await backend.shutdown(keepFiles: true)
        try await GatewayHarness.with(RelayRig.configuration(backendPort: port)) { relay in
            var sent: [String] = []
            for round in 1...2 {
                let pile = try await relay.connect("CP-AGAIN")
                for n in 1...2 {
                    let id = "mv-\(round)-\(n)"
                    sent.append(id)
                    pile.peer.sendRaw(#"[2, "\#(id)", "MeterValues", {"connectorId": 1, "meterValue": [{"timestamp": "2026-12-03T08:00:00Z", "sampledValue": [{"value": "\#(n)"}]}]}]"#)
                    _ = try await relay.reply(from: pile, to: id)
                }
                try await pile.vanish()
            }
            let pile = try await relay.connect("CP-AGAIN")
            let back = try await GatewayHarness.start(directory: backendDirectory, tweak: { $0.port = port })
            let delivered = try await back.eventually(10) { try await RelayRig.calls(in: back.store, "CP-AGAIN").count >= sent.count }
            try await Task.sleep(for: .milliseconds(300))  // room for a duplicate to show
            let ids = try await RelayRig.calls(in: back.store, "CP-AGAIN").compactMap(\.messageId)
            pile.peer.close()
            try await back.shutdown()
            XCTAssertTrue(delivered)
            XCTAssertEqual(ids, sent)
        }
    }

    func testTheBackendsFindingsAreInTheCompatibilityReport() async throws {
        let backend = FakeBackend(answer: RelayBackendTests.misbehaving)
        try await backend.start()
        defer { Task { try? await backend.stop() } }
        try await GatewayHarness.with(RelayRig.configuration(backendPort: backend.port)) { relay in
            let pile = try await relay.connect("CP-REPORTED")
            pile.peer.sendRaw(#"[2, "hb-1", "Heartbeat", {}]"#)
            _ = try await relay.reply(from: pile, to: "hb-1")
            _ = try await relay.finding("backend.unknown-error-code", for: "CP-REPORTED")
            let report = try await relay.get("/api/compatibility")
            XCTAssertEqual(report.status, 200)
            XCTAssertTrue(report.body.text.contains("backend.unknown-error-code"), report.body.text)
        }
    }
}
