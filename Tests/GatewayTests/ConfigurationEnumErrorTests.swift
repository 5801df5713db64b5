import Foundation
import Gateway
import XCTest
import YAMLConfig

/// A value an enumerated key of the gateway configuration does not take names the file,
/// the line, the key, the value and the values it does take.
final class ConfigurationEnumErrorTests: XCTestCase {
    private func message(_ text: String) throws -> String? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pilegate-config-\(UUID().uuidString).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            _ = try GatewayConfiguration.load(path: file.path)
            return nil
        } catch {
            return error.description.replacingOccurrences(of: file.path, with: "gateway.yaml")
        }
    }

    func testEveryEnumeratedKeyListsWhatItTakes() throws {
        let cases: [(String, String)] = [
            ("heartbeatInterval: 60\nvalidation: strictt\n", #"gateway.yaml:2: validation: "strictt" is not allowed here; allowed: strict, lenient"#),
            ("unknownChargePoints: nope\n", #"gateway.yaml:1: unknownChargePoints: "nope" is not allowed here; allowed: accept, pending, reject, refuse"#),
            (
                "idTags:\n  - idTag: A\n    status: Blockd\n",
                #"gateway.yaml:3: idTags[0].status: "Blockd" is not allowed here; allowed: Accepted, Blocked, Expired, Invalid, ConcurrentTx, NoCredit, NotAllowedTypeEVSE, NotAtThisLocation, NotAtThisTime, Unknown"#
            ),
            ("chargePoints:\n  - id: A\n    current: dcc\n", #"gateway.yaml:3: chargePoints[0].current: "dcc" is not allowed here; allowed: ac, dc"#),
            ("policies:\n  - { network: nio, validation: strictx }\n", #"gateway.yaml:2: policies[0].validation: "strictx" is not allowed here; allowed: strict, lenient"#),
            (
                "tariffs:\n  - tiers: { flat: { electricity: 1, service: 1 } }\n    schedule:\n      - { from: \"00:00\", to: \"24:00\", tier: flatt }\n",
                #"gateway.yaml:4: tariffs[0].schedule[0].tier: "flatt" is not allowed here; allowed: sharp, peak, flat, valley"#
            ),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try message(text), expected)
        }
    }
}
