/// An OCPP-J protocol version, named by its WebSocket subprotocol token.
public enum OCPPVersion: String, Sendable, Hashable, CaseIterable, Codable {
    case v16 = "ocpp1.6"
    case v201 = "ocpp2.0.1"

    public var subprotocol: String { rawValue }

    /// A short label for logs and reports ("1.6", "2.0.1").
    public var label: String {
        switch self {
        case .v16: "1.6"
        case .v201: "2.0.1"
        }
    }

    /// The versions the gateway negotiates.
    public static let supported: [OCPPVersion] = [.v16, .v201]
}

extension OCPPVersion {
    /// Every action of this version, by wire name.
    public var catalog: ActionCatalog {
        switch self {
        case .v16: V16.catalog
        case .v201: V201.catalog
        }
    }
}
