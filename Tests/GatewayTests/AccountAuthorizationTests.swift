import Foundation
import Gateway
import OCPP
import XCTest

final class AccountAuthorizationTests: XCTestCase {
    func testAccountTagsAndVinsAreAuthorizedByTheAccountsState() {
        var configuration = GatewayConfiguration()
        configuration.acceptUnknownIdTags = false
        configuration.accounts = [
            Account(id: "driver", idTag: "MIAPP-1", vin: "LXMSU7MAX0000001"),
            Account(id: "banned", idTag: "MIAPP-2", vin: "LXMSU7MAX0000002", blocked: true),
            Account(id: "old", idTag: "MIAPP-3", expires: Date(timeIntervalSince1970: 0)),
        ]
        let authorizer = Authorizer(configuration: configuration)
        XCTAssertEqual(authorizer.authorize("miapp-1").status, .accepted)
        XCTAssertEqual(authorizer.authorize("LXMSU7MAX0000001").status, .accepted, "plug and charge: the VIN is the id tag")
        XCTAssertEqual(authorizer.authorize("MIAPP-2").status, .blocked)
        XCTAssertEqual(authorizer.authorize("LXMSU7MAX0000002").status, .blocked)
        XCTAssertEqual(authorizer.authorize("MIAPP-3").status, .expired)
        XCTAssertEqual(authorizer.authorize("SOMEONE-ELSE").status, .invalid)
    }

    func testTheConfigurationsIdTagListHasTheLastWord() {
        var configuration = GatewayConfiguration()
        configuration.accounts = [Account(id: "driver", idTag: "MIAPP-1")]
        configuration.idTags = [.init(idTag: "MIAPP-1", status: .blocked)]
        XCTAssertEqual(Authorizer(configuration: configuration).authorize("MIAPP-1").status, .blocked)
    }
}
