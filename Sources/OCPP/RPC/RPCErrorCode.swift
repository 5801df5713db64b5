/// CALLERROR codes, by meaning.
///
/// Two codes are spelled differently per version (OCPP-J 1.6 errata §5.1–5.2 kept the
/// typos `FormationViolation` and `OccurenceConstraintViolation`), so a code is chosen
/// by meaning and spelled for the connection's version. Incoming codes are read in
/// either spelling (docs/ocpp-notes.md, pitfall 12).
public enum RPCErrorCode: String, Sendable, Hashable, CaseIterable, Codable {
    case notImplemented
    case notSupported
    case internalError
    case protocolError
    case securityError
    case formatViolation
    case propertyConstraintViolation
    case occurrenceConstraintViolation
    case typeConstraintViolation
    case genericError
    case messageTypeNotSupported
    case rpcFrameworkError

    public func wireName(for version: OCPPVersion) -> String {
        switch (self, version) {
        case (.formatViolation, .v16): "FormationViolation"
        case (.occurrenceConstraintViolation, .v16): "OccurenceConstraintViolation"
        // 1.6 has neither framework code; the closest 1.6 meaning is a malformed message.
        case (.rpcFrameworkError, .v16), (.messageTypeNotSupported, .v16): "ProtocolError"
        default: rawValue.prefix(1).uppercased() + rawValue.dropFirst()
        }
    }

    /// Reads a code in any version's spelling; nil for codes no version defines.
    public init?(wireName: String) {
        switch wireName {
        case "FormationViolation", "FormatViolation": self = .formatViolation
        case "OccurenceConstraintViolation", "OccurrenceConstraintViolation": self = .occurrenceConstraintViolation
        default:
            guard let first = wireName.first else { return nil }
            guard let code = RPCErrorCode(rawValue: first.lowercased() + wireName.dropFirst()) else { return nil }
            self = code
        }
    }

    /// Whether `wireName` is one of `version`'s own CALLERROR codes, spelled its way: the
    /// other version's spelling or a made-up code is not (a receiver still reads them).
    public static func isDefined(wireName: String, in version: OCPPVersion) -> Bool {
        allCases.contains { $0.wireName(for: version) == wireName }
    }
}
