import Foundation
import Gateway
import OCPP
import OCPPWebSocket
import SessionStore
import Simulator
import XCTest

/// The simulated 1.6 pile plays Reservation, Local Auth List Management and Smart Charging
/// with real effect, per its profile's `featureProfiles`.
final class SimulatedFeatureProfilesTests: SimulationTestCase {
    func connectorStatus(_ harness: GatewayHarness, _ pile: String, _ connector: Int = 1) async throws -> String? {
        try await harness.store.chargePoint(id: pile)?.connectors.first { $0.connectorId == connector }?.status
    }

    func testAReservationHoldsTheConnectorForItsTagAndTheStartCarriesTheReservationId() async throws {
        try await withHarness { harness in
            let id = "NIO-RES-1"
            let pile = try await startPile(harness, identity: id)
            let now = try await pile.run { $0.now }
            let reserve = try await harness.gateway.call(
                id, V16.ReserveNow.self, .init(connectorId: 1, expiryDate: now.addingTimeInterval(7200), idTag: "RES-A", reservationId: 41))
            XCTAssertEqual(reserve.status, .Accepted)
            let reserved = try await harness.eventually(5) { try await self.connectorStatus(harness, id) == "Reserved" }
            XCTAssertTrue(reserved, "the gateway did not see the connector Reserved")
            // Held for someone else: another reservation is Occupied; connector 0 is not supported by default.
            let other = try await harness.gateway.call(
                id, V16.ReserveNow.self, .init(connectorId: 1, expiryDate: now.addingTimeInterval(7200), idTag: "RES-B", reservationId: 42))
            XCTAssertEqual(other.status, .Occupied)
            let zero = try await harness.gateway.call(
                id, V16.ReserveNow.self, .init(connectorId: 0, expiryDate: now.addingTimeInterval(7200), idTag: "RES-B", reservationId: 43))
            XCTAssertEqual(zero.status, .Rejected)

            // Another driver plugs in and swipes: nothing starts, the connector stays Reserved.
            let car = try vehicle("su7-max")
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 20, targetSoC: 25, idTag: "OTHER-1") }
            try await Task.sleep(nanoseconds: 1_000_000_000)
            let idle = try await pile.run { $0.session(on: 1)?.transaction == nil && $0.status(of: 1) == .Reserved }
            XCTAssertTrue(idle, "another tag started on a reserved connector")
            let none = try await sessions(harness, id)
            XCTAssertTrue(none.isEmpty)

            // The reserved driver swipes: the start carries the reservation, which is used up.
            pile.execute { $0.swipe(connector: 1, idTag: "RES-A") }
            let started = try await harness.eventually(10) { try await self.sessions(harness, id).first?.idTag == "RES-A" }
            XCTAssertTrue(started)
            let session = try await sessions(harness, id).first
            XCTAssertEqual(session?.reservationId, 41)
            let held = try await pile.run { $0.reservation(on: 1) == nil }
            XCTAssertTrue(held, "the reservation was not used up")
            let cancel = try await harness.gateway.call(id, V16.CancelReservation.self, .init(reservationId: 41))
            XCTAssertEqual(cancel.status, .Rejected)
        }
    }

    func testAGatewayReservationIsHeldByTheSimulatedPileAndUsedByItsAccountsScan() async throws {
        var configuration = GatewayConfiguration()
        configuration.accounts = [.init(id: "alice", idTag: "ALICE-TAG"), .init(id: "bob", idTag: "BOB-TAG")]
        try await withHarness(configuration) { harness in
            let id = "NIO-RES-API"
            let pile = try await startPile(harness, identity: id)
            let now = try await pile.run { $0.now }
            let made = await harness.api(
                "POST", "/api/reservations",
                json: ["chargePointId": .string(id), "connectorId": 1, "account": "alice", "expiryDate": .string(OCPPTimestamp.format(now.addingTimeInterval(7200)))])
            XCTAssertEqual(made.status, 201, made.text)
            XCTAssertEqual(made.json[path: "status"], "accepted", made.text)
            let reservation = try XCTUnwrap(made.json[path: "id"]?.intValue)
            let reserved = try await harness.eventually(5) { try await self.connectorStatus(harness, id) == "Reserved" }
            XCTAssertTrue(reserved)
            // Alice's car plugs in; the connector stays Reserved until her scan starts it.
            let car = try vehicle("byd-han")
            try await pile.run { $0.plugIn(connector: 1, vehicle: car, soc: 30, targetSoC: 35) }
            let view = await harness.api("GET", "/api/chargepoints/\(id)")
            let qr = try XCTUnwrap(view.json[path: "connectors.1.qr"]?.stringValue, view.text)
            let scan = await harness.api("POST", "/api/scan", json: ["qr": .string(qr), "account": "alice"])
            XCTAssertLessThan(scan.status, 300, scan.text)
            let used = try await harness.eventually(10) {
                await harness.api("GET", "/api/reservations/\(reservation)").json[path: "status"] == "used"
            }
            XCTAssertTrue(used, "the pile's start did not use the gateway's reservation")
            let session = try await sessions(harness, id).first
            XCTAssertEqual(session?.reservationId, Int(reservation))
            XCTAssertEqual(session?.idTag, "ALICE-TAG")
        }
    }

    func testAReservationExpiresOnThePileClockAndCanBeCancelled() async throws {
        try await withHarness { harness in
            let id = "NIO-RES-2"
            let pile = try await startPile(harness, identity: id)
            var now = try await pile.run { $0.now }
            // Ten simulated minutes: one second at speed 600.
            let short = try await harness.gateway.call(
                id, V16.ReserveNow.self, .init(connectorId: 1, expiryDate: now.addingTimeInterval(600), idTag: "RES-C", reservationId: 51))
            XCTAssertEqual(short.status, .Accepted)
            let reserved = try await harness.eventually(5) { try await self.connectorStatus(harness, id) == "Reserved" }
            XCTAssertTrue(reserved)
            let expired = try await harness.eventually(10) { try await self.connectorStatus(harness, id) == "Available" }
            XCTAssertTrue(expired, "the reservation did not expire")
            let gone = try await pile.run { $0.reservation(on: 1) == nil }
            XCTAssertTrue(gone)

            now = try await pile.run { $0.now }
            let long = try await harness.gateway.call(
                id, V16.ReserveNow.self, .init(connectorId: 1, expiryDate: now.addingTimeInterval(36_000), idTag: "RES-D", reservationId: 52))
            XCTAssertEqual(long.status, .Accepted)
            _ = try await harness.eventually(5) { try await self.connectorStatus(harness, id) == "Reserved" }
            let unknown = try await harness.gateway.call(id, V16.CancelReservation.self, .init(reservationId: 99))
            XCTAssertEqual(unknown.status, .Rejected)
            let cancelled = try await harness.gateway.call(id, V16.CancelReservation.self, .init(reservationId: 52))
            XCTAssertEqual(cancelled.status, .Accepted)
            let available = try await harness.eventually(5) { try await self.connectorStatus(harness, id) == "Available" }
            XCTAssertTrue(available)

            // A faulted connector answers Faulted.
            pile.execute { $0.fault(connector: 1) }
            _ = try await harness.eventually(5) { try await self.connectorStatus(harness, id) == "Faulted" }
            let faulted = try await harness.gateway.call(
                id, V16.ReserveNow.self, .init(connectorId: 1, expiryDate: now.addingTimeInterval(36_000), idTag: "RES-E", reservationId: 53))
            XCTAssertEqual(faulted.status, .Faulted)
        }
    }

    func testScriptedOutcomesOverrideThePilesAnswers() async throws {
        try await withHarness { harness in
            let id = "NIO-OUT-1"
            let pile = try await startPile(harness, identity: id)
            let now = try await pile.run { $0.now }
            // `run`, not `execute`: the outcome must be in place before the call is read.
            try await pile.run {
                $0.setOutcome("ReserveNow", "Rejected")
                $0.setOutcome("UnlockConnector", "UnlockFailed")
            }
            let reserve = try await harness.gateway.call(
                id, V16.ReserveNow.self, .init(connectorId: 1, expiryDate: now.addingTimeInterval(3600), idTag: "RES-F", reservationId: 61))
            XCTAssertEqual(reserve.status, .Rejected)
            let unlock = try await harness.gateway.unlockConnector(id, connectorId: 1)
            XCTAssertEqual(unlock, .UnlockFailed)
            try await pile.run { $0.setOutcome("ReserveNow", nil) }
            let again = try await harness.gateway.call(
                id, V16.ReserveNow.self, .init(connectorId: 1, expiryDate: now.addingTimeInterval(3600), idTag: "RES-F", reservationId: 61))
            XCTAssertEqual(again.status, .Accepted)
        }
    }

    func testTheLocalListIsVersionedAndStartsItsTagsOffline() async throws {
        try await withHarness { harness in
            let id = "NIO-LL-1"
            let pile = try await startPile(harness, identity: id)
            func version() async throws -> Int { try await harness.gateway.call(id, V16.GetLocalListVersion.self, .init()).listVersion }
            func send(_ version: Int, _ type: V16.UpdateType, _ entries: [V16.AuthorizationData]) async throws -> V16.UpdateStatus {
                try await harness.gateway.call(id, V16.SendLocalList.self, .init(listVersion: version, localAuthorizationList: entries, updateType: type)).status
            }
            let empty = try await version()
            XCTAssertEqual(empty, 0)
            let full = try await send(3, .Full, [.init(idTag: "LOCAL-OK", idTagInfo: .init(status: .Accepted)), .init(idTag: "LOCAL-BLOCKED", idTagInfo: .init(status: .Blocked))])
            XCTAssertEqual(full, .Accepted)
            let three = try await version()
            XCTAssertEqual(three, 3)
            let stale = try await send(3, .Differential, [.init(idTag: "LOCAL-2", idTagInfo: .init(status: .Accepted))])
            XCTAssertEqual(stale, .VersionMismatch)
            let diff = try await send(4, .Differential, [.init(idTag: "LOCAL-BLOCKED"), .init(idTag: "LOCAL-2", idTagInfo: .init(status: .Accepted))])
            XCTAssertEqual(diff, .Accepted)
            let four = try await version()
            XCTAssertEqual(four, 4)
            let tooMany = try await send(5, .Full, (0..<300).map { .init(idTag: "T-\($0)", idTagInfo: .init(status: .Accepted)) })
            XCTAssertEqual(tooMany, .Failed)

            let keys = try await harness.gateway.getConfiguration(id, keys: ["LocalAuthListMaxLength", "SendLocalListMaxLength", "SupportedFeatureProfiles"])
            XCTAssertEqual(keys.configurationKey?.map(\.key), ["LocalAuthListMaxLength", "SendLocalListMaxLength", "SupportedFeatureProfiles"])
            XCTAssertEqual(keys.configurationKey?.last?.value, "Core,FirmwareManagement,RemoteTrigger,Reservation,LocalAuthListManagement,SmartCharging")
            let disable = try await harness.gateway.changeConfiguration(id, key: "LocalAuthListEnabled", value: "false")
            XCTAssertEqual(disable, .Accepted)
            let off = try await version()
            XCTAssertEqual(off, -1)
            _ = try await harness.gateway.changeConfiguration(id, key: "LocalAuthListEnabled", value: "true")

            // Offline: a tag not on the list does not start; one Accepted on it does, its StartTransaction queued.
            pile.execute { $0.dropConnection(offlineFor: 1800) }
            let offline = try await harness.eventually(5) { try await pile.run { !$0.isConnected } }
            XCTAssertTrue(offline)
            let car = try vehicle("byd-han")
            let unknownStarted = try await pile.run { pile in
                pile.plugIn(connector: 1, vehicle: car, soc: 30, targetSoC: 33, idTag: "STRANGER-9")
                return pile.session(on: 1)?.transaction != nil
            }
            XCTAssertFalse(unknownStarted, "a tag not on the local list started offline")
            let blockedStarted = try await pile.run { pile in
                pile.swipe(connector: 1, idTag: "LOCAL-BLOCKED")  // removed by the Differential update
                return pile.session(on: 1)?.transaction != nil
            }
            XCTAssertFalse(blockedStarted)
            let localStarted = try await pile.run { pile in
                pile.swipe(connector: 1, idTag: "local-ok")  // id tags compare case-insensitively
                return pile.session(on: 1)?.transaction != nil
            }
            XCTAssertTrue(localStarted, "a tag Accepted on the local list did not start offline")
            let recorded = try await harness.eventually(20) { try await self.sessions(harness, id).first?.status == .completed }
            XCTAssertTrue(recorded, "the offline session was not delivered after the reconnect")
            let all = try await sessions(harness, id)
            XCTAssertEqual(all.map(\.idTag), ["local-ok"])
            try await harness.store.flush()
            let authorizes = try await frames(harness, id).filter { $0.action == "Authorize" }
            XCTAssertTrue(authorizes.isEmpty, "offline starts send no Authorize")
        }
    }

    func testAChargingProfileCapsThePowerAndShowsInTheCompositeSchedule() async throws {
        try await withHarness { harness in
            let id = "NIO-SC-1"
            let pile = try await startPile(harness, identity: id)
            func profile(_ id: Int, _ purpose: V16.ChargingProfilePurposeType, limit: Double, unit: V16.ChargingRateUnitType = .W) -> V16.ChargingProfile {
                .init(
                    chargingProfileId: id, stackLevel: 0, chargingProfilePurpose: purpose, chargingProfileKind: .Relative,
                    chargingSchedule: .init(chargingRateUnit: unit, chargingSchedulePeriod: [.init(startPeriod: 0, limit: limit)]))
            }
            let noTransaction = try await harness.gateway.call(id, V16.SetChargingProfile.self, .init(connectorId: 1, csChargingProfiles: profile(1, .TxProfile, limit: 10_000)))
            XCTAssertEqual(noTransaction.status, .Rejected)
            let maxOnGun = try await harness.gateway.call(id, V16.SetChargingProfile.self, .init(connectorId: 1, csChargingProfiles: profile(2, .ChargePointMaxProfile, limit: 10_000)))
            XCTAssertEqual(maxOnGun.status, .Rejected)
            let set = try await harness.gateway.call(id, V16.SetChargingProfile.self, .init(connectorId: 0, csChargingProfiles: profile(3, .TxDefaultProfile, limit: 50_000)))
            XCTAssertEqual(set.status, .Accepted)

            let composite = try await harness.gateway.call(id, V16.GetCompositeSchedule.self, .init(connectorId: 1, duration: 3600, chargingRateUnit: .W))
            XCTAssertEqual(composite.status, .Accepted)
            XCTAssertEqual(composite.chargingSchedule?.chargingSchedulePeriod.first?.limit, 50_000)
            XCTAssertEqual(composite.chargingSchedule?.chargingRateUnit, .W)

            let car = try vehicle("su7-max")
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 10, targetSoC: 40, idTag: "SMART-1") }
            let active = try await harness.eventually(10) { try await self.sessions(harness, id).first?.status == .active }
            XCTAssertTrue(active)
            func peak() async throws -> Double {
                guard let session = try await self.sessions(harness, id).first else { return 0 }
                let detail = try await harness.store.session(id: session.id)
                return (detail?.samples ?? []).filter { $0.measurand == "Power.Active.Import" }.map(\.value).max() ?? 0
            }
            let drawing = try await harness.eventually(10) { try await peak() > 40_000 }
            XCTAssertTrue(drawing, "the car draws up to the default profile's limit")
            // A TxProfile in amperes, a stack level up, wins over the default: 40 A at the pack's 871 V.
            let tx = try await pile.run { $0.session(on: 1)?.transaction?.id }
            var amps = profile(4, .TxProfile, limit: 40, unit: .A)
            amps.stackLevel = 1
            amps.transactionId = tx
            let txSet = try await harness.gateway.call(id, V16.SetChargingProfile.self, .init(connectorId: 1, csChargingProfiles: amps))
            XCTAssertEqual(txSet.status, .Accepted)
            let during = try await harness.gateway.call(id, V16.GetCompositeSchedule.self, .init(connectorId: 1, duration: 600, chargingRateUnit: .W))
            XCTAssertEqual(during.chargingSchedule?.chargingSchedulePeriod.first?.limit, 34_840)
            let done = try await harness.eventually(30) { try await self.sessions(harness, id).first?.status == .completed }
            XCTAssertTrue(done)
            let first = try await sessions(harness, id).first?.id
            let sessionId = try XCTUnwrap(first)
            let detail = try await harness.store.session(id: sessionId)
            let power = (detail?.samples ?? []).filter { $0.measurand == "Power.Active.Import" }.map(\.value)
            XCTAssertFalse(power.isEmpty)
            XCTAssertLessThanOrEqual(power.max() ?? .infinity, 50_000)
            XCTAssertLessThanOrEqual(power.last ?? .infinity, 34_840, "the TxProfile caps the rest of the session")
            // The TxProfile ended with its transaction; the default is in force again.
            let after = try await harness.gateway.call(id, V16.GetCompositeSchedule.self, .init(connectorId: 1, duration: 600))
            XCTAssertEqual(after.chargingSchedule?.chargingSchedulePeriod.first?.limit, 50_000)

            let unknown = try await harness.gateway.call(id, V16.ClearChargingProfile.self, .init(id: 999))
            XCTAssertEqual(unknown.status, .Unknown)
            let cleared = try await harness.gateway.call(id, V16.ClearChargingProfile.self, .init(chargingProfilePurpose: .TxDefaultProfile))
            XCTAssertEqual(cleared.status, .Accepted)
            let open = try await harness.gateway.call(id, V16.GetCompositeSchedule.self, .init(connectorId: 1, duration: 3600))
            XCTAssertEqual(open.chargingSchedule?.chargingSchedulePeriod.first?.limit, 640_000, "the pile's own maximum without a profile")
        }
    }

    func testActionsOfAFeatureProfileThePileDoesNotListAreNotSupported() async throws {
        try await withHarness { harness in
            let id = "NIO-CORE-1"
            _ = try await startPile(harness, identity: id) { $0.featureProfiles = [.Core] }
            func refused<A: OCPPAction>(_ action: A.Type, _ request: A.Request) async throws {
                do {
                    _ = try await harness.gateway.call(id, action, request)
                    XCTFail("\(A.name) was answered")
                } catch RPCCallError.rejected(let error) {
                    XCTAssertEqual(error.code, .notSupported, A.name)
                }
            }
            try await refused(V16.ReserveNow.self, .init(connectorId: 1, expiryDate: Date().addingTimeInterval(3600), idTag: "R", reservationId: 1))
            try await refused(V16.SendLocalList.self, .init(listVersion: 1, updateType: .Full))
            try await refused(V16.GetCompositeSchedule.self, .init(connectorId: 1, duration: 60))
            try await refused(V16.TriggerMessage.self, .init(requestedMessage: .Heartbeat))
            let keys = try await harness.gateway.getConfiguration(id, keys: ["SupportedFeatureProfiles", "LocalAuthListEnabled"])
            XCTAssertEqual(keys.configurationKey?.first?.value, "Core")
            XCTAssertEqual(keys.unknownKey, ["LocalAuthListEnabled"])
        }
    }
}
