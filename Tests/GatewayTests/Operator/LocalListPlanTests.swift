import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

/// The pure side of the gateway's local lists: building from accounts, differences,
/// versions and parts; and the charging-profile store's replacement and clearing rules.
final class LocalListPlanTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func testTheBuiltListCarriesBlockedAndExpiredAccountsWithTheirStatusAndTheLaterSourceWins() {
        let accounts = [
            Account(id: "a", idTag: "ALICE", vin: "LSVAA4182E2000001"), Account(id: "b", idTag: "BOB", blocked: true),
            Account(id: "c", idTag: "CAROL", expires: now.addingTimeInterval(-60)), Account(id: "d", idTag: "DAVE", expires: now.addingTimeInterval(3600)),
            Account(id: "e", idTag: String(repeating: "X", count: 21)),
        ]
        let configured = [GatewayConfiguration.IdTagEntry(idTag: "alice", status: .blocked)]
        let stored = [IdTagRecord(idTag: "FLEET-1", status: "Accepted", parentIdTag: "FLEET")]
        let list = LocalListPlan.build(accounts: accounts, configured: configured, stored: stored, maxTagLength: 20, now: now)
        XCTAssertEqual(list.map(\.idTag), ["alice", "BOB", "CAROL", "DAVE", "FLEET-1", "LSVAA4182E2000001"])
        XCTAssertEqual(list.map(\.status), ["Blocked", "Blocked", "Expired", "Accepted", "Accepted", "Accepted"])
        XCTAssertEqual(list[3].expiryDate, now.addingTimeInterval(3600))
        XCTAssertEqual(list[4].parentIdTag, "FLEET")
        let wide = LocalListPlan.build(accounts: accounts, configured: [], stored: [], maxTagLength: 36, now: now)
        XCTAssertTrue(wide.contains { $0.idTag.count == 21 }, "2.0.1 tokens may be 36 characters")
    }

    func testADifferentialNamesChangesAndRemovalsOnly() {
        let old = [LocalListEntry(idTag: "A", status: "Accepted"), LocalListEntry(idTag: "B", status: "Accepted"), LocalListEntry(idTag: "C", status: "Accepted")]
        let new = [LocalListEntry(idTag: "a", status: "Accepted"), LocalListEntry(idTag: "B", status: "Blocked"), LocalListEntry(idTag: "D", status: "Accepted")]
        let items = LocalListPlan.differential(from: old, to: new)
        XCTAssertEqual(items.map(\.idTag), ["a", "B", "C", "D"])
        XCTAssertEqual(items.map { $0.entry?.status }, ["Accepted", "Blocked", nil, "Accepted"])
        XCTAssertEqual(LocalListPlan.differential(from: new, to: new), [])
    }

    /// Property: for random old and new lists, limits and pile versions, applying the
    /// planned sends in order to what the pile holds yields the new list; versions rise by
    /// one a send, end at or above the list's version, and a Differential always exceeds
    /// the version before it.
    func testApplyingThePlannedSendsToTheOldListAlwaysYieldsTheNew() throws {
        var rng = SeededRandom(seed: 11)
        for round in 0..<500 {
            let tags = (0..<12).map { "TAG-\($0)" }
            func randomList() -> [LocalListEntry] {
                tags.filter { _ in rng.next() % 2 == 0 }.map { tag in
                    LocalListEntry(
                        idTag: rng.next() % 3 == 0 ? tag.lowercased() : tag, status: ["Accepted", "Blocked", "Expired"][Int(rng.next() % 3)],
                        expiryDate: rng.next() % 4 == 0 ? now.addingTimeInterval(Double(rng.next() % 1000)) : nil)
                }
            }
            let old = LocalListPlan.normalized(randomList())
            let new = LocalListPlan.normalized(randomList())
            let known = rng.next() % 4 != 0
            let pileVersion = Int(rng.next() % 50)
            let version = Int(rng.next() % 60) + 1
            let perSend: Int? = rng.next() % 3 == 0 ? nil : Int(rng.next() % 4) + 1
            let (sends, final) = try LocalListPlan.sends(
                to: new, version: version, held: known ? old : nil, pileVersion: pileVersion, maxPerSend: perSend, maxLength: nil)
            XCTAssertFalse(sends.isEmpty)
            var pile = old
            var pileAt = pileVersion
            for (i, send) in sends.enumerated() {
                if let perSend { XCTAssertLessThanOrEqual(send.items.count, perSend, "round \(round)") }
                XCTAssertEqual(send.updateType, i == 0 && !known ? .Full : .Differential, "round \(round)")
                if send.updateType == .Differential { XCTAssertGreaterThan(send.version, pileAt, "round \(round): a Differential must raise the version") }
                if send.updateType == .Full { XCTAssertTrue(send.items.allSatisfy { $0.entry != nil }) }
                pile = LocalListPlan.apply(send, to: pile)
                pileAt = send.version
            }
            XCTAssertEqual(pile, new, "round \(round)")
            XCTAssertEqual(sends.last?.version, final)
            XCTAssertGreaterThanOrEqual(final, version)
            XCTAssertEqual(zip(sends, sends.dropFirst()).filter { $1.version != $0.version + 1 }.count, 0)
        }
    }

    func testAListLongerThanThePileHoldsIsRefusedBeforeAnythingIsSent() {
        let list = (0..<5).map { LocalListEntry(idTag: "T\($0)", status: "Accepted") }
        XCTAssertThrowsError(try LocalListPlan.sends(to: list, version: 1, held: nil, pileVersion: 0, maxPerSend: nil, maxLength: 4)) { error in
            XCTAssertEqual(error as? LocalListPlan.PlanError, .tooLong(entries: 5, maxLength: 4))
        }
    }

    func testAnEmptyFullListIsOneSendThatClearsThePile() throws {
        let (sends, final) = try LocalListPlan.sends(to: [], version: 3, held: nil, pileVersion: 7, maxPerSend: 2, maxLength: nil)
        XCTAssertEqual(sends.map(\.updateType), [.Full])
        XCTAssertEqual(sends.first?.items, [])
        XCTAssertEqual(final, 8, "above the pile's version")
        XCTAssertEqual(LocalListPlan.apply(sends[0], to: [LocalListEntry(idTag: "X", status: "Accepted")]), [])
    }

    // MARK: charging profiles

    func profile(_ id: Int, connector: Int, purpose: String = "TxDefaultProfile", stack: Int = 0) -> ChargingProfileRecord {
        ChargingProfileRecord(
            chargePointId: "P", connectorId: connector, chargingProfileId: id, purpose: purpose, stackLevel: stack, profile: "{}", ocppVersion: "1.6",
            storedAt: now)
    }

    func testAProfileReplacesTheOneWithItsIdAndTheOneWithItsPurposeAndStackLevelOnItsConnector() {
        let held = [profile(1, connector: 1), profile(2, connector: 2), profile(3, connector: 1, stack: 1), profile(4, connector: 0, purpose: "ChargePointMaxProfile")]
        let sameId = ChargingProfileRecord.installing(profile(2, connector: 1, stack: 5), into: held)
        XCTAssertEqual(sameId.map(\.chargingProfileId).sorted(), [1, 2, 3, 4])
        XCTAssertEqual(sameId.first { $0.chargingProfileId == 2 }?.connectorId, 1, "the id moved to connector 1")
        let sameSlot = ChargingProfileRecord.installing(profile(9, connector: 1), into: held)
        XCTAssertEqual(sameSlot.map(\.chargingProfileId).sorted(), [2, 3, 4, 9], "9 took 1's purpose and stack level on connector 1")
        let otherConnector = ChargingProfileRecord.installing(profile(8, connector: 3), into: held)
        XCTAssertEqual(otherConnector.count, 5)
    }

    func testClearingByIdIgnoresTheOtherFieldsAndByCriteriaMatchesAllGiven() {
        let held = [
            profile(1, connector: 1), profile(2, connector: 2), profile(3, connector: 1, stack: 1), profile(4, connector: 0, purpose: "ChargePointMaxProfile"),
            profile(5, connector: 1, purpose: "TxProfile"),
        ]
        func left(_ filter: ChargingProfileFilter) -> [Int] { ChargingProfileRecord.clearing(filter, from: held).map(\.chargingProfileId).sorted() }
        XCTAssertEqual(left(.init(id: 3, connectorId: 2, purpose: "TxProfile")), [1, 2, 4, 5])
        XCTAssertEqual(left(.init(id: 42)), [1, 2, 3, 4, 5])
        XCTAssertEqual(left(.init(connectorId: 1)), [2, 4])
        XCTAssertEqual(left(.init(connectorId: 1, purpose: "TxDefaultProfile", stackLevel: 1)), [1, 2, 4, 5])
        XCTAssertEqual(left(.init(purpose: "TxDefaultProfile")), [4, 5])
        XCTAssertEqual(left(.init(connectorId: 0)), [1, 2, 3, 5], "connector 0 is the pile's own, not every connector")
        XCTAssertEqual(left(.init()), [])
    }
}
