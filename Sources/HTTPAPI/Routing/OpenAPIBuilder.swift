import OCPP

/// The OpenAPI 3.0 document served at /openapi.json and the route list of docs/api.md,
/// both built from the route table, so neither can name a route the gateway does not serve.
enum OpenAPIBuilder {
    static let info: JSON = [
        "title": "PileGate gateway API",
        "version": "1.0.0",
        "description": """
            The live map, scan to charge, sessions with receipts, operator commands, reservations, live events, recommendations and \
            metrics of a PileGate gateway. Money is integer fen (1/100 CNY). Times are RFC 3339 UTC. Endpoints that change something \
            or ask a pile need `Authorization: Bearer TOKEN`; reads need it only when the gateway sets `api.protectReads`. \
            Every error is `{"error": {"code", "message"}}`.
            """,
    ]

    static func document(_ table: RouteTable) -> JSON {
        var paths = JSONObject()
        for pattern in table.patterns.sorted(by: { order(table, $0) < order(table, $1) }) {
            var item = JSONObject()
            for route in pattern.routes { item[route.method.rawValue.lowercased()] = operation(route) }
            paths[pattern.path] = .object(item)
        }
        return [
            "openapi": "3.0.3", "info": info, "servers": [["url": "/"]], "paths": .object(paths),
            "components": SiteSchemas.merged(into: (try? JSONParser.parse(OpenAPISchemas.components)) ?? .null),
        ]
    }

    /// Where a pattern's first route is declared: the document keeps the declaration order.
    private static func order(_ table: RouteTable, _ pattern: RouteTable.Pattern) -> Int {
        table.routes.firstIndex { $0.path == pattern.path } ?? 0
    }

    static func operation(_ route: APIRoute) -> JSON {
        var operation = JSONObject([("operationId", .string(route.operationId)), ("summary", .string(route.summary))])
        operation["security"] = route.access.needsToken ? [["bearerAuth": []]] : [[:], ["bearerAuth": []]]
        if !route.parameters.isEmpty { operation["parameters"] = .array(route.parameters.map(parameter)) }
        if let body = route.body {
            operation["requestBody"] = ["required": .bool(body.required), "content": content(body)]
        }
        var responses = JSONObject()
        for reply in route.replies { responses[String(reply.status)] = response(reply) }
        responses["default"] = errorResponse
        operation["responses"] = .object(responses)
        return .object(operation)
    }

    private static func parameter(_ parameter: Parameter) -> JSON {
        var object = JSONObject([("name", .string(parameter.name)), ("in", .string(parameter.location.rawValue)), ("required", .bool(parameter.required))])
        object["schema"] = parameter.schema
        if let description = parameter.description { object["description"] = .string(description) }
        if let example = parameter.example { object["example"] = example }
        return .object(object)
    }

    private static let bytes: JSON = ["type": "string", "format": "binary"]

    private static func content(_ body: RequestBody) -> JSON {
        switch body.media {
        case .json(let name):
            var media: JSONObject = JSONObject([("schema", reference(name))])
            if let example = body.example { media["example"] = example }
            return ["application/json": .object(media)]
        case .file: return ["application/octet-stream": ["schema": bytes]]
        case .upload:
            return ["application/octet-stream": ["schema": bytes], "multipart/form-data": ["schema": ["type": "object", "properties": ["file": bytes]]]]
        }
    }

    private static let errorResponse: JSON = ["$ref": "#/components/responses/Error"]

    private static func reference(_ schema: String) -> JSON { ["$ref": .string("#/components/schemas/" + schema)] }

    private static func response(_ reply: Reply) -> JSON {
        let schema: JSON
        var media = "application/json"
        switch reply.content {
        case .error where reply.description.isEmpty: return errorResponse
        case .error: schema = reference("Error")
        case .one(let name): schema = reference(name)
        case .list(let name): schema = ["type": "array", "items": reference(name)]
        case .anyObject: schema = ["type": "object"]
        case .media(let type):
            media = type
            schema = type == "application/octet-stream" ? bytes : ["type": "string"]
        }
        return ["description": .string(reply.description), "content": .object(JSONObject([(media, ["schema": schema])]))]
    }

    /// The route list of docs/api.md (between its `routes` markers; RouteDocTests keeps it current).
    static func markdown(_ table: RouteTable) -> String {
        var lines = ["| method | path | query | body | token | what it does |", "|---|---|---|---|---|---|"]
        for route in table.routes {
            let token: String
            switch route.access {
            case .open: token = "no"
            case .read: token = "with `protectReads`"
            case .write, .asksThePile: token = "yes"
            }
            let query = route.parameters.filter { $0.location == .query }.map { "`\($0.name)`" }.joined(separator: " ")
            let body: String
            switch route.body?.media {
            case .json(let name)?: body = name
            case .file?: body = "a file"
            case .upload?: body = "a file (raw or multipart)"
            case nil: body = ""
            }
            let summary = route.summary.replacingOccurrences(of: "|", with: "\\|")
            lines.append("| \(route.method.rawValue) | `\(route.path)` | \(query) | \(body) | \(token) | \(summary) |")
        }
        return lines.joined(separator: "\n")
    }
}
