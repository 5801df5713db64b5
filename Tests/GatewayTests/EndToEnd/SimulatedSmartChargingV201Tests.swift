import Foundation
import Gateway
import OCPP
import OCPPWebSocket
import SessionStore
import Simulator
import XCTest

/// A simulated 2.0.1 station plays functional block K with real effect, and the gateway's
/// expected composite (from the profiles it stored) agrees with the station's own.
final class SimulatedSmartChargingV201Tests: SimulationTestCase {
    func profile(_ id: Int, _ purpose: V201.ChargingProfilePurposeEnum, watts: Double, stack: Int = 0, transaction: String? = nil) -> JSON {
        var p: JSON = [
            "id": .integer(Int64(id)), "stackLevel": .integer(Int64(stack)), "chargingProfilePurpose": .string(purpose.rawValue),
            "chargingProfileKind": "Relative",
            "chargingSchedule": [["id": 1, "chargingRateUnit": "W", "chargingSchedulePeriod": [["startPeriod": 0, "limit": .number(watts)]]]],
        ]
        if let transaction, case .object(var o) = p {
            o["transactionId"] = .string(transaction)
            p = .object(o)
        }
        return p
    }

    func testAStationObeysReportsAndClearsItsProfilesAndTheGatewayExpectsTheSame() async throws {
        try await withHarness { harness in
            let id = "NIO201-SC-1"
            let pile = try await startPile(harness, "nio-640-v201", identity: id)
            let gateway = harness.gateway
            let (version, set) = try await gateway.setChargingProfile(id, connectorId: 0, profile: profile(3, .txDefaultProfile, watts: 50_000), issuedBy: "test")
            XCTAssertEqual(version, .v201)
            XCTAssertEqual(set["status"], "Accepted")
            let external = try await gateway.setChargingProfile(id, connectorId: 0, profile: profile(4, .chargingStationExternalConstraints, watts: 1000), issuedBy: "test")
            XCTAssertEqual(external.answer["status"], "Rejected", "a CSMS may not set external constraints (K01.FR.22)")

            let composite = try await gateway.call(id, V201.GetCompositeSchedule.self, .init(duration: 3600, evseId: 1, chargingRateUnit: .w))
            XCTAssertEqual(composite.status, .accepted)
            XCTAssertEqual(composite.schedule?.chargingSchedulePeriod.first?.limit, 50_000)
            let expected = try await gateway.expectedComposite(id, connector: 1, duration: 3600, unit: .watts)
            XCTAssertEqual(expected.periods.first?.limit, 50_000)

            let car = try vehicle("su7-max")
            pile.execute { $0.plugIn(connector: 1, vehicle: car, soc: 10, targetSoC: 40, idTag: "SMART-201") }
            let active = try await harness.eventually(10) { try await self.sessions(harness, id).first?.status == .active }
            XCTAssertTrue(active)
            let transaction = try await sessions(harness, id).first?.transactionRef
            let tx = try XCTUnwrap(transaction)
            let txSet = try await gateway.setChargingProfile(id, connectorId: 1, profile: profile(5, .txProfile, watts: 20_000, stack: 1, transaction: tx), issuedBy: "test")
            XCTAssertEqual(txSet.answer["status"], "Accepted")
            let during = try await gateway.call(id, V201.GetCompositeSchedule.self, .init(duration: 600, evseId: 1, chargingRateUnit: .w))
            XCTAssertEqual(during.schedule?.chargingSchedulePeriod.first?.limit, 20_000)
            // The session's times are the pile's, on its fast-forwarded clock: expect from its now.
            let pileNow = try await pile.run { $0.now }
            let expectedDuring = try await gateway.expectedComposite(id, connector: 1, duration: 600, unit: .watts, from: pileNow)
            XCTAssertEqual(expectedDuring.periods.first?.limit, 20_000, "the gateway knows the TxProfile it set for the running transaction")

            // GetChargingProfiles: the station reports what it holds in ReportChargingProfiles.
            let asked = try await gateway.call(id, V201.GetChargingProfiles.self, .init(requestId: 77, chargingProfile: .init(chargingLimitSource: [.cso])))
            XCTAssertEqual(asked.status, .accepted)
            let reported = try await harness.eventually(10) {
                try await harness.store.flush()
                return try await self.frames(harness, id).contains { $0.action == "ReportChargingProfiles" }
            }
            XCTAssertTrue(reported, "no ReportChargingProfiles arrived")

            // The next physics step obeys it, and so do the readings the gateway records from then on.
            let capped = try await harness.eventually(30) { try await pile.run { ($0.session(on: 1)?.powerKW ?? 0) > 0 && ($0.session(on: 1)?.powerKW ?? 0) <= 20.0001 } }
            XCTAssertTrue(capped, "the TxProfile caps the power")
            let recorded = try await harness.eventually(30) {
                guard let session = try await self.sessions(harness, id).first else { return false }
                let power = (try await harness.store.session(id: session.id)?.samples ?? []).filter { $0.measurand == "Power.Active.Import" }
                return power.count >= 2 && (power.last.map { $0.value > 0 && $0.value <= 20_000 } ?? false)
            }
            XCTAssertTrue(recorded, "the recorded power shows the cap")

            pile.execute { $0.unplug(connector: 1) }
            let ended = try await harness.eventually(10) { try await self.sessions(harness, id).first?.status == .completed }
            XCTAssertTrue(ended)
            let after = try await gateway.call(id, V201.GetCompositeSchedule.self, .init(duration: 600, evseId: 1, chargingRateUnit: .w))
            XCTAssertEqual(after.schedule?.chargingSchedulePeriod.first?.limit, 50_000, "the TxProfile ended with its transaction")

            let cleared = try await gateway.call(id, V201.ClearChargingProfile.self, .init(chargingProfileId: 3))
            XCTAssertEqual(cleared.status, .accepted)
            let again = try await gateway.call(id, V201.ClearChargingProfile.self, .init(chargingProfileId: 3))
            XCTAssertEqual(again.status, .unknown)
            let open = try await gateway.call(id, V201.GetCompositeSchedule.self, .init(duration: 60, evseId: 1, chargingRateUnit: .w))
            XCTAssertEqual(open.schedule?.chargingSchedulePeriod.first?.limit, 640_000, "the station's own maximum without a profile")
        }
    }
}
