import Foundation
import XCTest

@testable import Simulator

/// docs/quirks.md documents every 2.0.1 quirk, and names only 2.0.1 rules the gateway defines.
final class V201QuirkDocumentationTests: XCTestCase {
    func testQuirksDocMentionsEveryV201QuirkAndOnlyRealTxEventRules() throws {
        let doc = try String(contentsOfFile: "\(repositoryRoot)/docs/quirks.md", encoding: .utf8)
        for quirk in V201Quirk.allCases {
            XCTAssertTrue(doc.contains("`\(quirk.rawValue)`"), "docs/quirks.md does not mention `\(quirk.rawValue)`")
        }
        let rules = try String(contentsOfFile: "\(repositoryRoot)/Sources/Gateway/V201/Transactions/TransactionRules.swift", encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"`(txevent\.[a-z0-9-]+)`"#)
        let ids = pattern.matches(in: doc, range: NSRange(doc.startIndex..., in: doc)).compactMap { Range($0.range(at: 1), in: doc).map { String(doc[$0]) } }
        XCTAssertFalse(ids.isEmpty)
        for id in Set(ids) { XCTAssertTrue(rules.contains("id: \"\(id)\""), "docs/quirks.md names rule \(id), which the gateway does not define") }
    }

    func testShipped201ProfilesSpeak201AndDefaultToTheCommonTxPoints() throws {
        for id in ["nio-640-v201", "xpeng-s5-v201"] {
            let profile = try pile(id)
            XCTAssertEqual(profile.ocppVersion, .v201, id)
            XCTAssertTrue(profile.txStopPoint == ["EVConnected", "Authorized"], id)
        }
        let fleet = try XCTUnwrap(try library().fleets["mixed"])
        let versions = try Set(fleet.groups.map { try pile($0.pile).ocppVersion })
        XCTAssertEqual(versions, [.v16, .v201], "the mixed fleet has both versions")
        XCTAssertEqual(PileProfile(id: "x", network: "n", vendor: "v", model: "m", current: .dc, maxPowerKW: 1, maxCurrentA: 1, maxVoltageV: 1).txStartPoint, ["PowerPathClosed"])
    }
}
