import Foundation
import Gateway
import OCPP
import SessionStore
import Simulator
import XCTest

/// POST /api/chargepoints/{id}/commands/{action}: any command of the pile's version, with
/// real effect on a simulated pile, every failure with its own status and code, and every
/// command in the pile's history.
final class OperatorCommandTests: SimulationTestCase {
    func command(_ harness: GatewayHarness, _ pile: String, _ action: String, _ payload: JSON) async -> APIReply {
        await harness.api("POST", "/api/chargepoints/\(pile)/commands/\(action)", json: payload)
    }

    func testEveryCoreCommandReachesASimulated16PileWithEffect() async throws {
        try await withHarness { harness in
            let pile = try await startPile(harness, "ykc-60", identity: "OPS-16")
            let get = await command(harness, "OPS-16", "GetConfiguration", ["key": ["HeartbeatInterval"]])
            XCTAssertEqual(get.status, 200, get.text)
            XCTAssertEqual(get.json[path: "configurationKey.0.key"], "HeartbeatInterval")
            let change = await command(harness, "OPS-16", "ChangeConfiguration", ["key": "MeterValueSampleInterval", "value": "30"])
            XCTAssertEqual(change.json[path: "status"], "Accepted", change.text)
            let reread = await command(harness, "OPS-16", "GetConfiguration", ["key": ["MeterValueSampleInterval"]])
            XCTAssertEqual(reread.json[path: "configurationKey.0.value"], "30", "the change took effect on the pile")

            let unavailable = await command(harness, "OPS-16", "ChangeAvailability", ["connectorId": 2, "type": "Inoperative"])
            XCTAssertEqual(unavailable.json[path: "status"], "Accepted", unavailable.text)
            try await harness.waitForConnector("OPS-16", 2, "Unavailable")
            _ = await command(harness, "OPS-16", "ChangeAvailability", ["connectorId": 2, "type": "Operative"])
            try await harness.waitForConnector("OPS-16", 2, "Available")

            let trigger = await command(harness, "OPS-16", "TriggerMessage", ["requestedMessage": "Heartbeat"])
            XCTAssertEqual(trigger.json[path: "status"], "Accepted", trigger.text)
            let clear = await command(harness, "OPS-16", "ClearCache", [:])
            XCTAssertEqual(clear.json[path: "status"], "Accepted")
            let unlock = await command(harness, "OPS-16", "UnlockConnector", ["connectorId": 1])
            XCTAssertEqual(unlock.status, 200, unlock.text)

            // Remote start with a tag and a connector: the pile starts a transaction there.
            let car = try vehicle("byd-han")
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 30, targetSoC: 90, idTag: nil) }
            let start = await command(harness, "OPS-16", "RemoteStartTransaction", ["idTag": "OPS-TAG", "connectorId": 1])
            XCTAssertEqual(start.json[path: "status"], "Accepted", start.text)
            let started = try await harness.eventually(10) { try await self.sessions(harness, "OPS-16").contains { $0.status == .active } }
            XCTAssertTrue(started)
            let active = try await sessions(harness, "OPS-16").first { $0.status == .active }
            let session = try XCTUnwrap(active)
            XCTAssertEqual(session.idTag, "OPS-TAG")
            let stop = await command(harness, "OPS-16", "RemoteStopTransaction", ["transactionId": .integer(session.id)])
            XCTAssertEqual(stop.json[path: "status"], "Accepted", stop.text)
            let stopped = try await harness.eventually(10) { try await harness.store.session(id: session.id)?.session.status == .completed }
            XCTAssertTrue(stopped)
            let ended = try await harness.store.session(id: session.id)?.session
            XCTAssertEqual(ended?.stopReason, "Remote")

            // A soft reset reboots the pile: it boots again.
            let boots = { try await harness.store.frames(chargePointId: "OPS-16", limit: 10_000).filter { $0.action == "BootNotification" && $0.direction == .incoming }.count }
            let before = try await boots()
            let reset = await command(harness, "OPS-16", "Reset", ["type": "Soft"])
            XCTAssertEqual(reset.json[path: "status"], "Accepted", reset.text)
            let rebooted = try await harness.eventually(15) { try await boots() > before }
            XCTAssertTrue(rebooted, "the pile booted again after the reset")

            let history = await harness.api("GET", "/api/chargepoints/OPS-16/commands?limit=100")
            let actions = history.json.arrayValue?.compactMap { $0["action"]?.stringValue } ?? []
            XCTAssertEqual(actions.first, "Reset", "newest first")
            XCTAssertEqual(Set(actions), [
                "GetConfiguration", "ChangeConfiguration", "ChangeAvailability", "TriggerMessage", "ClearCache", "UnlockConnector",
                "RemoteStartTransaction", "RemoteStopTransaction", "Reset",
            ])
            XCTAssertTrue(history.json.arrayValue?.allSatisfy { $0["outcome"] == "answered" && $0["ocppVersion"] == "1.6" } ?? false, history.text)
            XCTAssertFalse(history.text.contains(GatewayHarness.apiToken), "the history names a fingerprint, never the token")
            XCTAssertTrue(history.json[path: "0.issuedBy"]?.stringValue?.hasPrefix("token:") ?? false, history.text)
        }
    }

    func testCommandsOfTheStationsOwnVersionReachA201Station() async throws {
        try await withHarness { harness in
            _ = try await startPile(harness, "nio-640-v201", identity: "OPS-201")
            let get = await command(
                harness, "OPS-201", "GetVariables",
                ["getVariableData": [["component": ["name": "OCPPCommCtrlr"], "variable": ["name": "HeartbeatInterval"]]]])
            XCTAssertEqual(get.status, 200, get.text)
            XCTAssertEqual(get.json[path: "getVariableResult.0.attributeStatus"], "Accepted", get.text)
            // 1.6's name for it is not a 2.0.1 command; the answer lists the station's.
            let old = await command(harness, "OPS-201", "GetConfiguration", [:])
            XCTAssertEqual(old.status, 404)
            XCTAssertEqual(old.errorCode, "unknown_action")
            XCTAssertEqual(old.json[path: "error.details.ocppVersion"], "2.0.1")
            XCTAssertTrue(old.json[path: "error.details.actions"]?.arrayValue?.contains("RequestStartTransaction") ?? false, old.text)
            let trigger = await command(harness, "OPS-201", "TriggerMessage", ["requestedMessage": "Heartbeat"])
            XCTAssertEqual(trigger.json[path: "status"], "Accepted", trigger.text)
            let history = await harness.api("GET", "/api/chargepoints/OPS-201/commands")
            XCTAssertEqual(history.json.arrayValue?.compactMap { $0["ocppVersion"]?.stringValue }, ["2.0.1", "2.0.1"])
        }
    }

    func testEachWayACommandFailsHasItsOwnStatusCodeAndHistory() async throws {
        var configuration = GatewayConfiguration()
        configuration.callTimeout = 1
        try await GatewayHarness.with(configuration) { harness in
            let pile = try await harness.connect("OPS-RAW")
            _ = try await pile.boot()

            // A payload the schema refuses is not sent; the field is named.
            let bad = await command(harness, "OPS-RAW", "Reset", ["type": "Sideways"])
            XCTAssertEqual(bad.status, 400, bad.text)
            XCTAssertEqual(bad.errorCode, "invalid_payload")
            XCTAssertEqual(bad.json[path: "error.details.path"], "type")
            let missing = await command(harness, "OPS-RAW", "ChangeConfiguration", ["key": "X"])
            XCTAssertEqual(missing.json[path: "error.details.path"], "value", missing.text)
            let array = await harness.api("POST", "/api/chargepoints/OPS-RAW/commands/Reset", json: .array([]))
            XCTAssertEqual(array.status, 400)
            // A pile's own action, and a name no version has.
            for action in ["StartTransaction", "FlyToTheMoon"] {
                let unknown = await command(harness, "OPS-RAW", action, [:])
                XCTAssertEqual(unknown.status, 404, action)
                XCTAssertEqual(unknown.errorCode, "unknown_action", action)
            }
            XCTAssertTrue(pile.received.isEmpty, "nothing the gateway refused went on the wire: \(pile.received.map(\.action))")

            // What the gateway does not know still goes on the wire: the pile decides.
            pile.respond(to: "UnlockConnector", with: ["status": "NotSupported"])
            let unlock = await command(harness, "OPS-RAW", "UnlockConnector", ["connectorId": 99])
            XCTAssertEqual(unlock.status, 200, unlock.text)
            XCTAssertEqual(unlock.json[path: "status"], "NotSupported")
            XCTAssertEqual(pile.received.last?.payload["connectorId"], 99)

            pile.respond(to: "Reset", withError: RPCError(.notSupported, "no resets here"))
            let refused = await command(harness, "OPS-RAW", "Reset", ["type": "Hard"])
            XCTAssertEqual(refused.status, 502, refused.text)
            XCTAssertEqual(refused.errorCode, "pile_error")
            XCTAssertEqual(refused.json[path: "error.details.ocppErrorCode"], "NotSupported")
            XCTAssertEqual(refused.json[path: "error.details.ocppErrorDescription"], "no resets here")

            pile.respond(to: "ClearCache", with: ["status": "Maybe"])
            let odd = await command(harness, "OPS-RAW", "ClearCache", [:])
            XCTAssertEqual(odd.status, 502, odd.text)
            XCTAssertEqual(odd.errorCode, "invalid_response")
            XCTAssertEqual(odd.json[path: "error.details.response.status"], "Maybe")

            // No canned answer: the pile stays silent past the call timeout.
            let silent = await command(harness, "OPS-RAW", "GetConfiguration", [:])
            XCTAssertEqual(silent.status, 504, silent.text)
            XCTAssertEqual(silent.errorCode, "pile_timeout")

            let offline = await command(harness, "OPS-NOBODY", "Reset", ["type": "Soft"])
            XCTAssertEqual(offline.status, 409, offline.text)
            XCTAssertEqual(offline.errorCode, "pile_offline")

            let history = await harness.api("GET", "/api/chargepoints/OPS-RAW/commands")
            XCTAssertEqual(
                history.json.arrayValue?.compactMap { $0["outcome"]?.stringValue }, ["pile_timeout", "invalid_response", "pile_error", "answered"],
                "refused payloads are not commands; every one sent is, newest first")
            XCTAssertEqual(history.json[path: "2.errorCode"], "NotSupported")
            XCTAssertEqual(history.json[path: "3.payload"], #"{"connectorId":99}"#)
            XCTAssertNotNil(history.json[path: "3.latencyMs"]?.doubleValue)
            let elsewhere = await harness.api("GET", "/api/chargepoints/OPS-NOBODY/commands")
            XCTAssertEqual(elsewhere.json.arrayValue?.first?["outcome"], "pile_offline")

            let anonymous = await harness.api("POST", "/api/chargepoints/OPS-RAW/commands/Reset", json: ["type": "Soft"], token: nil)
            XCTAssertEqual(anonymous.status, 401, "commands need the API token")
        }
    }

    func testTheShortcutsSpeakEachPilesVersion() async throws {
        try await withHarness { harness in
            let pile16 = try await startPile(harness, "nio-640", identity: "OPS-S16")
            let pile201 = try await startPile(harness, "nio-640-v201", identity: "OPS-S201")
            let car = try vehicle("byd-han")
            for pile in [pile16, pile201] { pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 30, targetSoC: 90, idTag: nil) } }

            let read16 = await harness.api("GET", "/api/chargepoints/OPS-S16/configuration?key=HeartbeatInterval,NoSuchKey")
            XCTAssertEqual(read16.status, 200, read16.text)
            XCTAssertEqual(read16.json[path: "keys.0.key"], "HeartbeatInterval")
            XCTAssertEqual(read16.json[path: "keys.1.status"], "UnknownKey")
            let change16 = await harness.api("PUT", "/api/chargepoints/OPS-S16/configuration/HeartbeatInterval", json: ["value": "120"])
            XCTAssertEqual(change16.json[path: "status"], "Accepted", change16.text)
            let again16 = await harness.api("GET", "/api/chargepoints/OPS-S16/configuration?key=HeartbeatInterval")
            XCTAssertEqual(again16.json[path: "keys.0.value"], "120")

            let change201 = await harness.api("PUT", "/api/chargepoints/OPS-S201/configuration/OCPPCommCtrlr.HeartbeatInterval", json: ["value": "120"])
            XCTAssertEqual(change201.json[path: "status"], "Accepted", change201.text)
            let read201 = await harness.api("GET", "/api/chargepoints/OPS-S201/configuration?key=OCPPCommCtrlr.HeartbeatInterval")
            XCTAssertEqual(read201.json[path: "ocppVersion"], "2.0.1")
            XCTAssertEqual(read201.json[path: "keys.0.value"], "120", read201.text)
            let unnamed = await harness.api("GET", "/api/chargepoints/OPS-S201/configuration")
            XCTAssertEqual(unnamed.status, 400, "a 2.0.1 station is read by variable")
            let badKey = await harness.api("PUT", "/api/chargepoints/OPS-S201/configuration/HeartbeatInterval", json: ["value": "1"])
            XCTAssertEqual(badKey.json[path: "error.details.path"], "key", badKey.text)
            let open = await harness.api("GET", "/api/chargepoints/OPS-S16/configuration", token: nil)
            XCTAssertEqual(open.status, 401, "a read that asks the pile needs the token")

            for id in ["OPS-S16", "OPS-S201"] {
                let start = await harness.api("POST", "/api/chargepoints/\(id)/remote-start", json: ["idTag": "OPS-SHORT", "connectorId": 1])
                XCTAssertEqual(start.json[path: "response.status"], "Accepted", "\(id): \(start.text)")
                let running = try await harness.eventually(10) { try await self.sessions(harness, id).contains { $0.idTag == "OPS-SHORT" && [.active, .completed].contains($0.status) } }
                let seen = try await self.sessions(harness, id).map { "\($0.status) \($0.idTag ?? "-")" }
                XCTAssertTrue(running, "\(id) started the remote transaction: \(seen)")
            }
            let history = await harness.api("GET", "/api/chargepoints/OPS-S201/commands")
            XCTAssertEqual(history.json.arrayValue?.compactMap { $0["action"]?.stringValue }, ["RequestStartTransaction", "GetVariables", "SetVariables"])
        }
    }

    func testAnActionOfAProfileThePileDoesNotPlayIsItsCallError() async throws {
        try await withHarness { harness in
            _ = try await startPile(harness, "nio-640", identity: "OPS-PROFILE") { $0.featureProfiles = [.Core, .RemoteTrigger] }
            let reserve = await command(
                harness, "OPS-PROFILE", "ReserveNow", ["connectorId": 1, "expiryDate": "2030-01-01T00:00:00Z", "idTag": "R", "reservationId": 7])
            XCTAssertEqual(reserve.status, 502, reserve.text)
            XCTAssertEqual(reserve.json[path: "error.details.ocppErrorCode"], "NotSupported")
        }
    }
}
