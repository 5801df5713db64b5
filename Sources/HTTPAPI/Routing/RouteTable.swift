import NIOHTTP1

/// The API's routes, grouped by path pattern, and how a request's path finds them.
///
/// Our own table rather than Hummingbird's router: the API shares its port and NIO
/// pipeline with the OCPP WebSocket upgrade (`OCPPServer`), a pattern match over a few
/// dozen routes is a few lines, and the table is also what the OpenAPI document and the
/// docs' route list are built from, which a router's closures could not give back.
struct RouteTable: Sendable {
    /// Every route of one path pattern.
    struct Pattern: Sendable {
        let path: String
        let segments: [Substring]
        let routes: [APIRoute]

        /// The methods the pattern takes: each route's, and HEAD beside a GET that only reads.
        var allowed: [HTTPMethod] {
            routes.flatMap { route -> [HTTPMethod] in
                route.method == .GET && route.access != .asksThePile ? [.GET, .HEAD] : [route.method]
            }
        }

        func route(for method: HTTPMethod) -> APIRoute? {
            guard allowed.contains(method) else { return nil }
            let wanted = method == .HEAD ? HTTPMethod.GET : method
            return routes.first { $0.method == wanted }
        }
    }

    let routes: [APIRoute]
    let patterns: [Pattern]

    init(_ routes: [APIRoute]) {
        self.routes = routes
        var order: [String] = []
        var byPath: [String: [APIRoute]] = [:]
        for route in routes {
            if byPath[route.path] == nil { order.append(route.path) }
            byPath[route.path, default: []].append(route)
        }
        // Literal segments before parameters, so `/api/jobs/{id}` never hides a literal sibling.
        patterns = order.map { Pattern(path: $0, segments: $0.split(separator: "/"), routes: byPath[$0] ?? []) }
            .sorted { $0.segments.filter { !$0.hasPrefix("{") }.count > $1.segments.filter { !$0.hasPrefix("{") }.count }
    }

    /// The pattern a decoded path matches, with its parameters by name.
    func match(_ segments: [String]) -> (pattern: Pattern, values: [String: String])? {
        for pattern in patterns where pattern.segments.count == segments.count {
            var values: [String: String] = [:]
            var matches = true
            for (expected, given) in zip(pattern.segments, segments) {
                if expected.hasPrefix("{") && expected.hasSuffix("}") {
                    values[String(expected.dropFirst().dropLast())] = given
                } else if expected != given {
                    matches = false
                    break
                }
            }
            if matches { return (pattern, values) }
        }
        return nil
    }
}
