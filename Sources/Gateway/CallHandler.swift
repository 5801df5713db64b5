import OCPP
import OCPPWebSocket
import SessionStore

/// The central system's answer to one action of one version, in the spirit of the Python
/// library's `@on(Action.X)`: the table validates the request against the action's
/// schema (repairing it in lenient mode, with findings), then hands it over. A handler
/// turns the version's message into neutral events on the pile (PileEvents.swift) and
/// writes the version's reply; it knows its version, nothing after it does.
protocol CallHandler: Sendable {
    associatedtype Action: OCPPAction
    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord])
}

/// A handler that reads the validated JSON itself, for the busiest messages (MeterValues),
/// where Codable cost about an eighth of the gateway's CPU at load.
protocol ValidatedJSONHandler: Sendable {
    associatedtype Action: OCPPAction
    func handle(validated payload: JSON, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord])
}

/// One entry of a version's table: validate, decode, handle.
typealias HandlerEntry = @Sendable (IncomingCall, ChargePointSession) -> Void

extension CallHandler {
    var entry: (String, HandlerEntry) {
        (Action.name, { call, pile in
            guard let (request, findings) = pile.decode(Action.self, call) else { return }
            self.handle(request, call, pile, findings: findings)
        })
    }
}

extension ValidatedJSONHandler {
    var entry: (String, HandlerEntry) {
        (Action.name, { call, pile in
            guard let (payload, findings) = pile.validate(Action.self, call) else { return }
            self.handle(validated: payload, call, pile, findings: findings)
        })
    }
}

/// The handlers of one version, by action name.
typealias HandlerTable = CallRouter<HandlerEntry>

extension CallRouter where Handler == HandlerEntry {
    init(version: OCPPVersion, catalog: ActionCatalog, knownElsewhere: Set<String>, _ entries: [(String, HandlerEntry)]) {
        self.init(
            version: version, catalog: catalog, knownElsewhere: knownElsewhere,
            handlers: Dictionary(entries, uniquingKeysWith: { first, _ in first }))
    }
}
