import Foundation
import XCTest

@testable import OCPP

/// Encodes both payloads with `A.encode`, decodes them back strictly (from the JSON value
/// and from its text) and expects equal values and no deviations.
func assertRoundTrip<A: OCPPAction>(
    _: A.Type, _ request: A.Request, _ response: A.Response, file: StaticString = #filePath, line: UInt = #line
) where A.Request: Equatable, A.Response: Equatable {
    do {
        let requestJSON = A.encode(request)
        let (decodedRequest, requestDeviations) = try A.decodeRequest(requestJSON, mode: .strict)
        XCTAssertEqual(decodedRequest, request, "\(A.name) request", file: file, line: line)
        XCTAssertEqual(requestDeviations, [], "\(A.name) request", file: file, line: line)
        XCTAssertEqual(try A.decodeRequest(JSONParser.parse(requestJSON.text), mode: .strict).0, request, file: file, line: line)

        let responseJSON = A.encode(response)
        let (decodedResponse, responseDeviations) = try A.decodeResponse(responseJSON, mode: .strict)
        XCTAssertEqual(decodedResponse, response, "\(A.name) response", file: file, line: line)
        XCTAssertEqual(responseDeviations, [], "\(A.name) response", file: file, line: line)
        XCTAssertEqual(
            try A.decodeResponse(JSONParser.parse(responseJSON.text), mode: .strict).0, response, file: file, line: line)
    } catch {
        XCTFail("\(A.name): \(error)", file: file, line: line)
    }
}

final class V16MessageTests: XCTestCase {
    /// Every action with a round-trip test below; checked against the catalog.
    static let covered: [any OCPPAction.Type] = [
        V16.Authorize.self, V16.BootNotification.self, V16.ChangeAvailability.self, V16.ChangeConfiguration.self,
        V16.ClearCache.self, V16.DataTransfer.self, V16.GetConfiguration.self, V16.Heartbeat.self, V16.MeterValues.self,
        V16.RemoteStartTransaction.self, V16.RemoteStopTransaction.self, V16.Reset.self, V16.StartTransaction.self,
        V16.StatusNotification.self, V16.StopTransaction.self, V16.UnlockConnector.self, V16.TriggerMessage.self,
    ]

    let now = Date(timeIntervalSince1970: 1_718_446_830)
    let later = Date(timeIntervalSince1970: 1_718_450_430.5)

    var accepted: V16.IdTagInfo { V16.IdTagInfo(status: .Accepted, expiryDate: later, parentIdTag: "FLEET-7") }

    var energyReading: V16.MeterValue {
        V16.MeterValue(
            timestamp: now,
            sampledValue: [
                V16.SampledValue(
                    value: "12345.6", context: .samplePeriodic, format: .Raw, measurand: .energyActiveImportRegister,
                    location: .Outlet, unit: .Wh),
                V16.SampledValue(value: "230.1", measurand: .voltage, phase: .l1N, unit: .V),
                V16.SampledValue(value: "21.5", measurand: .temperature, location: .Body, unit: .Celcius),
            ])
    }

    /// Core and Remote Trigger here, the other profiles in V16ProfilesTests.
    func testEveryCatalogActionHasARoundTripTest() {
        XCTAssertEqual(Set((Self.covered + V16ProfilesTests.covered).map { $0.name }), Set(V16.catalog.names))
        XCTAssertEqual(Self.covered.count, 17)
        XCTAssertEqual(V16.catalog.names.count, 39)
    }

    func testAuthorizeRoundTripsStrictly() {
        assertRoundTrip(V16.Authorize.self, .init(idTag: "B4A63CDF"), .init(idTagInfo: accepted))
    }

    func testBootNotificationRoundTripsStrictly() {
        assertRoundTrip(
            V16.BootNotification.self,
            .init(
                chargePointVendor: "VendorX", chargePointModel: "SingleSocketCharger", chargePointSerialNumber: "SN-000123",
                chargeBoxSerialNumber: "CB-42", firmwareVersion: "1.8.3-rc2", iccid: "8931440400012345678",
                imsi: "204043312345678",
                meterType: "DZG DVH4013", meterSerialNumber: "MTR-991"),
            .init(status: .Accepted, currentTime: now, interval: 300))
    }

    func testChangeAvailabilityRoundTripsStrictly() {
        assertRoundTrip(V16.ChangeAvailability.self, .init(connectorId: 0, type: .Inoperative), .init(status: .Scheduled))
    }

    func testChangeConfigurationRoundTripsStrictly() {
        assertRoundTrip(
            V16.ChangeConfiguration.self, .init(key: "HeartbeatInterval", value: "300"), .init(status: .RebootRequired))
    }

    func testClearCacheRoundTripsStrictly() {
        assertRoundTrip(V16.ClearCache.self, .init(), .init(status: .Accepted))
        XCTAssertEqual(V16.ClearCache.encode(V16.ClearCache.Request()).text, "{}")
    }

    func testDataTransferRoundTripsStrictly() {
        assertRoundTrip(
            V16.DataTransfer.self, .init(vendorId: "com.example.vendor", messageId: "DisplayPrice", data: #"{"price":0.35}"#),
            .init(status: .Accepted, data: "shown"))
        assertRoundTrip(V16.DataTransfer.self, .init(vendorId: "com.example.vendor"), .init(status: .UnknownVendorId))
    }

    func testGetConfigurationRoundTripsStrictly() {
        assertRoundTrip(
            V16.GetConfiguration.self, .init(key: ["HeartbeatInterval", "NumberOfConnectors", "Foo"]),
            .init(
                configurationKey: [
                    V16.KeyValue(key: "HeartbeatInterval", readonly: false, value: "300"),
                    V16.KeyValue(key: "NumberOfConnectors", readonly: true, value: "2"),
                ],
                unknownKey: ["Foo"]))
        assertRoundTrip(V16.GetConfiguration.self, .init(), .init(configurationKey: [], unknownKey: nil))
    }

    func testHeartbeatRoundTripsStrictly() {
        assertRoundTrip(V16.Heartbeat.self, .init(), .init(currentTime: now))
        XCTAssertEqual(
            V16.Heartbeat.encode(V16.Heartbeat.Response(currentTime: now)).text, #"{"currentTime":"2024-06-15T10:20:30.000Z"}"#)
    }

    func testMeterValuesRoundTripsStrictly() {
        assertRoundTrip(V16.MeterValues.self, .init(connectorId: 1, transactionId: 170, meterValue: [energyReading]), .init())
        assertRoundTrip(V16.MeterValues.self, .init(connectorId: 0, meterValue: [energyReading, energyReading]), .init())
    }

    func testRemoteStartTransactionRoundTripsStrictly() {
        let profile = V16.ChargingProfile(
            chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: .TxProfile, chargingProfileKind: .Relative,
            recurrencyKind: nil, validFrom: now, validTo: later,
            chargingSchedule: V16.ChargingSchedule(
                duration: 3600, startSchedule: now, chargingRateUnit: .A,
                chargingSchedulePeriod: [
                    V16.ChargingSchedulePeriod(startPeriod: 0, limit: 16.0, numberPhases: 3),
                    V16.ChargingSchedulePeriod(startPeriod: 1800, limit: 10.5),
                ],
                minChargingRate: 6.0))
        assertRoundTrip(
            V16.RemoteStartTransaction.self, .init(connectorId: 1, idTag: "B4A63CDF", chargingProfile: profile),
            .init(status: .Accepted))
        assertRoundTrip(V16.RemoteStartTransaction.self, .init(idTag: "B4A63CDF"), .init(status: .Rejected))
    }

    func testRemoteStopTransactionRoundTripsStrictly() {
        assertRoundTrip(V16.RemoteStopTransaction.self, .init(transactionId: 170), .init(status: .Accepted))
    }

    func testResetRoundTripsStrictly() {
        assertRoundTrip(V16.Reset.self, .init(type: .Soft), .init(status: .Accepted))
        assertRoundTrip(V16.Reset.self, .init(type: .Hard), .init(status: .Rejected))
    }

    func testStartTransactionRoundTripsStrictly() {
        assertRoundTrip(
            V16.StartTransaction.self,
            .init(connectorId: 1, idTag: "B4A63CDF", meterStart: 12_345, reservationId: 7, timestamp: now),
            .init(idTagInfo: V16.IdTagInfo(status: .ConcurrentTx), transactionId: 170))
    }

    func testStatusNotificationRoundTripsStrictly() {
        assertRoundTrip(
            V16.StatusNotification.self,
            .init(
                connectorId: 1, errorCode: .OtherError, info: "Cable locked", status: .Faulted, timestamp: now,
                vendorId: "com.example", vendorErrorCode: "E042"),
            .init())
        assertRoundTrip(V16.StatusNotification.self, .init(connectorId: 0, status: .Available), .init())
    }

    func testStopTransactionRoundTripsStrictly() {
        var end = energyReading
        end.sampledValue[0].context = .transactionEnd
        assertRoundTrip(
            V16.StopTransaction.self,
            .init(
                idTag: "B4A63CDF", meterStop: 23_456, timestamp: later, transactionId: 170, reason: .EVDisconnected,
                transactionData: [end]),
            .init(idTagInfo: accepted))
        assertRoundTrip(V16.StopTransaction.self, .init(meterStop: 23_456, timestamp: later, transactionId: -1), .init())
    }

    func testUnlockConnectorRoundTripsStrictly() {
        assertRoundTrip(V16.UnlockConnector.self, .init(connectorId: 2), .init(status: .Unlocked))
    }

    func testTriggerMessageRoundTripsStrictly() {
        assertRoundTrip(
            V16.TriggerMessage.self, .init(requestedMessage: .StatusNotification, connectorId: 1), .init(status: .Accepted))
        assertRoundTrip(V16.TriggerMessage.self, .init(requestedMessage: .Heartbeat), .init(status: .NotImplemented))
    }

    // MARK: Encoded shape

    func testAbsentOptionalFieldsAreLeftOutOfTheEncodedPayload() {
        let json = V16.StopTransaction.encode(V16.StopTransaction.Request(meterStop: 23_456, timestamp: now, transactionId: 170))
        XCTAssertEqual(json.text, #"{"meterStop":23456,"timestamp":"2024-06-15T10:20:30.000Z","transactionId":170}"#)
        XCTAssertEqual(
            V16.BootNotification.encode(
                V16.BootNotification.Request(chargePointVendor: "VendorX", chargePointModel: "SingleSocketCharger")
            ).text,
            #"{"chargePointVendor":"VendorX","chargePointModel":"SingleSocketCharger"}"#)
    }

    func testSampledValuesEncodeWithSpecEnumSpellingsAndStringValues() {
        let json = V16.MeterValues.encode(V16.MeterValues.Request(connectorId: 1, meterValue: [energyReading]))
        let first = json["meterValue"]?[safe: 0]?["sampledValue"]?[safe: 0]
        XCTAssertEqual(first?["value"], "12345.6")
        XCTAssertEqual(first?["context"], "Sample.Periodic")
        XCTAssertEqual(first?["measurand"], "Energy.Active.Import.Register")
        XCTAssertEqual(json["meterValue"]?[safe: 0]?["sampledValue"]?[safe: 1]?["phase"], "L1-N")
    }

    func testInitiatorsMatchTheSpec() {
        XCTAssertEqual(V16.BootNotification.initiator, .chargePoint)
        XCTAssertEqual(V16.StopTransaction.initiator, .chargePoint)
        XCTAssertEqual(V16.RemoteStartTransaction.initiator, .centralSystem)
        XCTAssertEqual(V16.TriggerMessage.initiator, .centralSystem)
        XCTAssertEqual(V16.DataTransfer.initiator, .either)
    }
}
