import Foundation
import Gateway
import XCTest

/// docs/rules.md and the rule catalogue say the same thing.
final class RulesDocTests: XCTestCase {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/rules.md")
    static let begin = "<!-- rules:begin -->\n"
    static let end = "<!-- rules:end -->"

    func testTheRulesDocListsExactlyTheCatalogue() throws {
        let text = try String(contentsOf: Self.docs, encoding: .utf8)
        let start = try XCTUnwrap(text.range(of: Self.begin), "docs/rules.md lost its begin marker")
        let stop = try XCTUnwrap(text.range(of: Self.end, range: start.upperBound..<text.endIndex), "docs/rules.md lost its end marker")
        let table = FindingRule.markdownTable()
        if ProcessInfo.processInfo.environment["PILEGATE_WRITE_DOCS"] == "1" {
            try (text[..<start.upperBound] + table + text[stop.lowerBound...]).write(to: Self.docs, atomically: true, encoding: .utf8)
            return
        }
        XCTAssertEqual(
            String(text[start.upperBound..<stop.lowerBound]), table,
            "docs/rules.md is out of date: PILEGATE_WRITE_DOCS=1 swift test --filter RulesDocTests")
    }

    func testRuleIdsAreUniqueAndEveryRuleIsDocumentedCompletely() {
        let ids = FindingRule.catalog.map(\.id)
        XCTAssertEqual(Set(ids).count, ids.count, "duplicate rule ids")
        for rule in FindingRule.catalog {
            XCTAssertNotNil(rule.id.range(of: #"^[a-z]+\.[a-z0-9-]+$"#, options: .regularExpression), rule.id)
            XCTAssertFalse(rule.summary.isEmpty, rule.id)
            XCTAssertFalse(rule.reference.isEmpty, rule.id)
        }
    }

    func testEarlierRuleIdsKeepTheirNames() {
        // Reports and users' scripts rely on these ids; renaming one is a breaking change.
        let stable = [
            "transport.missing-subprotocol", "transport.oversized-message", "transport.keepalive-timeout", "rpc.call-timeout",
            "rpc.schema-violation", "payload.timestamp-off-spec", "session.duplicate-start", "session.duplicate-stop",
            "session.stop-unknown-transaction", "session.meter-values-unknown-transaction", "session.meter-stop-below-start",
        ]
        let ids = Set(FindingRule.catalog.map(\.id))
        for id in stable { XCTAssertTrue(ids.contains(id), id) }
    }
}
