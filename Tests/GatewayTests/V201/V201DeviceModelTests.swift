import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

/// B07/B08: the gateway asks for a base report; the station's NotifyReports, page by
/// page, become its stored device model, shown in the API.
final class V201DeviceModelTests: XCTestCase {
    func testABaseReportIsStoredAsTheDeviceModelAndShownInTheAPI() async throws {
        try await GatewayHarness.with { harness in
            let pile = try await harness.connect("V201-DM", subprotocols: ["ocpp2.0.1"])
            _ = try await pile.call(V201.BootNotification.self, .init(chargingStation: .init(model: "S", vendorName: "V"), reason: .powerUp))
            pile.respond(to: "GetBaseReport", with: ["status": "Accepted"])
            let asked = try await harness.gateway.call("V201-DM", V201.GetBaseReport.self, .init(requestId: 7, reportBase: .fullInventory))
            XCTAssertEqual(asked.status, .accepted)

            func data(_ component: String, evse: Int? = nil, _ variable: String, _ value: String, unit: String? = nil) -> V201.ReportData {
                V201.ReportData(
                    component: .init(name: component, evse: evse.map { V201.EVSE(id: $0) }), variable: .init(name: variable),
                    variableAttribute: [.init(type: .actual, value: value, mutability: .readWrite)],
                    variableCharacteristics: .init(dataType: .integer, supportsMonitoring: false, unit: unit))
            }
            _ = try await pile.call(
                V201.NotifyReport.self,
                .init(requestId: 7, generatedAt: Date(), seqNo: 0, reportData: [data("OCPPCommCtrlr", "HeartbeatInterval", "300", unit: "s")], tbc: true))
            _ = try await pile.call(
                V201.NotifyReport.self,
                .init(requestId: 7, generatedAt: Date(), seqNo: 1, reportData: [data("EVSE", evse: 1, "Power", "120000", unit: "W")]))
            try await harness.store.flush()
            let model = await harness.api("GET", "/api/chargepoints/V201-DM/device-model")
            XCTAssertEqual(model.status, 200, model.text)
            let rows = try XCTUnwrap(model.json.arrayValue)
            XCTAssertEqual(rows.count, 2, model.text)
            XCTAssertEqual(rows.first?["component"], "EVSE")
            XCTAssertEqual(rows.first?["evseId"], 1)
            XCTAssertEqual(rows.first?["value"], "120000")
            XCTAssertEqual(rows.last?["variable"], "HeartbeatInterval")
            XCTAssertEqual(rows.last?["mutability"], "ReadWrite")
            // A later report replaces what it names.
            _ = try await pile.call(
                V201.NotifyReport.self,
                .init(requestId: 8, generatedAt: Date(), seqNo: 0, reportData: [data("OCPPCommCtrlr", "HeartbeatInterval", "60", unit: "s")]))
            try await harness.store.flush()
            let again = try await harness.store.deviceModel(chargePointId: "V201-DM")
            XCTAssertEqual(again.count, 2)
            XCTAssertEqual(again.first { $0.variable == "HeartbeatInterval" }?.value, "60")
        }
    }
}
