/// One OCPP-J RPC message: `[2, id, action, payload]`, `[3, id, payload]` or
/// `[4, id, code, description, details]`.
public enum RPCFrame: Sendable, Equatable {
    case call(messageId: String, action: String, payload: JSON)
    case callResult(messageId: String, payload: JSON)
    case callError(messageId: String, error: RPCError)

    public static let maximumMessageIdLength = 36

    public var messageId: String {
        switch self {
        case .call(let id, _, _), .callResult(let id, _), .callError(let id, _): id
        }
    }

    public var messageTypeId: Int {
        switch self {
        case .call: 2
        case .callResult: 3
        case .callError: 4
        }
    }

    /// The JSON array as it goes on the wire, with error codes spelled for `version`.
    public func json(for version: OCPPVersion) -> JSON {
        switch self {
        case .call(let id, let action, let payload):
            [2, .string(id), .string(action), payload]
        case .callResult(let id, let payload):
            [3, .string(id), payload]
        case .callError(let id, let error):
            [4, .string(id), .string(error.code.wireName(for: version)), .string(error.description), error.details]
        }
    }

    public func encoded(for version: OCPPVersion) -> [UInt8] { json(for: version).bytes }
}

/// The body of a CALLERROR.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: RPCErrorCode
    /// Free text, at most 255 characters on the wire (2.x limit; 1.6 sets none).
    public var description: String
    public var details: JSON
    /// The code as the peer spelled it, kept for findings and logs.
    public var wireCode: String?

    public init(_ code: RPCErrorCode, _ description: String, details: JSON = .object(JSONObject()), wireCode: String? = nil) {
        self.code = code
        self.description = String(description.prefix(255))
        self.details = details
        self.wireCode = wireCode
    }
}

/// Why bytes from the peer are not an RPC frame. Each case knows how the spec wants it
/// answered; `messageId` is the id when it could be read, so the answer can echo it.
public struct RPCFrameError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Not JSON at all.
        case invalidJSON
        /// JSON, but not an array of the right shape, or the id is not a string.
        case malformedFrame
        /// A message type id we do not know: 1.6 ignores it, 2.0.1 answers MessageTypeNotSupported.
        case unknownMessageType(Int64)
    }

    public let kind: Kind
    public let messageId: String?
    public let reason: String

    public var description: String { reason }

    /// The CALLERROR to send back, or nil when the spec says to ignore the frame.
    public func reply(for version: OCPPVersion) -> RPCFrame? {
        switch (kind, version) {
        case (.unknownMessageType, .v16): return nil
        case (.unknownMessageType, _):
            return .callError(messageId: messageId ?? "-1", error: RPCError(.messageTypeNotSupported, reason))
        case (.invalidJSON, .v16), (.malformedFrame, .v16):
            return .callError(messageId: messageId ?? "-1", error: RPCError(.formatViolation, reason))
        case (.invalidJSON, _), (.malformedFrame, _):
            // 2.0.1 Part 4 §4.2.3: answer with id "-1" when the id is unreadable.
            return .callError(messageId: messageId ?? "-1", error: RPCError(.rpcFrameworkError, reason))
        }
    }
}

extension RPCFrame {
    /// Parses a text frame. Never traps; the error says what is wrong and carries the
    /// message id whenever it can be recovered, even from JSON that does not parse.
    public static func parse(_ bytes: some Collection<UInt8>) throws(RPCFrameError) -> RPCFrame {
        let json: JSON
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw RPCFrameError(kind: .invalidJSON, messageId: recoverMessageId(bytes), reason: error.description)
        }
        return try parse(json)
    }

    public static func parse(_ json: JSON) throws(RPCFrameError) -> RPCFrame {
        guard case .array(let items) = json else {
            throw RPCFrameError(kind: .malformedFrame, messageId: nil, reason: "an RPC frame must be a JSON array, got \(json.typeName)")
        }
        guard let first = items.first, case .integer(let typeId) = first else {
            throw RPCFrameError(kind: .malformedFrame, messageId: nil, reason: "element 0 must be the integer message type id")
        }
        // The type decides first: a frame of an unknown type is one, whatever follows, so
        // 1.6 ignores it and 2.0.1 answers MessageTypeNotSupported (with "-1" if no id).
        guard (2...4).contains(typeId) else {
            var id: String?
            if items.count >= 2, case .string(let text) = items[1], !text.isEmpty { id = text }
            throw RPCFrameError(kind: .unknownMessageType(typeId), messageId: id, reason: "unknown message type id \(typeId)")
        }
        guard items.count >= 2, case .string(let id) = items[1] else {
            throw RPCFrameError(kind: .malformedFrame, messageId: nil, reason: "element 1 must be the message id as a string")
        }
        guard !id.isEmpty else {
            throw RPCFrameError(kind: .malformedFrame, messageId: nil, reason: "the message id is empty")
        }
        func shape(_ count: Int, _ layout: String) throws(RPCFrameError) {
            guard items.count == count else {
                throw RPCFrameError(
                    kind: .malformedFrame, messageId: id,
                    reason: "message type \(typeId) must have \(count) elements \(layout), got \(items.count)")
            }
        }
        switch typeId {
        case 2:
            try shape(4, "[2, id, action, payload]")
            guard case .string(let action) = items[2], !action.isEmpty else {
                throw RPCFrameError(kind: .malformedFrame, messageId: id, reason: "element 2 must be the action name as a string")
            }
            guard case .object = items[3] else {
                throw RPCFrameError(
                    kind: .malformedFrame, messageId: id, reason: "the payload must be a JSON object, got \(items[3].typeName)")
            }
            return .call(messageId: id, action: action, payload: items[3])
        case 3:
            try shape(3, "[3, id, payload]")
            return .callResult(messageId: id, payload: items[2])
        case 4:
            try shape(5, "[4, id, errorCode, errorDescription, errorDetails]")
            guard case .string(let code) = items[2], case .string(let text) = items[3] else {
                throw RPCFrameError(
                    kind: .malformedFrame, messageId: id, reason: "errorCode and errorDescription must be strings")
            }
            let error = RPCError(RPCErrorCode(wireName: code) ?? .genericError, text, details: items[4], wireCode: code)
            return .callError(messageId: id, error: error)
        default:
            throw RPCFrameError(kind: .unknownMessageType(typeId), messageId: id, reason: "unknown message type id \(typeId)")
        }
    }

    /// Finds `"id"` right after the opening `[2,` or `[3,` of a frame whose JSON is broken
    /// further on, so the CALLERROR can name the message the peer is waiting on.
    static func recoverMessageId(_ bytes: some Collection<UInt8>) -> String? {
        let b = Array(bytes.prefix(64))
        var i = 0
        func skipSpace() { while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 } }
        skipSpace()
        guard i < b.count, b[i] == UInt8(ascii: "[") else { return nil }
        i += 1
        skipSpace()
        guard i < b.count, (0x32...0x34).contains(b[i]) else { return nil }
        i += 1
        skipSpace()
        guard i < b.count, b[i] == UInt8(ascii: ",") else { return nil }
        i += 1
        skipSpace()
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        let start = i
        while i < b.count, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\"), b[i] >= 0x20 { i += 1 }
        guard i < b.count, b[i] == UInt8(ascii: "\""), i > start, i - start <= maximumMessageIdLength else { return nil }
        return String(decoding: b[start..<i], as: UTF8.self)
    }
}
