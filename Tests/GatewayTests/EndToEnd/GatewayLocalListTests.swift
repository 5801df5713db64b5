import Foundation
import Gateway
import OCPP
import OCPPWebSocket
import SessionStore
import Simulator
import XCTest

/// The gateway's own local lists and charging-profile store against simulated 1.6 piles
/// over loopback: pushed from the accounts at boot, used offline, kept in step through the
/// API, and profiles stored as the pile accepts them.
final class GatewayLocalListTests: SimulationTestCase {
    func configuration(push: GatewayConfiguration.LocalListSettings.Push = .auto) -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        configuration.accounts = [
            .init(id: "alice", idTag: "ALICE-TAG"), .init(id: "bob", idTag: "BOB-TAG", blocked: true),
            .init(id: "carol", idTag: "CAROL-TAG", expires: Date().addingTimeInterval(-3600)),
        ]
        configuration.localList = .init(push: push, maxEntriesPerSend: 2)
        return configuration
    }

    func testTheAccountsListIsPushedAtBootInPartsAndAListedTagChargesOfflineWhileABlockedOneDoesNot() async throws {
        try await withHarness(configuration()) { harness in
            let id = "NIO-GLL-1"
            let pile = try await startPile(harness, identity: id)
            let pushed = try await harness.eventually(10) { try await harness.store.localList(chargePointId: id)?.inSync == true }
            XCTAssertTrue(pushed, "the list was not pushed after the boot")
            let stored = try await harness.store.localList(chargePointId: id)
            let list = try XCTUnwrap(stored)
            XCTAssertEqual(list.entries.map(\.status), ["Accepted", "Blocked", "Expired"])
            XCTAssertEqual(list.maxPerSend, 250, "learned from the pile's SendLocalListMaxLength")
            XCTAssertEqual(list.maxLength, 1000, "and LocalAuthListMaxLength")
            let onPile = try await pile.run { $0.localListVersion }
            XCTAssertEqual(onPile, list.version)
            let commands = try await harness.store.commands(chargePointId: id, limit: 20).reversed().map(\.action)
            XCTAssertEqual(
                commands, ["GetLocalListVersion", "GetConfiguration", "SendLocalList", "SendLocalList"],
                "every message in the command history: three entries, at most two a message (maxEntriesPerSend)")

            // The view; a second boot (or sync) sends nothing: the pile holds the list.
            let view = await harness.api("GET", "/api/chargepoints/\(id)/local-list")
            XCTAssertEqual(view.json[path: "inSync"], true, view.text)
            XCTAssertEqual(view.json[path: "entries.1.idTagInfo.status"], "Blocked")
            XCTAssertEqual(view.json[path: "lastAnswer.status"], "Accepted")
            let again = await harness.api("POST", "/api/chargepoints/\(id)/local-list/sync")
            XCTAssertEqual(again.json[path: "upToDate"], true, again.text)
            let reported = await harness.api("GET", "/api/chargepoints/\(id)/local-list/version")
            XCTAssertEqual(reported.json[path: "listVersion"], .integer(Int64(list.version)), reported.text)
            // What the pile says of its list is kept: with its list switched off it reports -1.
            for enabled in ["false", "true"] {
                let changed = await harness.api(
                    "POST", "/api/chargepoints/\(id)/commands/ChangeConfiguration", json: ["key": "LocalAuthListEnabled", "value": .string(enabled)])
                XCTAssertEqual(changed.json[path: "status"], "Accepted", changed.text)
                let asked = await harness.api("GET", "/api/chargepoints/\(id)/local-list/version")
                let expected: JSON = enabled == "false" ? -1 : .integer(Int64(list.version))
                XCTAssertEqual(asked.json[path: "listVersion"], expected, asked.text)
                let kept = await harness.api("GET", "/api/chargepoints/\(id)/local-list")
                XCTAssertEqual(kept.json[path: "pileVersion.listVersion"], expected, kept.text)
            }

            // Offline: alice's tag starts, bob's (blocked) and a stranger's do not.
            pile.execute { $0.dropConnection(offlineFor: 1800) }
            let offline = try await harness.eventually(5) { try await pile.run { !$0.isConnected } }
            XCTAssertTrue(offline)
            let car = try vehicle("byd-han")
            let refused = try await pile.run { pile in
                pile.plugIn(connector: 1, vehicle: car, soc: 30, targetSoC: 33, idTag: "BOB-TAG")
                let bob = pile.session(on: 1)?.transaction != nil
                pile.swipe(connector: 1, idTag: "STRANGER")
                return bob || pile.session(on: 1)?.transaction != nil
            }
            XCTAssertFalse(refused, "a blocked or unlisted tag started offline")
            let started = try await pile.run { pile in
                pile.swipe(connector: 1, idTag: "alice-tag")
                return pile.session(on: 1)?.transaction != nil
            }
            XCTAssertTrue(started, "a listed tag did not start offline")
            let recorded = try await harness.eventually(20) { try await self.sessions(harness, id).first?.status == .completed }
            XCTAssertTrue(recorded, "the offline session was not delivered after the reconnect")
            let all = try await sessions(harness, id)
            XCTAssertEqual(all.map(\.idTag), ["alice-tag"])
        }
    }

    func testAnExplicitListGoesAsADifferentialAndAFullResetsAndAVersionMismatchIsFollowedByAFull() async throws {
        try await withHarness(configuration(push: .off)) { harness in
            let id = "NIO-GLL-2"
            let pile = try await startPile(harness, identity: id)
            try await Task.sleep(nanoseconds: 300_000_000)
            let none = try await harness.store.commands(chargePointId: id, limit: 10)
            XCTAssertTrue(none.isEmpty, "push: off sends nothing at boot")
            let first = await harness.api("POST", "/api/chargepoints/\(id)/local-list/sync")
            XCTAssertEqual(first.status, 200, first.text)
            XCTAssertEqual(first.json[path: "sent.0.updateType"], "Full", "the pile's version was 0")
            XCTAssertEqual(first.json[path: "sent.1.updateType"], "Differential", "the third entry in a second part")
            XCTAssertEqual(first.json[path: "sent.1.answer"], "Accepted")
            let v = try XCTUnwrap(first.json[path: "list.version"]?.intValue)

            let put = await harness.api(
                "PUT", "/api/chargepoints/\(id)/local-list",
                json: ["entries": [["idTag": "ALICE-TAG", "idTagInfo": ["status": "Accepted"]], ["idTag": "DAN", "idTagInfo": ["status": "Accepted"]]]])
            XCTAssertEqual(put.status, 200, put.text)
            XCTAssertEqual(put.json[path: "source"], "explicit")
            XCTAssertEqual(put.json[path: "version"], .integer(v + 1))
            XCTAssertEqual(put.json[path: "inSync"], false)
            XCTAssertEqual(put.json[path: "sync"], .null, "push: off")
            let diff = await harness.api("POST", "/api/chargepoints/\(id)/local-list/sync", json: ["updateType": "Differential"])
            XCTAssertEqual(diff.json[path: "sent.0.updateType"], "Differential", diff.text)
            XCTAssertEqual(diff.json[path: "sent.0.entries"], 2, "DAN added, BOB-TAG removed")
            XCTAssertEqual(diff.json[path: "sent.1.entries"], 1, "CAROL-TAG removed")
            let held = try await pile.run { pile in pile.localListVersion }
            XCTAssertEqual(held, Int(try XCTUnwrap(diff.json[path: "list.version"]?.intValue)))
            let sent = try await harness.store.commands(chargePointId: id, limit: 1).first
            XCTAssertEqual(sent?.action, "SendLocalList")

            // An operator's own SendLocalList with the very version the gateway's list has: the
            // gateway no longer knows what the pile holds, and the next sync is a Full.
            let accepted = try XCTUnwrap(diff.json[path: "list.acceptedVersion"]?.intValue)
            let own = await harness.api(
                "POST", "/api/chargepoints/\(id)/commands/SendLocalList",
                json: ["listVersion": .integer(accepted), "updateType": "Full", "localAuthorizationList": [["idTag": "SOMEONE", "idTagInfo": ["status": "Accepted"]]]])
            XCTAssertEqual(own.json[path: "status"], "Accepted", own.text)
            let unknown = await harness.api("GET", "/api/chargepoints/\(id)/local-list")
            XCTAssertEqual(unknown.json[path: "inSync"], false, unknown.text)
            XCTAssertEqual(unknown.json[path: "acceptedVersion"], .null)
            let full = await harness.api("POST", "/api/chargepoints/\(id)/local-list/sync")
            XCTAssertEqual(full.json[path: "sent.0.updateType"], "Full", full.text)

            // The pile lost track (its list replaced behind the gateway's back): Full.
            _ = try await harness.gateway.call(id, V16.SendLocalList.self, .init(listVersion: 999, localAuthorizationList: [], updateType: .Full))
            _ = await harness.api("PUT", "/api/chargepoints/\(id)/local-list", json: ["source": "accounts"])
            let resync = await harness.api("POST", "/api/chargepoints/\(id)/local-list/sync")
            XCTAssertEqual(resync.json[path: "pileVersionBefore"], 0, resync.text)
            XCTAssertEqual(resync.json[path: "sent.0.updateType"], "Full")
            // A Differential the pile refuses as stale is followed by a Full.
            try await pile.run { $0.setOutcome("SendLocalList", "VersionMismatch") }
            _ = await harness.api("PUT", "/api/chargepoints/\(id)/local-list", json: ["entries": [["idTag": "EVE"]]])
            let mismatch = await harness.api("POST", "/api/chargepoints/\(id)/local-list/sync")
            XCTAssertEqual(mismatch.json[path: "sent.0.answer"], "VersionMismatch", mismatch.text)
            XCTAssertEqual(mismatch.json[path: "sent.1.updateType"], "Full")
            try await pile.run { $0.setOutcome("SendLocalList", nil) }

            let bad = await harness.api("PUT", "/api/chargepoints/\(id)/local-list", json: ["entries": [["idTag": "A"], ["idTag": "a"]]])
            XCTAssertEqual(bad.status, 400, bad.text)
            let long = await harness.api("PUT", "/api/chargepoints/\(id)/local-list", json: ["entries": [["idTag": .string(String(repeating: "L", count: 21))]]])
            XCTAssertEqual(long.status, 400, long.text)
            let neither = await harness.api("PUT", "/api/chargepoints/\(id)/local-list", json: ["source": "accounts", "entries": []])
            XCTAssertEqual(neither.status, 400)
            let badType = await harness.api("POST", "/api/chargepoints/\(id)/local-list/sync", json: ["updateType": "Partial"])
            XCTAssertEqual(badType.status, 400)
            let offline = await harness.api("POST", "/api/chargepoints/NOBODY/local-list/sync")
            XCTAssertEqual(offline.status, 409, offline.text)
        }
    }

    func testASimulated201StationTakesTheListAndReportsItsVersion() async throws {
        try await withHarness(configuration()) { harness in
            let id = "NIO-GLL-201"
            _ = try await startPile(harness, "nio-640-v201", identity: id)
            let pushed = try await harness.eventually(10) { try await harness.store.localList(chargePointId: id)?.inSync == true }
            XCTAssertTrue(pushed, "the list was not pushed after the 2.0.1 boot")
            let list = await harness.api("GET", "/api/chargepoints/\(id)/local-list")
            XCTAssertEqual(list.json[path: "entries.2.idTagInfo.status"], "Expired", list.text)
            let commands = try await harness.store.commands(chargePointId: id, limit: 20).reversed().map { $0.action + " " + ($0.response ?? "") }
            XCTAssertEqual(
                commands, ["GetLocalListVersion {\"versionNumber\":0}", "SendLocalList {\"status\":\"Accepted\"}", "SendLocalList {\"status\":\"Accepted\"}"],
                "a Full of two entries and a Differential of one (maxEntriesPerSend), no GetConfiguration at 2.0.1")
            let version = await harness.api("GET", "/api/chargepoints/\(id)/local-list/version")
            XCTAssertEqual(version.json[path: "ocppVersion"], "2.0.1")
            XCTAssertEqual(version.json[path: "listVersion"], list.json[path: "version"], version.text)
            // An explicit list goes as a Differential from the version the station holds.
            _ = await harness.api("PUT", "/api/chargepoints/\(id)/local-list", json: ["entries": [["idTag": "ZED"]]])
            let after = await harness.api("GET", "/api/chargepoints/\(id)/local-list")
            XCTAssertEqual(after.json[path: "inSync"], true, after.text)
            XCTAssertEqual(after.json[path: "lastSent.updateType"], "Differential")
        }
    }

    func testAPileWithoutLocalListsIsRememberedAndNotNagged() async throws {
        try await withHarness(configuration()) { harness in
            let id = "NIO-GLL-CORE"
            _ = try await startPile(harness, identity: id) { $0.featureProfiles = [.Core] }
            let remembered = try await harness.eventually(10) { try await harness.store.localList(chargePointId: id)?.notSupported == true }
            XCTAssertTrue(remembered)
            await harness.gateway.pushLocalList(id)
            let commands = try await harness.store.commands(chargePointId: id, limit: 20)
            XCTAssertEqual(commands.map(\.action), ["GetLocalListVersion"], "asked once, then left alone")
            let asked = await harness.api("POST", "/api/chargepoints/\(id)/local-list/sync")
            XCTAssertEqual(asked.status, 502, "an operator's sync still asks, and gets the pile's CALLERROR")
            XCTAssertEqual(asked.json[path: "error.details.ocppErrorCode"], "NotSupported")
        }
    }

    func testAcceptedProfilesAreStoredReplacedClearedAndATxProfileEndsWithItsTransaction() async throws {
        try await withHarness(configuration(push: .off)) { harness in
            let id = "NIO-GCP-1"
            let pile = try await startPile(harness, identity: id)
            func profile(_ profileId: Int, _ purpose: String, stack: Int = 0, limit: Double = 50_000, transaction: Int64? = nil) -> JSON {
                let period: JSON = ["startPeriod": 0, "limit": .number(limit)]
                let schedule: JSON = ["chargingRateUnit": "W", "chargingSchedulePeriod": .array([period])]
                var p = JSONObject()
                p["chargingProfileId"] = .integer(Int64(profileId))
                p["stackLevel"] = .integer(Int64(stack))
                p["chargingProfilePurpose"] = .string(purpose)
                p["chargingProfileKind"] = "Relative"
                p["chargingSchedule"] = schedule
                if let transaction { p["transactionId"] = .integer(transaction) }
                return .object(p)
            }
            func held() async -> [JSON] { await harness.api("GET", "/api/chargepoints/\(id)/charging-profiles").json.arrayValue ?? [] }

            let set = await harness.api("POST", "/api/chargepoints/\(id)/charging-profiles", json: ["connectorId": 0, "csChargingProfiles": profile(1, "TxDefaultProfile")])
            XCTAssertEqual(set.json[path: "response.status"], "Accepted", set.text)
            XCTAssertEqual(set.json[path: "profiles.0.chargingProfileId"], 1)
            let rejected = await harness.api(
                "POST", "/api/chargepoints/\(id)/commands/SetChargingProfile", json: ["connectorId": 1, "csChargingProfiles": profile(2, "ChargePointMaxProfile")])
            XCTAssertEqual(rejected.json[path: "status"], "Rejected")
            let afterRejected = await held()
            XCTAssertEqual(afterRejected.count, 1, "a rejected profile is not stored")
            // Same purpose and stack level on the connector: replaces 1.
            _ = await harness.api(
                "POST", "/api/chargepoints/\(id)/commands/SetChargingProfile", json: ["connectorId": 0, "csChargingProfiles": profile(3, "TxDefaultProfile", limit: 40_000)])
            let replaced = await held()
            XCTAssertEqual(replaced.map { $0["chargingProfileId"] }, [3])
            let composite = try await harness.gateway.call(id, V16.GetCompositeSchedule.self, .init(connectorId: 1, duration: 600, chargingRateUnit: .W))
            XCTAssertEqual(composite.chargingSchedule?.chargingSchedulePeriod.first?.limit, 40_000, "the pile applies what the store shows")

            // A TxProfile for the running transaction, gone when it stops.
            let car = try vehicle("su7-max")
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 10, targetSoC: 14, idTag: "SMART-1") }
            let active = try await harness.eventually(10) { try await self.sessions(harness, id).first?.status == .active }
            XCTAssertTrue(active)
            let running = try await sessions(harness, id)
            let tx = try XCTUnwrap(running.first?.id)
            let txSet = await harness.api(
                "POST", "/api/chargepoints/\(id)/charging-profiles", json: ["connectorId": 1, "csChargingProfiles": profile(4, "TxProfile", stack: 1, transaction: tx)])
            XCTAssertEqual(txSet.json[path: "response.status"], "Accepted", txSet.text)
            let withTx = await held()
            XCTAssertEqual(withTx.count, 2)
            XCTAssertEqual(withTx.first { $0["purpose"] == "TxProfile" }?["transactionId"], .integer(tx), "a 1.6 transaction id, as the pile wrote it")
            let done = try await harness.eventually(30) { try await self.sessions(harness, id).first?.status == .completed }
            XCTAssertTrue(done)
            let ended = await held()
            XCTAssertEqual(ended.map { $0["chargingProfileId"] }, [3], "the TxProfile ended with its transaction")

            // Clear by criteria that match nothing: the pile says Unknown, nothing changes; then by id.
            let none = await harness.api("POST", "/api/chargepoints/\(id)/commands/ClearChargingProfile", json: ["chargingProfilePurpose": "ChargePointMaxProfile"])
            XCTAssertEqual(none.json[path: "status"], "Unknown")
            let unchanged = await held()
            XCTAssertEqual(unchanged.count, 1)
            let clear = await harness.api("POST", "/api/chargepoints/\(id)/commands/ClearChargingProfile", json: ["id": 3])
            XCTAssertEqual(clear.json[path: "status"], "Accepted")
            let cleared = await held()
            XCTAssertEqual(cleared.count, 0)
            let badConnector = await harness.api("POST", "/api/chargepoints/\(id)/charging-profiles", json: ["connectorId": -1, "csChargingProfiles": profile(5, "TxDefaultProfile")])
            XCTAssertEqual(badConnector.status, 400)
        }
    }
}
