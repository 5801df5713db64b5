import Gateway
import XCTest

final class QRCodeTests: XCTestCase {
    func testCodeRoundTripsWithPercentEncodedParts() throws {
        let code = QRCode(network: "Li Auto", chargePointId: "LI/0001", connectorId: 2)
        XCTAssertEqual(code.description, "pilegate://charge/v1/Li%20Auto/LI%2F0001/2")
        XCTAssertEqual(try QRCode(parsing: code.description), code)
    }

    func testMalformedCodesAreInvalidQR() {
        for text in [
            "https://example.com/x", "pilegate://charge/v1/nio/CP1", "pilegate://charge/v1/nio/CP1/0",
            "pilegate://charge/v1/nio/CP1/one", "pilegate://charge/v1//CP1/1", "pilegate://charge/v1/nio/CP1/1/extra",
        ] {
            XCTAssertThrowsError(try QRCode(parsing: text), text) { error in
                XCTAssertEqual((error as? ScanFailure)?.code, "invalid_qr", text)
            }
        }
    }
}
