import XCTest

@testable import OCPP

final class V201CatalogTests: XCTestCase {
    /// The 64 actions of OCPP 2.0.1, by sender (Part 2 / Part 4 message directions).
    static let sentByChargingStation: Set<String> = [
        "Authorize", "BootNotification", "ClearedChargingLimit", "FirmwareStatusNotification", "Get15118EVCertificate",
        "GetCertificateStatus", "Heartbeat", "LogStatusNotification", "MeterValues", "NotifyChargingLimit",
        "NotifyCustomerInformation", "NotifyDisplayMessages", "NotifyEVChargingNeeds", "NotifyEVChargingSchedule",
        "NotifyEvent", "NotifyMonitoringReport", "NotifyReport", "PublishFirmwareStatusNotification",
        "ReportChargingProfiles", "ReservationStatusUpdate", "SecurityEventNotification", "SignCertificate",
        "StatusNotification", "TransactionEvent",
    ]
    static let sentByCSMS: Set<String> = [
        "CancelReservation", "CertificateSigned", "ChangeAvailability", "ClearCache", "ClearChargingProfile",
        "ClearDisplayMessage", "ClearVariableMonitoring", "CostUpdated", "CustomerInformation", "DeleteCertificate",
        "GetBaseReport", "GetChargingProfiles", "GetCompositeSchedule", "GetDisplayMessages", "GetInstalledCertificateIds",
        "GetLocalListVersion", "GetLog", "GetMonitoringReport", "GetReport", "GetTransactionStatus", "GetVariables",
        "InstallCertificate", "PublishFirmware", "RequestStartTransaction", "RequestStopTransaction", "ReserveNow", "Reset",
        "SendLocalList", "SetChargingProfile", "SetDisplayMessage", "SetMonitoringBase", "SetMonitoringLevel",
        "SetNetworkProfile", "SetVariableMonitoring", "SetVariables", "TriggerMessage", "UnlockConnector",
        "UnpublishFirmware", "UpdateFirmware",
    ]

    func testCatalogListsAll64ActionsOfVersion201() throws {
        XCTAssertEqual(V201.catalog.version, .v201)
        XCTAssertEqual(V201.catalog.names.count, 64)
        let expected = Self.sentByChargingStation.union(Self.sentByCSMS).union(["DataTransfer"])
        XCTAssertEqual(Set(V201.catalog.names), expected)
        for name in V201.catalog.names {
            let action = try XCTUnwrap(V201.catalog[name], name)
            XCTAssertEqual(action.name, name)
            XCTAssertEqual(action.version, .v201, name)
        }
    }

    func testEachActionIsInitiatedByTheSideTheSpecSends() throws {
        for name in V201.catalog.names {
            let action = try XCTUnwrap(V201.catalog[name])
            let expected: Initiator =
                Self.sentByChargingStation.contains(name) ? .chargePoint : Self.sentByCSMS.contains(name) ? .centralSystem : .either
            XCTAssertEqual(action.initiator, expected, name)
        }
        XCTAssertEqual(V201.DataTransfer.initiator, .either)
        XCTAssertEqual(V201.TransactionEvent.initiator, .chargePoint)
        XCTAssertEqual(V201.RequestStartTransaction.initiator, .centralSystem)
    }

    func testCatalogLookupIsExact() {
        XCTAssertNil(V201.catalog["transactionEvent"])
        XCTAssertNil(V201.catalog["TransactionEventRequest"])
        XCTAssertNil(V201.catalog["StartTransaction"], "1.6 only")
        XCTAssertNil(V201.catalog[""])
    }

    func testCatalogsOfTheTwoVersionsShareNamesButNotTypes() throws {
        let shared = Set(V16.catalog.names).intersection(V201.catalog.names)
        XCTAssertEqual(
            shared,
            ["Authorize", "BootNotification", "ChangeAvailability", "ClearCache", "DataTransfer", "Heartbeat", "MeterValues",
             "Reset", "StatusNotification", "TriggerMessage", "UnlockConnector",
             // The 1.6 profiles beyond Core
             "CancelReservation", "ClearChargingProfile", "FirmwareStatusNotification", "GetCompositeSchedule",
             "GetLocalListVersion", "ReserveNow", "SendLocalList", "SetChargingProfile", "UpdateFirmware",
             // and the 1.6 security whitepaper, which took these from 2.0.1
             "CertificateSigned", "DeleteCertificate", "GetInstalledCertificateIds", "GetLog", "InstallCertificate",
             "LogStatusNotification", "SecurityEventNotification", "SignCertificate"])
        for name in shared {
            XCTAssertEqual(try XCTUnwrap(V16.catalog[name]).version, .v16)
            XCTAssertEqual(try XCTUnwrap(V201.catalog[name]).version, .v201)
        }
    }

    func testEnumCasesKeepTheSpecSpellingsAsRawValues() {
        XCTAssertEqual(V201.IdTokenEnum.central.rawValue, "Central")
        XCTAssertEqual(V201.IdTokenEnum.eMAID.rawValue, "eMAID")
        XCTAssertEqual(V201.IdTokenEnum.iso14443.rawValue, "ISO14443")
        XCTAssertEqual(V201.ChargingStateEnum.evConnected.rawValue, "EVConnected")
        XCTAssertEqual(V201.PhaseEnum.l1N.rawValue, "L1-N")
        XCTAssertEqual(V201.MeasurandEnum.energyActiveImportRegister.rawValue, "Energy.Active.Import.Register")
        XCTAssertEqual(V201.MeasurandEnum.soc.rawValue, "SoC")
        XCTAssertEqual(V201.ConnectorEnum.s309_1P16A.rawValue, "s309-1P-16A")
        XCTAssertEqual(V201.APNAuthenticationEnum.noAuthentication.rawValue, "NONE")
        XCTAssertEqual(V201.OCPPVersionEnum.ocpp20.rawValue, "OCPP20")
        XCTAssertEqual(V201.ConnectorStatusEnum.allCases.map(\.rawValue), ["Available", "Occupied", "Reserved", "Unavailable", "Faulted"])
    }

    func testEnumerationSchemasListExactlyTheSwiftCases() {
        guard case .object(let properties, _) = V201.StatusNotification.Request.schema,
            let status = properties.first(where: { $0.name == "connectorStatus" }),
            case .enumeration(let values) = status.schema
        else { return XCTFail("StatusNotification.connectorStatus is not an enumeration") }
        XCTAssertEqual(values, V201.ConnectorStatusEnum.allCases.map(\.rawValue))
    }

    func testCustomDataIsAllowedOnEveryObjectOfEveryPayload() throws {
        var objects = 0
        for name in V201.catalog.names {
            let action = try XCTUnwrap(V201.catalog[name])
            for (label, schema) in payloadSchemas(action) {
                for site in [SchemaSamples.Site(steps: [], schema: schema, required: true)] + SchemaSamples.sites(schema) {
                    guard case .object(let properties, let open) = site.schema, !open else { continue }
                    objects += 1
                    let customData = properties.first { $0.name == "customData" }
                    XCTAssertNotNil(customData, "\(label) at \(site.path.isEmpty ? "top" : site.path)")
                    XCTAssertEqual(customData?.required, false, label)
                }
            }
        }
        XCTAssertGreaterThan(objects, 200)
    }
}
