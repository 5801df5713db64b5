import Foundation
import XCTest

@testable import OCPP

/// Typed round trips (encode → strict validation → decode, from the value and from its
/// text) of the 2.0.1 actions the gateway, simulator and lab use, on payloads as a real
/// station or CSMS sends them. The other actions are covered by V201SchemaRulesTests.
final class V201MessageTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_718_446_830)
    let later = Date(timeIntervalSince1970: 1_718_450_430.25)

    let vendorExtension: JSON = ["vendorId": "com.example.pile", "firmwareChannel": "beta", "slots": [1, 2]]

    var driverToken: V201.IdToken {
        V201.IdToken(
            idToken: "04A2C3B2F15E80", type: .iso14443,
            additionalInfo: [V201.AdditionalInfo(additionalIdToken: "FLEET-7", type: "FleetAccount")])
    }

    var acceptedToken: V201.IdTokenInfo {
        V201.IdTokenInfo(
            status: .accepted, cacheExpiryDateTime: later, chargingPriority: 2, language1: "zh", evseId: [1, 2],
            groupIdToken: V201.IdToken(idToken: "FLEET-7", type: .central),
            personalMessage: V201.MessageContent(format: .utf8, content: "Welcome back", language: "en"))
    }

    var energy: V201.MeterValue {
        V201.MeterValue(
            sampledValue: [
                V201.SampledValue(
                    value: 12_345.6, context: .samplePeriodic, measurand: .energyActiveImportRegister, location: .outlet,
                    unitOfMeasure: V201.UnitOfMeasure(unit: "Wh", multiplier: 0)),
                V201.SampledValue(value: 230.1, measurand: .voltage, phase: .l1N, unitOfMeasure: V201.UnitOfMeasure(unit: "V")),
                V201.SampledValue(value: 11_000, measurand: .powerActiveImport),
                V201.SampledValue(value: 64, measurand: .soc, location: .ev, unitOfMeasure: V201.UnitOfMeasure(unit: "Percent")),
                V201.SampledValue(
                    value: 12_345.6, context: .transactionEnd,
                    signedMeterValue: V201.SignedMeterValue(
                        signedMeterData: "AAECAwQ=", signingMethod: "ECDSA-secp256r1-SHA256", encodingMethod: "OCMF",
                        publicKey: "BASE64KEY==")),
            ],
            timestamp: now)
    }

    var connectorVariable: (V201.Component, V201.Variable) {
        (V201.Component(name: "Connector", evse: V201.EVSE(id: 1, connectorId: 1), instance: "1"), V201.Variable(name: "Available"))
    }

    var rejectedInfo: V201.StatusInfo { V201.StatusInfo(reasonCode: "Busy", additionalInfo: "a transaction is ongoing") }

    // MARK: Provisioning

    func testBootNotificationRoundTripsStrictly() {
        assertRoundTrip(
            V201.BootNotification.self,
            .init(
                chargingStation: V201.ChargingStation(
                    model: "AC-22-DUO", vendorName: "VendorX", serialNumber: "SN-000123",
                    modem: V201.Modem(iccid: "8931440400012345678", imsi: "204043312345678"), firmwareVersion: "2.4.1",
                    customData: vendorExtension),
                reason: .powerUp),
            .init(currentTime: now, interval: 300, status: .accepted, statusInfo: V201.StatusInfo(reasonCode: "OK")))
        assertRoundTrip(
            V201.BootNotification.self,
            .init(chargingStation: V201.ChargingStation(model: "M", vendorName: "V"), reason: .remoteReset),
            .init(currentTime: now, interval: 0, status: .pending))
    }

    func testGetBaseReportRoundTripsStrictly() {
        assertRoundTrip(
            V201.GetBaseReport.self, .init(requestId: 17, reportBase: .fullInventory),
            .init(status: .notSupported, statusInfo: V201.StatusInfo(reasonCode: "UnsupportedBase")))
    }

    func testNotifyReportRoundTripsStrictly() {
        let (component, variable) = connectorVariable
        assertRoundTrip(
            V201.NotifyReport.self,
            .init(
                requestId: 17, generatedAt: now, seqNo: 0,
                reportData: [
                    V201.ReportData(
                        component: component, variable: variable,
                        variableAttribute: [
                            V201.VariableAttribute(type: .actual, value: "true", mutability: .readOnly, persistent: true, constant: false)
                        ],
                        variableCharacteristics: V201.VariableCharacteristics(
                            dataType: .decimal, supportsMonitoring: true, unit: "A", minLimit: 6, maxLimit: 32.5)),
                    V201.ReportData(
                        component: V201.Component(name: "OCPPCommCtrlr"), variable: V201.Variable(name: "HeartbeatInterval"),
                        variableAttribute: [V201.VariableAttribute(value: "300", mutability: .readWrite)],
                        variableCharacteristics: V201.VariableCharacteristics(dataType: .integer, supportsMonitoring: false)),
                ],
                tbc: true),
            .init())
    }

    func testGetVariablesRoundTripsStrictly() {
        let (component, variable) = connectorVariable
        assertRoundTrip(
            V201.GetVariables.self,
            .init(getVariableData: [
                V201.GetVariableData(component: component, variable: variable, attributeType: .actual),
                V201.GetVariableData(component: V201.Component(name: "OCPPCommCtrlr"), variable: V201.Variable(name: "HeartbeatInterval")),
            ]),
            .init(getVariableResult: [
                V201.GetVariableResult(
                    attributeStatus: .accepted, component: component, variable: variable, attributeType: .actual, attributeValue: "true"),
                V201.GetVariableResult(
                    attributeStatus: .unknownVariable, component: V201.Component(name: "OCPPCommCtrlr"), variable: V201.Variable(name: "Nope"),
                    attributeStatusInfo: V201.StatusInfo(reasonCode: "NoSuchVariable")),
            ]))
    }

    func testSetVariablesRoundTripsStrictly() {
        assertRoundTrip(
            V201.SetVariables.self,
            .init(setVariableData: [
                V201.SetVariableData(
                    attributeValue: "60", component: V201.Component(name: "OCPPCommCtrlr"), variable: V201.Variable(name: "HeartbeatInterval"),
                    attributeType: .actual)
            ]),
            .init(setVariableResult: [
                V201.SetVariableResult(
                    attributeStatus: .rebootRequired, component: V201.Component(name: "OCPPCommCtrlr"),
                    variable: V201.Variable(name: "HeartbeatInterval"), attributeType: .actual)
            ]))
    }

    func testResetRoundTripsStrictly() {
        assertRoundTrip(V201.Reset.self, .init(type: .onIdle, evseId: 2), .init(status: .scheduled, statusInfo: rejectedInfo))
        assertRoundTrip(V201.Reset.self, .init(type: .immediate), .init(status: .accepted))
    }

    // MARK: Authorization, transactions, meter values

    func testAuthorizeRoundTripsStrictly() {
        assertRoundTrip(
            V201.Authorize.self,
            .init(
                idToken: driverToken, certificate: "-----BEGIN CERTIFICATE-----",
                iso15118CertificateHashData: [
                    V201.OCSPRequestData(
                        hashAlgorithm: .sha256, issuerNameHash: "a1b2", issuerKeyHash: "c3d4", serialNumber: "01",
                        responderURL: "http://ocsp.example.com")
                ]),
            .init(idTokenInfo: acceptedToken, certificateStatus: .accepted))
    }

    func testTransactionEventRoundTripsStrictly() {
        assertRoundTrip(
            V201.TransactionEvent.self,
            .init(
                eventType: .started, timestamp: now, triggerReason: .authorized, seqNo: 0,
                transactionInfo: V201.Transaction(
                    transactionId: "7f3c1a2e-9d4b-4c55-8e21-0b6f5a9d3c11", chargingState: .evConnected, remoteStartId: 42),
                meterValue: [energy], offline: false, numberOfPhasesUsed: 3, cableMaxCurrent: 32, reservationId: 5,
                evse: V201.EVSE(id: 1, connectorId: 1), idToken: driverToken),
            .init(
                totalCost: 12.35, chargingPriority: 0, idTokenInfo: acceptedToken,
                updatedPersonalMessage: V201.MessageContent(format: .ascii, content: "12.35 CNY so far")))
        assertRoundTrip(
            V201.TransactionEvent.self,
            .init(
                eventType: .ended, timestamp: later, triggerReason: .evCommunicationLost, seqNo: 9,
                transactionInfo: V201.Transaction(
                    transactionId: "7f3c1a2e-9d4b-4c55-8e21-0b6f5a9d3c11", chargingState: .idle, timeSpentCharging: 3600,
                    stoppedReason: .evDisconnected)),
            .init())
    }

    func testMeterValuesRoundTripsStrictly() {
        assertRoundTrip(V201.MeterValues.self, .init(evseId: 0, meterValue: [energy, energy]), .init())
    }

    func testGetTransactionStatusRoundTripsStrictly() {
        assertRoundTrip(
            V201.GetTransactionStatus.self, .init(transactionId: "tx-1"), .init(messagesInQueue: false, ongoingIndicator: true))
        assertRoundTrip(V201.GetTransactionStatus.self, .init(), .init(messagesInQueue: true))
    }

    // MARK: Availability

    func testHeartbeatRoundTripsStrictly() {
        assertRoundTrip(V201.Heartbeat.self, .init(), .init(currentTime: now))
        assertRoundTrip(V201.Heartbeat.self, .init(customData: vendorExtension), .init(currentTime: later, customData: vendorExtension))
    }

    func testStatusNotificationRoundTripsStrictly() {
        assertRoundTrip(
            V201.StatusNotification.self, .init(timestamp: now, connectorStatus: .occupied, evseId: 1, connectorId: 2), .init())
    }

    func testChangeAvailabilityRoundTripsStrictly() {
        assertRoundTrip(
            V201.ChangeAvailability.self, .init(operationalStatus: .inoperative, evse: V201.EVSE(id: 1)),
            .init(status: .scheduled, statusInfo: rejectedInfo))
        assertRoundTrip(V201.ChangeAvailability.self, .init(operationalStatus: .operative), .init(status: .accepted))
    }

    // MARK: Remote control

    func testRequestStartTransactionRoundTripsStrictly() {
        let profile = V201.ChargingProfile(
            id: 1, stackLevel: 0, chargingProfilePurpose: .txProfile, chargingProfileKind: .relative,
            chargingSchedule: [
                V201.ChargingSchedule(
                    id: 1, chargingRateUnit: .a,
                    chargingSchedulePeriod: [
                        V201.ChargingSchedulePeriod(startPeriod: 0, limit: 16, numberPhases: 3),
                        V201.ChargingSchedulePeriod(startPeriod: 1800, limit: 10.5),
                    ],
                    duration: 7200, minChargingRate: 6)
            ])
        assertRoundTrip(
            V201.RequestStartTransaction.self,
            .init(
                idToken: driverToken, remoteStartId: 42, evseId: 1, groupIdToken: V201.IdToken(idToken: "FLEET-7", type: .central),
                chargingProfile: profile),
            .init(status: .accepted, transactionId: "7f3c1a2e"))
        assertRoundTrip(
            V201.RequestStartTransaction.self, .init(idToken: V201.IdToken(idToken: "", type: .noAuthorization), remoteStartId: 43),
            .init(status: .rejected, statusInfo: rejectedInfo))
    }

    func testRequestStopTransactionRoundTripsStrictly() {
        assertRoundTrip(V201.RequestStopTransaction.self, .init(transactionId: "7f3c1a2e"), .init(status: .accepted))
    }

    func testTriggerMessageRoundTripsStrictly() {
        assertRoundTrip(
            V201.TriggerMessage.self, .init(requestedMessage: .statusNotification, evse: V201.EVSE(id: 1, connectorId: 1)),
            .init(status: .accepted))
        assertRoundTrip(V201.TriggerMessage.self, .init(requestedMessage: .bootNotification), .init(status: .notImplemented, statusInfo: rejectedInfo))
    }

    func testUnlockConnectorRoundTripsStrictly() {
        assertRoundTrip(
            V201.UnlockConnector.self, .init(evseId: 1, connectorId: 1), .init(status: .ongoingAuthorizedTransaction, statusInfo: rejectedInfo))
    }

    // MARK: Diagnostics, security, data transfer

    func testNotifyEventRoundTripsStrictly() {
        let (component, variable) = connectorVariable
        assertRoundTrip(
            V201.NotifyEvent.self,
            .init(
                generatedAt: now, seqNo: 0,
                eventData: [
                    V201.EventData(
                        eventId: 1, timestamp: now, trigger: .delta, actualValue: "false", component: component,
                        eventNotificationType: .hardWiredNotification, variable: variable, techCode: "E042",
                        techInfo: "lock motor current", cleared: false, transactionId: "tx-1", variableMonitoringId: 3),
                    V201.EventData(
                        eventId: 2, timestamp: later, trigger: .alerting, actualValue: "true", component: component,
                        eventNotificationType: .customMonitor, variable: variable, cause: 1),
                ],
                tbc: false),
            .init())
    }

    func testSecurityEventNotificationRoundTripsStrictly() {
        assertRoundTrip(
            V201.SecurityEventNotification.self,
            .init(type: "InvalidFirmwareSignature", timestamp: now, techInfo: "signature does not match the vendor key"), .init())
    }

    func testDataTransferCarriesAnyJSONBothWays() {
        let data: JSON = ["slots": [1, 2, 3], "ratio": 0.5, "label": "x", "on": true, "nested": ["deep": [:]]]
        assertRoundTrip(
            V201.DataTransfer.self, .init(vendorId: "com.example.pile", messageId: "GetDiagnosticsBundle", data: data),
            .init(status: .accepted, data: "just a string"))
        assertRoundTrip(V201.DataTransfer.self, .init(vendorId: "com.example"), .init(status: .unknownVendorId, statusInfo: rejectedInfo))
    }

    // MARK: Wire form

    func testEncodingWritesSpecSpellingsOmitsAbsentFieldsAndPutsCustomDataThrough() throws {
        let request = V201.StatusNotification.Request(
            timestamp: now, connectorStatus: .occupied, evseId: 1, connectorId: 1, customData: vendorExtension)
        let json = V201.StatusNotification.encode(request)
        XCTAssertEqual(json["connectorStatus"], "Occupied")
        XCTAssertEqual(json["timestamp"], "2024-06-15T10:20:30.000Z")
        XCTAssertEqual(json["customData"], vendorExtension)

        let event = V201.TransactionEvent.Request(
            eventType: .updated, timestamp: now, triggerReason: .meterValuePeriodic, seqNo: 3,
            transactionInfo: V201.Transaction(transactionId: "tx-1"))
        let wire = V201.TransactionEvent.encode(event)
        XCTAssertEqual(Set(wire.objectValue?.keys ?? []), ["eventType", "timestamp", "triggerReason", "seqNo", "transactionInfo"])
        XCTAssertEqual(wire["transactionInfo"], ["transactionId": "tx-1"])
        XCTAssertFalse(wire.text.contains("null"), "2.0.1 omits absent fields: \(wire.text)")
    }

    func testPayloadFromAnotherImplementationDecodes() throws {
        // As mobilityhouse/ocpp's charge point sends it (keys in its order, customData with extras).
        let text = #"""
            {"seqNo":0,"eventType":"Started","timestamp":"2024-06-15T10:20:30.5+00:00","triggerReason":"CablePluggedIn",
             "transactionInfo":{"transactionId":"abc","chargingState":"EVConnected"},"evse":{"id":1,"connectorId":1},
             "meterValue":[{"timestamp":"2024-06-15T10:20:30Z","sampledValue":[{"value":0,"measurand":"Energy.Active.Import.Register"}]}],
             "customData":{"vendorId":"org.example","sessionHint":{"a":1}}}
            """#
        let (request, deviations) = try V201.TransactionEvent.decodeRequest(JSONParser.parse(text), mode: .strict)
        XCTAssertEqual(deviations, [])
        XCTAssertEqual(request.eventType, .started)
        XCTAssertEqual(request.triggerReason, .cablePluggedIn)
        XCTAssertEqual(request.transactionInfo.chargingState, .evConnected)
        XCTAssertEqual(request.meterValue?.first?.sampledValue.first?.value, 0)
        XCTAssertEqual(request.timestamp, Date(timeIntervalSince1970: 1_718_446_830.5))
        XCTAssertEqual(request.customData?["sessionHint"], ["a": 1])
    }

    func testLenientModeRepairsA201PayloadAndReportsWhat() throws {
        let text = #"{"currentTime":"2024-06-15T10:20:30","interval":"300","status":"accepted","statusInfo":null}"#
        let (response, deviations) = try V201.BootNotification.decodeResponse(JSONParser.parse(text), mode: .lenient)
        XCTAssertEqual(response.status, .accepted)
        XCTAssertEqual(response.interval, 300)
        XCTAssertNil(response.statusInfo)
        XCTAssertEqual(Set(deviations.map(\.kind)), [.timestampOffSpec, .numberAsString, .enumLetterCase, .nullOptional])
    }
}
