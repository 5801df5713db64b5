import Foundation
import Gateway
import XCTest
import YAMLConfig

final class ConfigurationTests: XCTestCase {
    private func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-config-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testTheExampleInTheDocsLoads() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/configuration.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let yaml = try XCTUnwrap(text.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
        let configuration = try GatewayConfiguration.load(path: try write(yaml))
        XCTAssertEqual(configuration.heartbeatInterval, 300)
        XCTAssertEqual(configuration.handshakeTimeout, 30)
        XCTAssertEqual(configuration.chargePoints.first?.id, "NIO-SH-0001")
        XCTAssertEqual(configuration.idTags.map(\.status), [.accepted, .blocked])
        XCTAssertEqual(configuration.idTags.first?.expiryDate, Date(timeIntervalSince1970: 1_798_761_600))
        XCTAssertEqual(configuration.policies.map(\.validation), [.strict, .lenient, nil])
        XCTAssertEqual(configuration.policy(network: nil, model: "DC-120").tolerances.energyShortfallFactor, 50)
        XCTAssertEqual(configuration.tolerances.energyShortfallFactor, 20)
        XCTAssertEqual(configuration.validation(network: "xpeng", model: "S5"), .lenient)
        XCTAssertEqual(configuration.validation(network: "nio", model: "ES8"), .strict)
        XCTAssertEqual(configuration.clockTolerance, 300)
        XCTAssertEqual(configuration.localList, .init(push: .off, maxEntriesPerSend: 100))
        XCTAssertEqual(configuration.security.tls?.clientCA, "pki/ca.pem")
        XCTAssertEqual(configuration.chargePoints.first?.securityProfile, 1)
        XCTAssertEqual(configuration.upstream?.url, "wss://csms.example.com/ocpp")
        XCTAssertEqual(configuration.upstream?.connectsPerSecond, 200)
    }

    func testAnUpstreamThatIsNoWebSocketURLIsAnErrorNamingTheKey() throws {
        let path = try write("upstream: { url: \"http://csms.example.com/ocpp\", mirrors: [\"ws://ok/ocpp\", \"ftp://no\"] }\n")
        XCTAssertThrowsError(try GatewayConfiguration.load(path: path)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("upstream.url must be a ws:// or wss:// URL"), text)
            XCTAssertTrue(text.contains("upstream.mirrors[1]"), text)
        }
    }

    func testAnEmptyFileIsAnErrorNamingTheFile() throws {
        let path = try write("")
        XCTAssertThrowsError(try GatewayConfiguration.load(path: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix(path), "\(error)")
        }
    }

    func testAnUnknownKeyIsAnErrorWithFileAndLine() throws {
        let path = try write("heartbeatInterval: 60\nchargePoints:\n  - id: A\n    pasword: x\n")
        XCTAssertThrowsError(try GatewayConfiguration.load(path: path)) { error in
            let error = error as? YAMLConfigError
            XCTAssertEqual(error?.line, 4)
            XCTAssertTrue(error?.message.contains("unknown key \"pasword\"") ?? false, "\(String(describing: error))")
        }
    }

    func testAWrongTypeIsAnErrorWithFileAndLine() throws {
        let path = try write("validation: lenient\nheartbeatInterval: often\n")
        XCTAssertThrowsError(try GatewayConfiguration.load(path: path)) { error in
            let error = error as? YAMLConfigError
            XCTAssertEqual(error?.line, 2)
            XCTAssertTrue(error?.message.contains("heartbeatInterval") ?? false, "\(String(describing: error))")
        }
    }

    func testOutOfRangeValuesAreRejected() throws {
        let path = try write("heartbeatInterval: 0\n")
        XCTAssertThrowsError(try GatewayConfiguration.load(path: path)) { error in
            XCTAssertTrue("\(error)".contains("heartbeatInterval must be between 1 and 604800 s"), "\(error)")
        }
    }

    func testTheStoreWALLimitIsReadInMiBAndRangeChecked() throws {
        XCTAssertEqual(try GatewayConfiguration.load(path: write("store: {walLimitMB: 16}\n")).store.walLimitBytes, 16 << 20)
        XCTAssertEqual(GatewayConfiguration().store.walLimitMB, 64)
        XCTAssertThrowsError(try GatewayConfiguration.load(path: write("store: {walLimitMB: 0}\n"))) { error in
            XCTAssertTrue("\(error)".contains("store.walLimitMB must be between 1 and 65536"), "\(error)")
        }
        let log = try GatewayConfiguration.load(path: write("store: {logSegmentMB: 8, logSealSeconds: 2.5}\n")).store
        XCTAssertEqual([log.logSegmentMB, Int(log.logSealSeconds * 2)], [8, 5])
        XCTAssertThrowsError(try GatewayConfiguration.load(path: write("store: {logSegmentMB: 0, logSealSeconds: 0}\n"))) { error in
            XCTAssertTrue("\(error)".contains("store.logSegmentMB must be between 1 and 4096"), "\(error)")
            XCTAssertTrue("\(error)".contains("store.logSealSeconds must be between 0.1 and 3600"), "\(error)")
        }
    }
}
