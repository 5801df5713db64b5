import Foundation
import Gateway
import OCPP
import XCTest

@testable import HTTPAPI

/// The route table is the API's one declaration: what it serves, what it allows, what
/// /openapi.json and docs/api.md say, all from it.
final class RouteTableTests: XCTestCase {
    static let docs = scanToChargeRepositoryRoot.appendingPathComponent("docs/api.md")
    static let begin = "<!-- routes:begin -->\n"
    static let end = "<!-- routes:end -->"

    func testTheDocsListEveryRoute() throws {
        let text = try String(contentsOf: Self.docs, encoding: .utf8)
        let start = try XCTUnwrap(text.range(of: Self.begin), "docs/api.md lost its routes:begin marker")
        let stop = try XCTUnwrap(text.range(of: Self.end, range: start.upperBound..<text.endIndex), "docs/api.md lost its routes:end marker")
        let table = OpenAPIBuilder.markdown(APIResponder.table) + "\n"
        if ProcessInfo.processInfo.environment["PILEGATE_WRITE_DOCS"] == "1" {
            try (text[..<start.upperBound] + table + text[stop.lowerBound...]).write(to: Self.docs, atomically: true, encoding: .utf8)
            return
        }
        XCTAssertEqual(
            String(text[start.upperBound..<stop.lowerBound]), table,
            "docs/api.md's route list is out of date: PILEGATE_WRITE_DOCS=1 swift test --filter RouteTableTests")
    }

    func testEveryDeclarationIsWhole() throws {
        let routes = APIResponder.routes
        XCTAssertEqual(Set(routes.map(\.operationId)).count, routes.count, "operationIds are unique")
        XCTAssertEqual(Set(routes.map { "\($0.method) \($0.path)" }).count, routes.count, "one route per method and path")
        let merged = SiteSchemas.merged(into: try JSONParser.parse(OpenAPISchemas.components))
        let components = try XCTUnwrap(merged["schemas"]?.objectValue)
        var referenced: Set<String> = []
        for route in routes {
            let names = route.segments.filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
            XCTAssertEqual(names, route.parameters.filter { $0.location == .path }.map(\.name), "\(route.path): its path parameters are declared, in order")
            XCTAssertFalse(route.summary.isEmpty, route.path)
            if let schema = route.body?.schema { referenced.insert(schema) }
            for reply in route.replies {
                switch reply.content {
                case .one(let name), .list(let name): referenced.insert(name)
                default: break
                }
            }
            XCTAssertTrue(route.replies.contains { (200..<300).contains($0.status) }, "\(route.method) \(route.path) documents its success")
        }
        // Schemas referenced from other schemas count too.
        let text = merged.text
        for name in components.keys where text.contains("\"#/components/schemas/\(name)\"") { referenced.insert(name) }
        XCTAssertEqual(Set(components.keys), referenced, "every schema is used, and every one used exists")
    }

    func testTheDocumentServedIsTheTable() async throws {
        try await GatewayHarness.with(try ScanFixtures.configuration([])) { harness in
            let served = await harness.api("GET", "/openapi.json", token: nil)
            XCTAssertEqual(served.status, 200)
            XCTAssertEqual(served.header("Content-Type"), "application/json")
            let document = try JSONParser.parse(served.text)
            XCTAssertEqual(document["openapi"]?.stringValue, "3.0.3")
            let paths = try XCTUnwrap(document["paths"]?.objectValue)
            XCTAssertEqual(Set(paths.keys), Set(APIResponder.routes.map(\.path)))
            for route in APIResponder.routes {
                let operation = try XCTUnwrap(paths[route.path]?[route.method.rawValue.lowercased()], "\(route.method) \(route.path)")
                XCTAssertEqual(operation["operationId"]?.stringValue, route.operationId)
                XCTAssertNotNil(operation["responses"]?["default"], "\(route.method) \(route.path) declares a default response")
                let security = operation["security"]?.arrayValue ?? []
                XCTAssertEqual(security.count == 1, route.access.needsToken, "\(route.path): the token rule documented is the one applied")
            }
        }
    }

    /// Every route answers on its path with a valid value for each declared query
    /// parameter (so each parameter a handler reads is declared), never 405, never a 5xx,
    /// and the token rule holds.
    func testEveryRouteIsServedAsDeclared() async throws {
        try await GatewayHarness.with(try ScanFixtures.configuration([])) { harness in
            for route in APIResponder.routes where route.path != "/api/events" {  // a stream: the event tests read it
                let path = route.path.replacingOccurrences(of: "{id}", with: "1").replacingOccurrences(of: "{action}", with: "Reset")
                    .replacingOccurrences(of: "{key}", with: "HeartbeatInterval")
                let query = route.parameters.filter { $0.location == .query }.map { "\($0.name)=\(Self.validValue($0))" }.joined(separator: "&")
                let uri = query.isEmpty ? path : path + "?" + query
                let body: JSON? = route.method == .POST || route.method == .PUT ? [:] : nil
                let reply = await harness.api(route.method.rawValue, uri, json: body)
                XCTAssertNotEqual(reply.status, 405, "\(route.method) \(uri)")
                XCTAssertFalse(reply.errorCode == "not_found", "\(route.method) \(uri) has a route: \(reply.text)")
                XCTAssertLessThan(reply.status, 500, "\(route.method) \(uri): \(reply.text)")
                if route.access.needsToken {
                    let anonymous = await harness.api(route.method.rawValue, uri, json: body, token: nil)
                    XCTAssertEqual(anonymous.status, 401, "\(route.method) \(uri) needs the token")
                }
            }
            let unknown = await harness.api("GET", "/api/nothing-here")
            XCTAssertEqual(unknown.status, 404)
            XCTAssertEqual(unknown.errorCode, "not_found")
            let wrongMethod = await harness.api("POST", "/api/chargepoints", json: [:])
            XCTAssertEqual(wrongMethod.status, 405)
            XCTAssertEqual(wrongMethod.header("Allow"), "GET, HEAD")
            let asksThePile = await harness.api("HEAD", "/api/chargepoints/1/configuration")
            XCTAssertEqual(asksThePile.status, 405, "a read that sends a command has no HEAD")
            XCTAssertEqual(asksThePile.header("Allow"), "GET")
            let several = await harness.api("PUT", "/api/reservations/1", json: [:])
            XCTAssertEqual(several.header("Allow"), "GET, HEAD, DELETE")
        }
    }

    func testABodyPastTheRoutesLimitIsRefused() async throws {
        try await GatewayHarness.with(try ScanFixtures.configuration([])) { harness in
            let size = RequestBody.jsonLimit + 1
            let socket = try RawSocket(port: harness.port)
            defer { socket.close() }
            try? socket.send(Array("POST /api/scan HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(size)\r\n\r\n".utf8) + [UInt8](repeating: 0x20, count: size))
            let head = try await socket.readHTTPHead()
            XCTAssertEqual(head.status, 413)
            let responder = APIResponder(store: harness.store, gateway: harness.gateway, access: APIAccess(token: "t"))
            XCTAssertEqual(responder.bodyLimit(method: .POST, uri: "/api/scan?x=1"), RequestBody.jsonLimit)
            XCTAssertEqual(responder.bodyLimit(method: .GET, uri: "/no/such/route"), RequestBody.jsonLimit)
        }
    }

    func testALiteralSegmentWinsOverAParameter() {
        let table = RouteTable([
            APIRoute(.GET, "/x/{id}", "byId", "by id", access: .open, parameters: [.path("id")], replies: [.ok("it", .anyObject)]) { _ in .json("id") },
            APIRoute(.GET, "/x/all", "all", "all", access: .open, replies: [.ok("it", .anyObject)]) { _ in .json("all") },
        ])
        XCTAssertEqual(table.match(["x", "all"])?.pattern.path, "/x/all")
        XCTAssertEqual(table.match(["x", "7"])?.values["id"], "7")
        XCTAssertNil(table.match(["x"]))
        XCTAssertNil(table.match(["x", "7", "y"]))
    }

    func testARoutePathIsFilledSegmentBySegment() {
        XCTAssertEqual(APIRoute.sendCommand.path("NIO 1/a", "Reset"), "/api/chargepoints/NIO%201%2Fa/commands/Reset")
        XCTAssertEqual(APIRoute.scan.path(), "/api/scan")
    }

    static func validValue(_ parameter: Parameter) -> String {
        switch parameter.kind {
        case .text: parameter.name == "vehicle" ? "su7-max" : "x"
        case .positiveInteger: "1"
        case .integer(let range, _): String(range.lowerBound)
        case .number(let range): String(range.upperBound)
        case .words(let words): words.first ?? ""
        case .coordinates: "39.90,116.40"
        case .matching: "x"
        }
    }
}
