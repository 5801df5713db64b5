/// A request or response body: a Codable value that knows its JSON schema.
public protocol OCPPPayload: Codable, Sendable {
    static var schema: Schema { get }
}

/// Which side of the link starts an action.
public enum Initiator: String, Sendable, Codable {
    case chargePoint
    case centralSystem
    /// Either side (DataTransfer).
    case either
}

/// One OCPP action: its name on the wire, who sends it, and its typed request and
/// response. Dispatch tables and typed remote calls
/// (`try await pile.call(V16.RemoteStartTransaction.self, request)`) derive from this.
public protocol OCPPAction: Sendable {
    associatedtype Request: OCPPPayload
    associatedtype Response: OCPPPayload
    static var name: String { get }
    static var version: OCPPVersion { get }
    static var initiator: Initiator { get }
}

extension OCPPAction {
    /// Validates and decodes a request payload. Deviations are returned, not thrown, in lenient mode.
    public static func decodeRequest(_ json: JSON, mode: ValidationMode) throws(ValidationError) -> (Request, [PayloadDeviation]) {
        try decode(Request.self, json, mode: mode)
    }

    public static func decodeResponse(_ json: JSON, mode: ValidationMode) throws(ValidationError) -> (Response, [PayloadDeviation]) {
        try decode(Response.self, json, mode: mode)
    }

    static func decode<P: OCPPPayload>(_ type: P.Type, _ json: JSON, mode: ValidationMode) throws(ValidationError) -> (P, [PayloadDeviation]) {
        let (repaired, deviations) = try SchemaValidator.validate(json, against: P.schema, mode: mode)
        do {
            return (try JSONValueDecoder().decode(P.self, from: repaired), deviations)
        } catch {
            // The schema and the type disagree: our bug, not the peer's.
            throw ValidationError(code: .internalError, path: "", rule: "payload passed the schema but not decoding: \(error)")
        }
    }

    /// Checks a request payload strictly, without the type: for payloads that go on the
    /// wire as given (an operator's command).
    public static func checkRequest(_ json: JSON) throws(ValidationError) {
        _ = try SchemaValidator.validate(json, against: Request.schema, mode: .strict)
    }

    /// Checks a response payload strictly; nil when it conforms.
    public static func responseProblem(_ json: JSON) -> ValidationError? {
        do {
            _ = try SchemaValidator.validate(json, against: Response.schema, mode: .strict)
            return nil
        } catch {
            return error
        }
    }

    /// Checks a response payload leniently: the deviations a lenient reader repairs, or the
    /// violation it cannot (the peer's answer to our CALL, judged like its own CALLs).
    public static func responseDeviations(_ json: JSON) throws(ValidationError) -> [PayloadDeviation] {
        try SchemaValidator.validate(json, against: Response.schema, mode: .lenient).1
    }

    /// The request leniently read: repaired where it deviates, with the deviations (a
    /// relay's repairs), or the violation no reading can mend.
    public static func repairedRequest(_ json: JSON) throws(ValidationError) -> (JSON, [PayloadDeviation]) {
        try SchemaValidator.validate(json, against: Request.schema, mode: .lenient)
    }

    public static func encode<P: OCPPPayload>(_ payload: P) -> JSON {
        (try? JSONValueEncoder().encode(payload)) ?? .object(JSONObject())
    }
}

/// The actions of one protocol version, looked up by wire name.
public struct ActionCatalog: Sendable {
    public let version: OCPPVersion
    private let actions: [String: any OCPPAction.Type]

    public init(version: OCPPVersion, _ actions: [any OCPPAction.Type]) {
        self.version = version
        self.actions = Dictionary(actions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public subscript(name: String) -> (any OCPPAction.Type)? { actions[name] }

    public var names: [String] { actions.keys.sorted() }
}
