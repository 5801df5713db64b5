import Foundation
import XCTest

@testable import OCPP

/// Decodes wire texts of a request and its response strictly, expecting no deviations.
func decodeWire<A: OCPPAction>(
    _: A.Type, request: String, response: String, file: StaticString = #filePath, line: UInt = #line
) throws -> (A.Request, A.Response) {
    let (req, requestDeviations) = try A.decodeRequest(JSONParser.parse(request), mode: .strict)
    let (res, responseDeviations) = try A.decodeResponse(JSONParser.parse(response), mode: .strict)
    XCTAssertEqual(requestDeviations + responseDeviations, [], A.name, file: file, line: line)
    return (req, res)
}

/// Sample payloads written the way piles and central systems send them, following the
/// field tables of the OCPP 1.6 specification (§6, Messages).
final class V16WirePayloadTests: XCTestCase {
    func date(_ text: String) throws -> Date { try XCTUnwrap(OCPPTimestamp.parse(text)?.date) }

    func testBootNotificationWirePayloadDecodes() throws {
        let (req, res) = try decodeWire(
            V16.BootNotification.self,
            request: #"{"chargePointVendor": "VendorX", "chargePointModel": "SingleSocketCharger", "firmwareVersion": "V1.02"}"#,
            response: #"{"status": "Accepted", "currentTime": "2013-02-01T20:53:32.486Z", "interval": 300}"#)
        XCTAssertEqual(
            req, .init(chargePointVendor: "VendorX", chargePointModel: "SingleSocketCharger", firmwareVersion: "V1.02"))
        XCTAssertEqual(res.status, .Accepted)
        XCTAssertEqual(res.interval, 300)
        XCTAssertEqual(OCPPTimestamp.format(res.currentTime), "2013-02-01T20:53:32.486Z")
    }

    func testHeartbeatWirePayloadDecodes() throws {
        let (_, res) = try decodeWire(V16.Heartbeat.self, request: "{}", response: #"{"currentTime":"2024-06-15T10:20:30Z"}"#)
        XCTAssertEqual(res.currentTime, Date(timeIntervalSince1970: 1_718_446_830))
    }

    func testStatusNotificationWirePayloadDecodes() throws {
        let (req, _) = try decodeWire(
            V16.StatusNotification.self,
            request: #"{"connectorId":1,"errorCode":"NoError","status":"Preparing","timestamp":"2024-06-15T10:20:30.000Z"}"#,
            response: "{}")
        XCTAssertEqual(
            req,
            .init(connectorId: 1, errorCode: .NoError, status: .Preparing, timestamp: Date(timeIntervalSince1970: 1_718_446_830)))
    }

    func testAuthorizeWirePayloadDecodes() throws {
        let (req, res) = try decodeWire(
            V16.Authorize.self, request: #"{"idTag":"044943121F1D80"}"#,
            response: #"{"idTagInfo":{"status":"Blocked","expiryDate":"2025-01-01T00:00:00Z","parentIdTag":"FLEET"}}"#)
        XCTAssertEqual(req.idTag, "044943121F1D80")
        XCTAssertEqual(res.idTagInfo, .init(status: .Blocked, expiryDate: try date("2025-01-01T00:00:00Z"), parentIdTag: "FLEET"))
    }

    func testStartTransactionWirePayloadDecodes() throws {
        let (req, res) = try decodeWire(
            V16.StartTransaction.self,
            request: #"{"connectorId":2,"idTag":"B4A63CDF","meterStart":1200,"timestamp":"2024-06-15T10:20:30.123Z"}"#,
            response: #"{"idTagInfo":{"status":"Accepted"},"transactionId":5}"#)
        XCTAssertEqual(req.connectorId, 2)
        XCTAssertEqual(req.meterStart, 1200)
        XCTAssertNil(req.reservationId)
        XCTAssertEqual(OCPPTimestamp.format(req.timestamp), "2024-06-15T10:20:30.123Z")
        XCTAssertEqual(res, .init(idTagInfo: .init(status: .Accepted), transactionId: 5))
    }

    func testMeterValuesWirePayloadDecodes() throws {
        let request = #"""
            {"connectorId":1,"transactionId":5,"meterValue":[{"timestamp":"2024-06-15T10:20:30Z","sampledValue":[
              {"value":"1234.5","context":"Sample.Periodic","format":"Raw","measurand":"Energy.Active.Import.Register",
               "location":"Outlet","unit":"kWh"},
              {"value":"16.1","measurand":"Current.Import","phase":"L1","unit":"A"},
              {"value":"50.0","measurand":"Frequency","unit":"Hertz"},
              {"value":"45","measurand":"SoC","location":"EV","unit":"Percent"}]}]}
            """#
        let (req, _) = try decodeWire(V16.MeterValues.self, request: request, response: "{}")
        XCTAssertEqual(req.transactionId, 5)
        let samples = try XCTUnwrap(req.meterValue.first?.sampledValue)
        XCTAssertEqual(samples.map(\.value), ["1234.5", "16.1", "50.0", "45"])
        XCTAssertEqual(samples[0].measurand, .energyActiveImportRegister)
        XCTAssertEqual(samples[1].phase, .L1)
        XCTAssertEqual(samples[2].unit, .Hertz)
        XCTAssertEqual(samples[3].location, .EV)
    }

    func testStopTransactionWirePayloadDecodes() throws {
        let (req, res) = try decodeWire(
            V16.StopTransaction.self,
            request: #"""
                {"meterStop":2400,"timestamp":"2024-06-15T11:20:30Z","transactionId":5,"reason":"Remote","idTag":"B4A63CDF",
                 "transactionData":[{"timestamp":"2024-06-15T11:20:30Z",
                                     "sampledValue":[{"value":"2400","context":"Transaction.End"}]}]}
                """#,
            response: "{}")
        XCTAssertEqual(req.reason, .Remote)
        XCTAssertEqual(req.transactionData?.first?.sampledValue.first?.context, .transactionEnd)
        XCTAssertNil(res.idTagInfo)
        // The pile stops on its own after a power loss: no idTag, no reason.
        let (bare, _) = try decodeWire(
            V16.StopTransaction.self, request: #"{"meterStop":2400,"timestamp":"2024-06-15T11:20:30Z","transactionId":5}"#,
            response: #"{"idTagInfo":{"status":"Invalid"}}"#)
        XCTAssertNil(bare.idTag)
        XCTAssertNil(bare.reason)
    }

    func testDataTransferWirePayloadDecodes() throws {
        let (req, res) = try decodeWire(
            V16.DataTransfer.self, request: #"{"vendorId":"com.example","messageId":"Price","data":"{\"kwh\":0.35}"}"#,
            response: #"{"status":"UnknownMessageId"}"#)
        XCTAssertEqual(req.data, #"{"kwh":0.35}"#)
        XCTAssertEqual(res.status, .UnknownMessageId)
    }

    func testRemoteStartTransactionWirePayloadDecodes() throws {
        let (req, res) = try decodeWire(
            V16.RemoteStartTransaction.self,
            request: #"""
                {"connectorId":1,"idTag":"B4A63CDF","chargingProfile":{"chargingProfileId":3,"stackLevel":0,
                 "chargingProfilePurpose":"TxProfile","chargingProfileKind":"Absolute","chargingSchedule":{
                 "chargingRateUnit":"W",
                 "chargingSchedulePeriod":[{"startPeriod":0,"limit":11000},{"startPeriod":600,"limit":7400.5}]}}}
                """#,
            response: #"{"status":"Accepted"}"#)
        let periods = try XCTUnwrap(req.chargingProfile?.chargingSchedule.chargingSchedulePeriod)
        XCTAssertEqual(periods.map(\.limit), [11000, 7400.5])
        XCTAssertEqual(req.chargingProfile?.chargingSchedule.chargingRateUnit, .W)
        XCTAssertEqual(res.status, .Accepted)
    }

    func testRemoteStopTransactionWirePayloadDecodes() throws {
        let (req, res) = try decodeWire(
            V16.RemoteStopTransaction.self, request: #"{"transactionId":5}"#, response: #"{"status":"Rejected"}"#)
        XCTAssertEqual(req.transactionId, 5)
        XCTAssertEqual(res.status, .Rejected)
    }

    func testResetAvailabilityConfigurationCacheUnlockAndTriggerWirePayloadsDecode() throws {
        XCTAssertEqual(
            try decodeWire(V16.Reset.self, request: #"{"type":"Hard"}"#, response: #"{"status":"Accepted"}"#).0.type, .Hard)
        let availability = try decodeWire(
            V16.ChangeAvailability.self, request: #"{"connectorId":0,"type":"Operative"}"#, response: #"{"status":"Scheduled"}"#)
        XCTAssertEqual(availability.0, .init(connectorId: 0, type: .Operative))
        XCTAssertEqual(availability.1.status, .Scheduled)
        let change = try decodeWire(
            V16.ChangeConfiguration.self, request: #"{"key":"MeterValueSampleInterval","value":"60"}"#,
            response: #"{"status":"NotSupported"}"#)
        XCTAssertEqual(change.1.status, .NotSupported)
        XCTAssertEqual(
            try decodeWire(V16.ClearCache.self, request: "{}", response: #"{"status":"Rejected"}"#).1.status, .Rejected)
        XCTAssertEqual(
            try decodeWire(V16.UnlockConnector.self, request: #"{"connectorId":1}"#, response: #"{"status":"UnlockFailed"}"#).1
                .status, .UnlockFailed)
        let trigger = try decodeWire(
            V16.TriggerMessage.self, request: #"{"requestedMessage":"MeterValues","connectorId":1}"#,
            response: #"{"status":"Rejected"}"#)
        XCTAssertEqual(trigger.0, .init(requestedMessage: .MeterValues, connectorId: 1))
    }

    func testGetConfigurationWirePayloadDecodes() throws {
        let (req, res) = try decodeWire(
            V16.GetConfiguration.self, request: #"{"key":["HeartbeatInterval","Bogus"]}"#,
            response: #"""
                {"configurationKey":[{"key":"HeartbeatInterval","readonly":false,"value":"300"},
                                     {"key":"ChargeProfileMaxStackLevel","readonly":true}],
                 "unknownKey":["Bogus"]}
                """#)
        XCTAssertEqual(req.key, ["HeartbeatInterval", "Bogus"])
        XCTAssertEqual(res.configurationKey?.last, .init(key: "ChargeProfileMaxStackLevel", readonly: true))
        XCTAssertEqual(res.unknownKey, ["Bogus"])
        XCTAssertNil(try decodeWire(V16.GetConfiguration.self, request: "{}", response: "{}").0.key)
    }

    // MARK: Off-spec payloads through the typed API

    func testLenientDecodeRepairsNumericSampledValueAndReportsIt() throws {
        let json = try JSONParser.parse(
            #"{"connectorId":1,"meterValue":[{"timestamp":"2024-06-15T18:20:30+08:00","sampledValue":[{"value":1234.5}]}]}"#)
        let (req, deviations) = try V16.MeterValues.decodeRequest(json, mode: .lenient)
        XCTAssertEqual(req.meterValue[0].sampledValue[0].value, "1234.5")
        XCTAssertEqual(req.meterValue[0].timestamp, Date(timeIntervalSince1970: 1_718_446_830))
        XCTAssertEqual(deviations.map(\.kind), [.timestampOffSpec, .stringAsNumber])
        XCTAssertEqual(deviations.map(\.path), ["meterValue[0].timestamp", "meterValue[0].sampledValue[0].value"])
    }

    func testStrictDecodeThrowsTheSchemaViolation() {
        XCTAssertThrowsError(try V16.Authorize.decodeRequest(["idTag": 42], mode: .strict)) { error in
            XCTAssertEqual(
                error as? ValidationError,
                ValidationError(code: .typeConstraintViolation, path: "idTag", rule: "expected string, got integer"))
        }
        XCTAssertThrowsError(try V16.StartTransaction.decodeResponse(["transactionId": 5], mode: .lenient)) { error in
            XCTAssertEqual((error as? ValidationError)?.path, "idTagInfo")
            XCTAssertEqual((error as? ValidationError)?.code, .occurrenceConstraintViolation)
        }
    }
}
