/// Which handler answers an incoming CALL, shared by both roles (the gateway's tables per
/// version and the simulator's): a handled action goes to its handler; one the version
/// defines (or a profile we do not serve) but nobody handles is `NotSupported`; a name the
/// version does not have at all is `NotImplemented` (OCPP-J §4.2.3).
public struct CallRouter<Handler> {
    public enum Route {
        case handler(Handler)
        case refused(RPCError)
    }

    public let version: OCPPVersion
    private let handlers: [String: Handler]
    private let catalog: ActionCatalog
    private let knownElsewhere: Set<String>

    /// `knownElsewhere`: actions of the version that the catalog does not type (profiles not served).
    public init(version: OCPPVersion, catalog: ActionCatalog, knownElsewhere: Set<String> = [], handlers: [String: Handler]) {
        self.version = version
        self.catalog = catalog
        self.knownElsewhere = knownElsewhere
        self.handlers = handlers
    }

    public func route(_ action: String, role: String) -> Route {
        if let handler = handlers[action] { return .handler(handler) }
        if catalog[action] != nil || knownElsewhere.contains(action) {
            return .refused(RPCError(.notSupported, "\(action) is not supported by this \(role)"))
        }
        return .refused(RPCError(.notImplemented, "unknown action \(action)"))
    }

    public var handledActions: [String] { handlers.keys.sorted() }
}

extension CallRouter: Sendable where Handler: Sendable {}
