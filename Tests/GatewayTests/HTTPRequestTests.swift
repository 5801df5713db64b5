import OCPPWebSocket
import XCTest

final class HTTPRequestTests: XCTestCase {
    /// Found by the API fuzzer: a bare "=" in the query crashed the gateway.
    func testQueryWithEmptyKeysAndValuesParsesWithoutCrashing() {
        let request = HTTPRequest(method: .GET, uri: "/api/sessions?=&=x&limit=&a=1=2&b&c=%41+b&&")
        let query = request.query
        XCTAssertEqual(query[""], "x")
        XCTAssertEqual(query["limit"], "")
        XCTAssertEqual(query["a"], "1=2")
        XCTAssertEqual(query["b"], "")
        XCTAssertEqual(query["c"], "A b")
    }
}
