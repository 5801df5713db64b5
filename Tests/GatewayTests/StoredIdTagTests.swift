import Foundation
import Gateway
import OCPP
import SessionStore
import XCTest

final class StoredIdTagTests: XCTestCase {
    func testIdTagsKeptInTheStoreAuthorizeAndTheConfigurationFileWins() async throws {
        var configuration = GatewayConfiguration()
        configuration.acceptUnknownIdTags = false
        configuration.idTags = [.init(idTag: "BOTH", status: .accepted)]
        try await GatewayHarness.with(configuration) { harness in
            _ = try await harness.store.write(.putIdTag(.init(idTag: "Stored-Blocked", status: "Blocked")))
            _ = try await harness.store.write(.putIdTag(.init(idTag: "STORED-OK", status: "Accepted", parentIdTag: "FLEET")))
            _ = try await harness.store.write(.putIdTag(.init(idTag: "STORED-OLD", status: "Accepted", expiryDate: Date(timeIntervalSince1970: 0))))
            _ = try await harness.store.write(.putIdTag(.init(idTag: "BOTH", status: "Blocked")))
            try await harness.gateway.reloadIdTags()

            let pile = try await harness.connect("AUTH-1")
            _ = try await pile.boot()
            func verdict(_ tag: String) async throws -> V16.IdTagInfo {
                try await pile.call(V16.Authorize.self, .init(idTag: tag)).idTagInfo
            }
            let blocked = try await verdict("stored-blocked")
            XCTAssertEqual(blocked.status, .Blocked, "store tags compare case-insensitively")
            let ok = try await verdict("STORED-OK")
            XCTAssertEqual(ok.status, .Accepted)
            XCTAssertEqual(ok.parentIdTag, "FLEET")
            let old = try await verdict("STORED-OLD")
            XCTAssertEqual(old.status, .Expired)
            let both = try await verdict("BOTH")
            XCTAssertEqual(both.status, .Accepted, "the configuration file is checked first")
            let unknown = try await verdict("NOBODY")
            XCTAssertEqual(unknown.status, .Invalid)
        }
    }
}
