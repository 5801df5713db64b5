import Foundation
import Gateway
import OCPP
import XCTest

/// Two 2.0.1 stations of one site (raw test stations: the simulator's 2.0.1 stations obey
/// profiles only once its smart charging lands): each gets a TxProfile naming its own
/// transaction id on its EVSE, with its share.
final class V201LoadManagementTests: XCTestCase {
    func testEach201StationIsPushedATxProfileForItsOwnTransaction() async throws {
        var configuration = GatewayConfiguration()
        configuration.chargePoints = ["V201-LM-A", "V201-LM-B"].map { id in
            var pile = GatewayConfiguration.KnownChargePoint(id: id)
            pile.station = "hub201"
            pile.maxPowerKW = 60
            return pile
        }
        configuration.sites = [SiteSettings(id: "hub201", gridLimitKW: 50)]
        try await GatewayHarness.with(configuration) { harness in
            var stations: [TestChargePoint] = []
            for (id, ref) in [("V201-LM-A", "tx-a"), ("V201-LM-B", "tx-b")] {
                let station = try await harness.connect(id, subprotocols: ["ocpp2.0.1"])
                station.respond(to: "SetChargingProfile", with: ["status": "Accepted"])
                let boot = try await station.call(
                    V201.BootNotification.self, .init(chargingStation: .init(model: "S201", vendorName: "TestVendor"), reason: .powerUp))
                XCTAssertEqual(boot.status, .accepted)
                let power = V201.MeterValue(
                    sampledValue: [V201.SampledValue(value: 60_000, measurand: .powerActiveImport, unitOfMeasure: .init(unit: "W"))], timestamp: Date())
                _ = try await station.call(
                    V201.TransactionEvent.self,
                    .init(
                        eventType: .started, timestamp: Date(), triggerReason: .authorized, seqNo: 0,
                        transactionInfo: .init(transactionId: ref, chargingState: .charging), meterValue: [power], evse: V201.EVSE(id: 1, connectorId: 1),
                        idToken: V201.IdToken(idToken: "TAG-\(ref)", type: .iso14443)))
                stations.append(station)
            }
            // Both hold half of 47.5 kW, each in a profile naming its own transaction.
            let shared = try await harness.eventually(10) {
                harness.gateway.site("hub201")?.piles.map { $0.limitKW ?? 0 } == [23.75, 23.75]
            }
            XCTAssertTrue(shared, "\(harness.gateway.site("hub201")?.piles.map { ($0.chargePointId, $0.limitKW ?? -1) } ?? [])")
            for (station, ref) in zip(stations, ["tx-a", "tx-b"]) {
                let last = try XCTUnwrap(station.received.last { $0.action == "SetChargingProfile" }?.payload)
                XCTAssertEqual(last["evseId"], 1)
                XCTAssertEqual(last[path: "chargingProfile.transactionId"], .string(ref))
                XCTAssertEqual(last[path: "chargingProfile.chargingProfilePurpose"], "TxProfile")
                XCTAssertEqual(last[path: "chargingProfile.chargingSchedule.0.chargingRateUnit"], "W")
                XCTAssertEqual(last[path: "chargingProfile.chargingSchedule.0.chargingSchedulePeriod.0.limit"]?.doubleValue, 23_750)
            }
            let held = try await harness.gateway.chargingProfiles("V201-LM-A")
            XCTAssertEqual(held.map(\.purpose), ["TxProfile"], "the accepted profile is in the gateway's store")
            XCTAssertEqual(held.first?.transactionId, "tx-a")
        }
    }
}
