import XCTest

@testable import OCPP

final class V16CatalogTests: XCTestCase {
    static let actionNames = [
        "Authorize", "BootNotification", "ChangeAvailability", "ChangeConfiguration", "ClearCache", "DataTransfer",
        "GetConfiguration", "Heartbeat", "MeterValues", "RemoteStartTransaction", "RemoteStopTransaction", "Reset",
        "StartTransaction", "StatusNotification", "StopTransaction", "UnlockConnector", "TriggerMessage",
        // Firmware Management, Local Auth List Management, Reservation, Smart Charging
        "DiagnosticsStatusNotification", "FirmwareStatusNotification", "GetDiagnostics", "UpdateFirmware",
        "GetLocalListVersion", "SendLocalList", "CancelReservation", "ReserveNow", "ClearChargingProfile",
        "GetCompositeSchedule", "SetChargingProfile",
        // Improved security for OCPP 1.6-J
        "CertificateSigned", "DeleteCertificate", "ExtendedTriggerMessage", "GetInstalledCertificateIds", "GetLog",
        "InstallCertificate", "LogStatusNotification", "SecurityEventNotification", "SignCertificate",
        "SignedFirmwareStatusNotification", "SignedUpdateFirmware",
    ]

    func testCatalogFindsEveryActionByItsWireName() throws {
        XCTAssertEqual(V16.catalog.version, .v16)
        XCTAssertEqual(V16.catalog.names, Self.actionNames.sorted())
        for name in Self.actionNames {
            let action = try XCTUnwrap(V16.catalog[name], name)
            XCTAssertEqual(action.name, name)
            XCTAssertEqual(action.version, .v16)
        }
    }

    func testCatalogLookupIsExactAndMissesUnknownNames() {
        XCTAssertNil(V16.catalog["Nope"])
        XCTAssertNil(V16.catalog["authorize"])
        XCTAssertNil(V16.catalog["Authorize.req"])
        XCTAssertNil(V16.catalog[""])
    }

    func testCatalogSendersFollowTheSpec() throws {
        let fromPile: Set<String> = [
            "Authorize", "BootNotification", "DiagnosticsStatusNotification", "FirmwareStatusNotification", "Heartbeat",
            "LogStatusNotification", "MeterValues", "SecurityEventNotification", "SignCertificate",
            "SignedFirmwareStatusNotification", "StartTransaction", "StatusNotification", "StopTransaction",
        ]
        for name in V16.catalog.names {
            let action = try XCTUnwrap(V16.catalog[name])
            let expected: Initiator = name == "DataTransfer" ? .either : fromPile.contains(name) ? .chargePoint : .centralSystem
            XCTAssertEqual(action.initiator, expected, name)
        }
    }

    /// What the gateway and the simulator answered before these profiles were typed (they were
    /// `unsupportedActions` then) is what they answer now: NotSupported, not NotImplemented.
    func testTypedActionsWithoutAHandlerAreStillRefusedAsNotSupported() {
        let router = CallRouter<Int>(version: .v16, catalog: V16.catalog, knownElsewhere: V16.unsupportedActions, handlers: ["Heartbeat": 1])
        let formerlyUnsupported = [
            "CancelReservation", "ClearChargingProfile", "DiagnosticsStatusNotification", "FirmwareStatusNotification",
            "GetCompositeSchedule", "GetDiagnostics", "GetLocalListVersion", "ReserveNow", "SendLocalList",
            "SetChargingProfile", "UpdateFirmware", "CertificateSigned", "DeleteCertificate", "ExtendedTriggerMessage",
            "GetInstalledCertificateIds", "GetLog", "InstallCertificate", "LogStatusNotification", "SecurityEventNotification",
            "SignCertificate", "SignedFirmwareStatusNotification", "SignedUpdateFirmware",
        ]
        for name in formerlyUnsupported {
            guard case .refused(let error) = router.route(name, role: "pile") else { return XCTFail("\(name) was routed") }
            XCTAssertEqual(error.code, .notSupported, name)
        }
        guard case .refused(let unknown) = router.route("BrewCoffee", role: "pile") else { return XCTFail("routed") }
        XCTAssertEqual(unknown.code, .notImplemented)
        guard case .handler(1) = router.route("Heartbeat", role: "pile") else { return XCTFail("Heartbeat not routed") }
    }

    func testCatalogNamesDoNotOverlapUnsupportedActions() {
        XCTAssertTrue(Set(V16.catalog.names).isDisjoint(with: V16.unsupportedActions))
        for name in V16.unsupportedActions {
            XCTAssertNil(V16.catalog[name], name)
        }
    }

    func testOnlyVersion16IsSupported() {
        XCTAssertEqual(OCPPVersion.supported, [.v16, .v201])
        XCTAssertEqual(OCPPVersion.v16.subprotocol, "ocpp1.6")
        XCTAssertEqual(OCPPVersion.v201.subprotocol, "ocpp2.0.1")
        XCTAssertEqual(OCPPVersion.v201.label, "2.0.1")
    }
}
