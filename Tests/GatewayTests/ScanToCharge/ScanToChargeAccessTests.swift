import Foundation
import Gateway
import HTTPAPI
import OCPP
import OCPPWebSocket
import XCTest

/// Who may call the API: POST needs the bearer token; reads are open unless
/// `protectReads`; /health always answers.
final class ScanToChargeAccessTests: XCTestCase {
    func testMutatingEndpointsNeedTheBearerToken() async throws {
        try await GatewayHarness.with(try ScanFixtures.configuration([])) { harness in
            let body: JSON = ["qr": "pilegate://charge/v1/NIO/NIO-X/1", "account": "mi-driver-1"]
            for (path, token) in [("/api/scan", nil), ("/api/scan", "wrong-token"), ("/api/scan", "test-token-"), ("/api/sessions/1/stop", nil)]
                as [(String, String?)]
            {
                let reply = await harness.api("POST", path, json: body, token: token)
                XCTAssertEqual(reply.status, 401, "\(path) with \(token ?? "no token"): \(reply.text)")
                XCTAssertEqual(reply.errorCode, "unauthorized")
                XCTAssertEqual(reply.header("WWW-Authenticate"), "Bearer realm=\"PileGate\"")
            }
            // Not Bearer: Basic credentials are no token.
            var request = HTTPRequest(method: .POST, uri: "/api/scan", body: body.bytes)
            request.headers.add(name: "Authorization", value: "Basic " + Data("x:\(GatewayHarness.apiToken)".utf8).base64EncodedString())
            let basic = await harness.http.respond(to: request)
            XCTAssertEqual(basic.status.code, 401)
            // With the token the request gets past the door (and fails on its merits).
            let authorized = await harness.api("POST", "/api/scan", json: body)
            XCTAssertEqual(authorized.status, 404, authorized.text)
            XCTAssertEqual(authorized.errorCode, "unknown_qr")

            // Over the wire as well.
            let (status, text) = try await RawHTTP.request(
                port: harness.port,
                "POST /api/scan HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(body.bytes.count)\r\nConnection: close\r\n\r\n\(body.text)"
            )
            XCTAssertEqual(status, 401)
            XCTAssertTrue(text.lowercased().contains("www-authenticate: bearer"), text)
        }
    }

    func testReadsAreOpenByDefaultAndClosedWithProtectReadsExceptHealth() async throws {
        try await GatewayHarness.with(try ScanFixtures.configuration([])) { harness in
            let reads = ["/api/chargepoints", "/api/sessions", "/api/findings", "/api/sessions/1", "/api/recommend?vehicle=su7-max&soc=10&target=80"]
            for path in reads {
                let open = await harness.api("GET", path, token: nil)
                XCTAssertNotEqual(open.status, 401, "\(path) is open by default: \(open.text)")
            }
            let listed = await harness.api("GET", "/api/chargepoints", token: nil)
            XCTAssertEqual(listed.status, 200)

            let closed = APIResponder(
                store: harness.store, gateway: harness.gateway, access: APIAccess(token: "read-token", protectReads: true),
                metrics: MetricsExport.registry)
            for path in reads {
                let denied = await closed.call("GET", path, token: nil)
                XCTAssertEqual(denied.status, 401, "\(path) needs the token: \(denied.text)")
                XCTAssertEqual(denied.header("WWW-Authenticate"), "Bearer realm=\"PileGate\"")
                let wrong = await closed.call("GET", path, token: GatewayHarness.apiToken)
                XCTAssertEqual(wrong.status, 401, "\(path) with another gateway's token")
            }
            let allowed = await closed.call("GET", "/api/chargepoints", token: "read-token")
            XCTAssertEqual(allowed.status, 200, allowed.text)
            let headAllowed = await closed.call("HEAD", "/api/chargepoints", token: nil)
            XCTAssertEqual(headAllowed.status, 401, "HEAD is a read too")
            for path in ["/health", "/metrics", "/openapi.json", "/"] {
                let reply = await closed.call("GET", path, token: nil)
                XCTAssertEqual(reply.status, 200, "\(path) stays open: \(reply.text.prefix(200))")
            }
            let health = await closed.call("GET", "/health", token: nil)
            XCTAssertEqual(health.json["status"], "ok")
        }
    }

    func testTheConfigurationsApiSectionIsReadFromYAML() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-access-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("gateway.yaml")
        try "api:\n  token: abc\n  protectReads: true\n".write(to: file, atomically: true, encoding: .utf8)
        let configuration = try GatewayConfiguration.load(path: file.path)
        XCTAssertEqual(configuration.api.token, "abc")
        XCTAssertTrue(configuration.api.protectReads)
        XCTAssertFalse(try GatewayConfiguration.load(path: ScanFixtures.demoConfigurationPath).api.protectReads, "reads are open by default")
    }
}
