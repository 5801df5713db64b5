import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

/// GET /api/compatibility: findings by network × model × firmware × rule, beside the
/// group's piles and sessions.
final class CompatibilityAPITests: XCTestCase {
    func testFindingsAreAggregatedByNetworkModelFirmwareAndRule() async throws {
        var configuration = GatewayConfiguration()
        configuration.chargePoints = [
            .init(id: "NIO-A", network: "nio"), .init(id: "NIO-B", network: "nio"), .init(id: "XP-A", network: "xpeng"),
        ]
        try await GatewayHarness.with(configuration) { harness in
            func boot(_ model: String, firmware: String) -> Script.Step {
                .call("BootNotification", #"{"chargePointVendor":"V","chargePointModel":"\#(model)","firmwareVersion":"\#(firmware)"}"#)
            }
            // Two NIO piles of one model and firmware: one illegal transition each, one with a session.
            let nioA = try await harness.connect("NIO-A")
            try await Script([boot("P640", firmware: "3.1"), Frames.status(1, "Available"), Frames.status(1, "Finishing")])
                .play(on: harness, as: nioA)
            let nioB = try await harness.connect("NIO-B")
            try await Script([
                boot("P640", firmware: "3.1"), Frames.status(1, "Available"), Frames.status(1, "Finishing"), Frames.status(1, "Available"),
                Frames.start(),
                Frames.status(1, "Charging"), Frames.meter(wh: "1500"), Frames.meter(wh: "1400"), Frames.stop(meterStop: 2000),
            ]).play(on: harness, as: nioB, idTag: "NIO-B")
            // An XPeng pile with no finding at all still shows, with its pile and session counts.
            let xpeng = try await harness.connect("XP-A")
            try await Script([
                boot("S5", firmware: "2.0"), Frames.status(1, "Available"), Frames.start(), Frames.status(1, "Charging"),
                Frames.stop(meterStop: 1500),
            ]).play(on: harness, as: xpeng, idTag: "XP-A")
            _ = try await harness.finding("session.energy-register-decreased", for: "NIO-B")
            try await harness.store.flush()

            let (status, body) = try await harness.get("/api/compatibility")
            XCTAssertEqual(status, 200)
            let groups = try XCTUnwrap(body["networks"]?.arrayValue)
            let nio = try XCTUnwrap(groups.first { $0["network"] == "nio" })
            XCTAssertEqual(nio["model"], "P640")
            XCTAssertEqual(nio["firmware"], "3.1")
            XCTAssertEqual(nio["piles"], 2)
            XCTAssertEqual(nio["sessions"], 1)
            let findings = try XCTUnwrap(nio["findings"]?.arrayValue)
            let illegal = try XCTUnwrap(findings.first { $0["rule"] == "status.illegal-transition" })
            XCTAssertEqual(illegal["severity"], "warning")
            XCTAssertEqual(illegal["count"], 2)
            XCTAssertEqual(illegal["piles"], 2)
            XCTAssertEqual(illegal["sessions"], 0, "before any transaction, no session")
            let first = try XCTUnwrap(illegal["firstSeen"]?.stringValue.flatMap { OCPPTimestamp.parse($0)?.date })
            let last = try XCTUnwrap(illegal["lastSeen"]?.stringValue.flatMap { OCPPTimestamp.parse($0)?.date })
            XCTAssertLessThanOrEqual(first, last)
            let energy = try XCTUnwrap(findings.first { $0["rule"] == "session.energy-register-decreased" })
            XCTAssertEqual(energy["count"], 1)
            XCTAssertEqual(energy["piles"], 1)
            XCTAssertEqual(energy["sessions"], 1)
            // The latest finding of the rule says what broke it and links the frames that show it.
            let latest = try XCTUnwrap(energy["latest"])
            XCTAssertTrue(latest["detail"]?.stringValue?.contains("1400 Wh") ?? false, "\(latest)")
            XCTAssertEqual(latest["chargePointId"], "NIO-B")
            let link = try XCTUnwrap(latest["evidence"]?.stringValue)
            XCTAssertEqual(link, "/api/chargepoints/NIO-B/messages?messageId=\(latest["messageId"]?.stringValue ?? "?")")
            let (linkStatus, frames) = try await harness.get(link)
            XCTAssertEqual(linkStatus, 200)
            let sent = (frames.arrayValue ?? []).compactMap { $0["frame"] }
            XCTAssertEqual(sent.map { $0.arrayValue?.first }, [2, 3], "the CALL and its answer: \(sent)")
            XCTAssertEqual(sent.first?.arrayValue?.last?["meterValue"]?.arrayValue?.first?["sampledValue"]?.arrayValue?.first?["value"], "1400")
            XCTAssertEqual(latest["sessionLink"]?.stringValue, "/api/sessions/\(latest["sessionId"]?.intValue ?? -1)")
            let (_, pileFindings) = try await harness.get("/api/chargepoints/NIO-B/findings")
            XCTAssertTrue(pileFindings.arrayValue?.contains { $0["evidence"]?.stringValue == link } ?? false, "the pile's findings link the same evidence")

            let xp = try XCTUnwrap(groups.first { $0["network"] == "xpeng" })
            XCTAssertEqual(xp["model"], "S5")
            XCTAssertEqual(xp["piles"], 1)
            XCTAssertEqual(xp["sessions"], 1)
            XCTAssertEqual(xp["findings"]?.arrayValue ?? [JSON.null], [], "a clean pile has no findings")

            let rules = try XCTUnwrap(body["rules"]?.arrayValue)
            XCTAssertEqual(rules.compactMap { $0["id"]?.stringValue }, FindingRule.catalog.map(\.id))
            let transition = try XCTUnwrap(rules.first { $0["id"] == "status.illegal-transition" })
            XCTAssertEqual(transition["strictReply"], "PropertyConstraintViolation")
            XCTAssertEqual(rules.first { $0["id"] == "rpc.call-timeout" }?["strictReply"], .null)
        }
    }

    func testAnEmptyStoreAnswersAnEmptyReportWithTheCatalogue() async throws {
        try await GatewayHarness.with { harness in
            let (status, body) = try await harness.get("/api/compatibility")
            XCTAssertEqual(status, 200)
            XCTAssertEqual(body["networks"], .array([]))
            XCTAssertEqual(body["rules"]?.arrayValue?.count, FindingRule.catalog.count)
        }
    }
}
