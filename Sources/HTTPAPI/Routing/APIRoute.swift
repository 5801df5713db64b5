import Foundation
import NIOHTTP1
import OCPP
import OCPPWebSocket

/// One endpoint, declared once. Dispatch, the methods a path allows, whether it needs the
/// token, the OpenAPI operation and the route list in docs/api.md are all read from it.
public struct APIRoute: Sendable {
    /// Who may call a route.
    public enum Access: Sendable {
        /// Pages, health, metrics and the API document: never a token.
        case open
        /// A read: the token only when the gateway sets `api.protectReads`.
        case read
        /// Changes something or sends a command: always the token.
        case write
        /// A GET that sends a command to the pile: always the token, and no HEAD, which
        /// would ask the pile for nothing.
        case asksThePile

        var needsToken: Bool { self == .write || self == .asksThePile }
    }

    public let method: HTTPMethod
    /// The path pattern, e.g. `/api/chargepoints/{id}/commands/{action}`.
    public let path: String
    let operationId: String
    let summary: String
    let access: Access
    let parameters: [Parameter]
    let body: RequestBody?
    let replies: [Reply]
    let handle: @Sendable (RouteCall) async throws -> HTTPResponse

    init(
        _ method: HTTPMethod, _ path: String, _ operationId: String, _ summary: String, access: Access,
        parameters: [Parameter] = [], body: RequestBody? = nil, replies: [Reply],
        handle: @escaping @Sendable (RouteCall) async throws -> HTTPResponse
    ) {
        self.method = method
        self.path = path
        self.operationId = operationId
        self.summary = summary
        self.access = access
        self.parameters = parameters
        self.body = body
        self.replies = replies
        self.handle = handle
    }

    /// The pattern's segments; `{name}` marks a parameter.
    var segments: [Substring] { path.split(separator: "/") }

    /// The path with its `{…}` parameters filled in order, each percent-encoded as one
    /// segment: how the lab and `pilegate call` name a route without spelling it again.
    public func path(_ values: String...) -> String {
        var remaining = values[...]
        let filled = segments.map { segment -> String in
            guard segment.hasPrefix("{"), let value = remaining.popFirst() else { return String(segment) }
            return value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? value
        }
        return "/" + filled.joined(separator: "/")
    }
}

/// A path or query parameter: its OpenAPI schema, and for query parameters the rule a
/// handler reads it by, so the range a request is checked against is the documented one.
struct Parameter: Sendable {
    enum Location: String, Sendable { case path, query }
    enum Kind: Sendable {
        case text
        case positiveInteger
        case integer(ClosedRange<Int>, default: Int)
        case number(ClosedRange<Double>)
        case words([String])
        /// `LAT,LON` in degrees.
        case coordinates
        /// Text matching a regular expression (the handler checks it; the document says it).
        case matching(String)
    }

    let name: String
    let location: Location
    let kind: Kind
    let description: String?
    let required: Bool
    let example: JSON?

    static func path(_ name: String, _ kind: Kind = .text, _ description: String? = nil) -> Parameter {
        Parameter(name: name, location: .path, kind: kind, description: description, required: true, example: nil)
    }

    static func query(_ name: String, _ kind: Kind = .text, _ description: String? = nil, required: Bool = false, example: JSON? = nil) -> Parameter {
        Parameter(name: name, location: .query, kind: kind, description: description, required: required, example: example)
    }

    static func limit(_ range: ClosedRange<Int> = 1...10_000, default fallback: Int = 100, _ description: String = "Most rows to return.") -> Parameter {
        .query("limit", .integer(range, default: fallback), description)
    }

    static func words<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type, _ description: String? = nil) -> Parameter
    where E.RawValue == String {
        .query(name, .words(type.allCases.map(\.rawValue)), description)
    }

    var schema: JSON {
        switch kind {
        case .text: ["type": "string"]
        case .positiveInteger: ["type": "integer", "minimum": 1]
        case .integer(let range, let fallback):
            ["type": "integer", "minimum": .integer(Int64(range.lowerBound)), "maximum": .integer(Int64(range.upperBound)), "default": .integer(Int64(fallback))]
        case .number(let range): ["type": "number", "minimum": .number(range.lowerBound), "maximum": .number(range.upperBound)]
        case .words(let words): ["type": "string", "enum": .array(words.map(JSON.string))]
        case .coordinates: ["type": "string", "pattern": #"^-?[0-9]{1,3}(\.[0-9]+)?,-?[0-9]{1,3}(\.[0-9]+)?$"#]
        case .matching(let pattern): ["type": "string", "pattern": .string(pattern)]
        }
    }
}

/// A request body: JSON of a schema in `OpenAPISchemas`, or a file.
struct RequestBody: Sendable {
    enum Media: Sendable {
        case json(String)
        /// Raw bytes.
        case file
        /// Raw bytes or the one file part of multipart/form-data, as piles upload.
        case upload
    }

    let media: Media
    let required: Bool
    let example: JSON?
    /// The largest body the route takes; a bigger one is 413 before it is read whole.
    let limit: Int

    /// What a JSON body may hold.
    static let jsonLimit = 1 << 20
    /// What a firmware or upload may hold.
    static let fileLimit = 64 << 20

    static func json(_ schema: String, required: Bool = true, example: JSON? = nil) -> RequestBody {
        RequestBody(media: .json(schema), required: required, example: example, limit: jsonLimit)
    }

    static let file = RequestBody(media: .file, required: false, example: nil, limit: fileLimit)
    static let upload = RequestBody(media: .upload, required: false, example: nil, limit: fileLimit)

    /// The schema name of a JSON body.
    var schema: String? { if case .json(let name) = media { name } else { nil } }
}

/// One documented answer of a route.
struct Reply: Sendable {
    enum Content: Sendable {
        /// A schema of `OpenAPISchemas` by name.
        case one(String)
        /// An array of such.
        case list(String)
        case anyObject
        case media(String)
        /// `{"error": …}`, the shared error response.
        case error
    }

    let status: Int
    let description: String
    let content: Content

    static func ok(_ description: String, _ content: Content, status: Int = 200) -> Reply {
        Reply(status: status, description: description, content: content)
    }

    /// An error status whose meaning the shared error response says.
    static func fails(_ statuses: Int...) -> [Reply] { statuses.map { Reply(status: $0, description: "", content: .error) } }

    /// An error status with its own words (the code it carries and what it means).
    static func fails(_ status: Int, _ description: String) -> Reply { Reply(status: status, description: description, content: .error) }

    static let html = Reply.ok("The page", .media("text/html"))
    /// The answers of a route that sends a command to a pile (docs/api.md, "Operator commands").
    static let commandFailures = fails(400, 404, 409, 502, 503, 504)
}
