import XCTest

@testable import OCPP

final class V16CatalogTests: XCTestCase {
    static let actionNames = [
        "Authorize", "BootNotification", "ChangeAvailability", "ChangeConfiguration", "ClearCache", "DataTransfer",
        "GetConfiguration", "Heartbeat", "MeterValues", "RemoteStartTransaction", "RemoteStopTransaction", "Reset",
        "StartTransaction", "StatusNotification", "StopTransaction", "UnlockConnector", "TriggerMessage",
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
