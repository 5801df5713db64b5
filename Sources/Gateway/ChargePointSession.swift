import CoreMetrics
import Foundation
import PileSecurity
import Logging
import NIOCore
import OCPP
import OCPPWebSocket
import SessionStore

/// What every pile's session shares: configuration, store, authorization, registry.
struct GatewayServices: Sendable {
    let configuration: GatewayConfiguration
    let store: any SessionStore
    let authorizer: Authorizer
    let registry: ChargePointRegistry
    let dataTransfer: DataTransferHandlers
    let knownChargePoints: [String: GatewayConfiguration.KnownChargePoint]
    let tariffs: TariffBook
    /// Accounts by lower-cased id tag and VIN, to name the account of a session the pile starts.
    let accountsByTag: [String: Account]
    let events: GatewayEvents
    let metrics: GatewayMetrics
    let logger: Logger
    /// The gateway's own operations' state (local-list pushes after boot).
    let operations: OperationsState
    /// Boots per identity across connections (boot.reconnect-loop).
    let boots = BootLoopWatch()
    /// Signs piles' CSRs (security.ca); nil answers them Rejected.
    let certificateAuthority: CertificateAuthority?
    /// Station load management (`sites`): told of starts, stops and power readings.
    let load: LoadManager
}

/// The gateway's side of one pile's connection. It lives on the connection's event
/// loop: every frame of this pile is handled here without locks; the only hop is to the
/// store's writer and back.
final class ChargePointSession: RPCConnectionDelegate {
    let identity: String
    let version: OCPPVersion
    let services: GatewayServices
    private(set) weak var connection: RPCConnection?
    private let token: ObjectIdentifier
    /// This pile's running transactions, for live events; empty (and unallocated) when idle.
    var live: [Int64: LiveTransaction] = [:]
    /// The last stopped transaction per connector: billed again when the car leaves.
    var lastStopped: [Int: Int64] = [:]
    private var connectedMeter: Meter?
    /// Strict or lenient, tolerances, rules off: its network's or model's policy, decided at
    /// connect and again when its BootNotification names the model, not per frame.
    private(set) var policy: PilePolicy
    var mode: ValidationMode { policy.validation }
    var tolerances: RuleTolerances { policy.tolerances }
    /// What the compliance rules remember of this connection (ComplianceChecks.swift).
    var compliance: ComplianceState
    /// Sessions the pile may have forgotten, while any are suspected (SessionReconciliation.swift).
    var reconcile: ReconcileWatch?
    /// A 2.0.1 pile's transactions by its own id, as this connection saw their events.
    var eventSequences: [String: V201TransactionTrack] = [:]
    /// Our GetChargingProfiles awaiting their reports (SmartChargingEvents.swift); nil until one is sent.
    var profileReports: ProfileReports?

    /// The handlers of this pile's version.
    var handlers: HandlerTable {
        switch version {
        case .v16: v16Handlers
        case .v201: v201Handlers
        }
    }

    init(connection: RPCConnection, services: GatewayServices) {
        identity = connection.identity
        version = connection.version
        self.services = services
        self.connection = connection
        token = ObjectIdentifier(connection)
        let known = services.knownChargePoints[connection.identity]
        policy = services.configuration.policy(network: known?.network, model: known?.model)
        compliance = ComplianceState(openedAt: Date(), heartbeatInterval: Double(services.configuration.heartbeatInterval))
    }

    /// The pile named its model: its policy may be the model's.
    func modelBooted(_ model: String) {
        policy = services.configuration.policy(network: services.knownChargePoints[identity]?.network, model: model)
    }

    /// Made when something is logged (rarely), not kept per pile: a Logger with its own
    /// metadata costs an allocation, and 30,000 piles keep 30,000 sessions.
    var logger: Logger {
        var logger = services.logger
        logger[metadataKey: "chargePoint"] = "\(identity)"
        return logger
    }

    var store: any SessionStore { services.store }

    // MARK: RPCConnectionDelegate

    func rpcConnection(_ connection: RPCConnection, didReceive call: IncomingCall) {
        if call.messageId.count > RPCFrame.maximumMessageIdLength {
            record(.messageIdTooLong, "message id of \(call.messageId.count) characters", messageId: call.messageId)
        }
        if checkMessageId(call) { return }
        switch handlers.route(call.action, role: "central system") {
        case .handler(let handle):
            handle(call, self)
        case .refused(let error):
            // A message of the other version on this connection: say which, precisely.
            if error.code == .notImplemented, let other = OCPPVersion.supported.first(where: { $0 != version && $0.catalog[call.action] != nil }) {
                let detail = "\(call.action) is an OCPP \(other.label) message; this connection speaks \(version.label)"
                record(.otherVersionAction, detail, messageId: call.messageId)
                replyError(to: call, RPCError(.notImplemented, detail))
                return
            }
            record(.unknownAction, error.description, messageId: call.messageId)
            replyError(to: call, error)
        }
    }

    func rpcConnection(_ connection: RPCConnection, didObserve event: RPCEvent) {
        switch event {
        case .frame(let tap):
            services.metrics.frame(
                action: tap.action, incoming: tap.direction == .incoming, messageType: tap.messageType, latencySeconds: tap.latency)
            if tap.direction == .incoming { noteIncoming(at: tap.time) } else if tap.messageType == 2 { noteOutgoing(tap) }
            if tap.direction == .incoming && tap.messageType == 3 { noteConfigurationReply(tap) }
            if tap.direction == .incoming && tap.messageType != 2 && profileReports != nil { noteProfilesReply(tap) }
            if tap.direction == .incoming && (tap.messageType == 3 || tap.messageType == 4) { checkReply(tap) }
            store.append(
                frame: FrameRecord(
                    time: tap.time, direction: tap.direction == .incoming ? .incoming : .outgoing, chargePointId: identity,
                    messageType: tap.messageType, messageId: tap.messageId, action: tap.action,
                    text: tap.direction == .outgoing ? Redaction.frame(action: tap.action, messageType: tap.messageType, text: tap.text) : tap.text,
                    latencyMs: tap.latency.map { $0 * 1000 }))
        case .malformedFrame(let error):
            if case .unknownMessageType(let type) = error.kind {
                logger.notice("ignored a frame of unknown message type \(type)", metadata: ["messageId": "\(error.messageId ?? "-")"])
                record(.unknownMessageType, error.reason, messageId: error.messageId)
            } else {
                logger.notice("malformed frame: \(error.reason)", metadata: ["messageId": "\(error.messageId ?? "-")"])
                record(.malformedFrame, error.reason, messageId: error.messageId)
            }
        case .unsolicitedReply(let id):
            logger.notice("reply to no outstanding call", metadata: ["messageId": "\(id)"])
            record(.unsolicitedReply, "reply with id \(id) matches no CALL in flight", messageId: id)
        case .callTimedOut(let action, let id):
            logger.warning("\(action) not answered in time", metadata: ["messageId": "\(id)"])
            record(.callTimeout, "\(action) not answered within \(services.configuration.callTimeout) s", messageId: id)
        case .overlappingCall(let id, let action, let earlierId, let earlierAction, let waited):
            overlappingCall(id, action, unanswered: earlierId, earlierAction, waited: waited)
        case .webSocket(.keepaliveTimedOut):
            logger.warning("no pong: closing and marking offline")
            record(.keepaliveTimeout, "no answer to a WebSocket ping within \(services.configuration.pingInterval * 2) s", messageId: nil)
        case .webSocket(.oversizedMessage(let detail)):
            logger.warning("oversized message refused: \(detail)")
            record(.oversizedMessage, "\(detail) (\(services.configuration.maxMessageSize) bytes)", messageId: nil)
        case .webSocket(.binaryFrame):
            record(.binaryFrame, "binary frame received; closing with 1003", messageId: nil)
        case .webSocket(.protocolViolation(let detail)):
            logger.warning("WebSocket protocol violation, connection failed: \(detail)")
        case .webSocket(.peerClosed):
            break
        }
    }

    func rpcConnectionDidClose(_ connection: RPCConnection) {
        // Only the current connection of this identity marks the pile offline (docs/ocpp-notes.md, pitfall 10).
        guard services.registry.remove(identity, token: token) else {
            logger.info("replaced connection closed")
            return
        }
        logger.info("disconnected")
        connectedMeter?.decrement()
        let now = Date()
        store.submit(.connection(chargePointId: identity, connected: false, at: now), frame: nil, findings: []) { _ in }
        // A scan waiting for this pile's start cannot start now: the account may scan elsewhere.
        services.close(.failStartingScans(chargePointId: identity, connectorId: nil, failure: "pile_offline", at: now))
        services.events.publish(.connection(chargePointId: identity, connected: false, at: now))
    }

    /// Counts this pile as connected, by network and version, until it disconnects.
    func countConnected() {
        connectedMeter = services.metrics.connected(network: services.knownChargePoints[identity]?.network, version: version)
        connectedMeter?.increment()
    }

    // MARK: Helpers for handlers

    /// Validates a request; on failure answers the CALLERROR and returns nil.
    func decode<A: OCPPAction>(_ action: A.Type, _ call: IncomingCall) -> (A.Request, [FindingRecord])? {
        guard let (payload, findings) = validate(action, call), let request = typed(action, payload, call) else { return nil }
        return (request, findings)
    }

    /// Checks a request against its schema (repairing it in lenient mode); on failure
    /// answers the CALLERROR and returns nil.
    func validate<A: OCPPAction>(_ action: A.Type, _ call: IncomingCall) -> (JSON, [FindingRecord])? {
        do {
            let (payload, deviations) = try SchemaValidator.validate(call.payload, against: A.Request.schema, mode: mode)
            let kept = deviations.filter { policy.checks(FindingRule.deviation($0.kind)) }
            return (payload, kept.map { finding(FindingRule.deviation($0.kind), "\(A.name) \($0.description)", messageId: call.messageId) })
        } catch {
            logger.notice("\(A.name) rejected: \(error)", metadata: ["messageId": "\(call.messageId)"])
            record(.schemaViolation, "\(A.name): \(error)", messageId: call.messageId)
            replyError(to: call, error.rpcError)
            return nil
        }
    }

    /// Decodes a validated payload into its type; a failure here is our bug (schema and type disagree).
    func typed<A: OCPPAction>(_ action: A.Type, _ payload: JSON, _ call: IncomingCall) -> A.Request? {
        do {
            return try JSONValueDecoder().decode(A.Request.self, from: payload)
        } catch {
            logger.error("\(A.name) passed its schema but did not decode: \(error)", metadata: ["messageId": "\(call.messageId)"])
            replyError(to: call, RPCError(.internalError, "\(A.name) could not be decoded"))
            return nil
        }
    }

    func reply<A: OCPPAction>(_ action: A.Type, to call: IncomingCall, _ response: A.Response) {
        connection?.reply(to: call, result: A.encode(response))
    }

    func replyError(to call: IncomingCall, _ error: RPCError) {
        services.metrics.callError(error.code.wireName(for: version), direction: "out")
        connection?.reply(to: call, error: error)
    }

    func finding(_ rule: FindingRule, _ detail: String, messageId: String?, sessionId: Int64? = nil) -> FindingRecord {
        FindingRecord(
            rule: rule.id, severity: rule.severity.rawValue, chargePointId: identity, sessionId: sessionId, messageId: messageId,
            detail: detail, time: Date())
    }

    /// Stores a finding on its own, without waiting.
    func record(_ rule: FindingRule, _ detail: String, messageId: String?, sessionId: Int64? = nil) {
        guard policy.checks(rule) else { return }
        let record = finding(rule, detail, messageId: messageId, sessionId: sessionId)
        store.submit(.none, frame: nil, findings: [record]) { _ in }
        services.events.publish(.finding(record))
    }

    /// Makes `command` durable, then continues on this session's event loop. If the
    /// store fails, the pile gets an InternalError CALLERROR and will retry: nothing it
    /// believes delivered is lost.
    func commit(
        _ command: StoreCommand, findings: [FindingRecord], answering call: IncomingCall,
        then: @escaping (ChargePointSession, StoreOutcome) -> Void
    ) {
        guard let eventLoop = connection?.eventLoop else { return }
        let bound = NIOLoopBound((self, then), eventLoop: eventLoop)
        store.submit(command, frame: nil, findings: findings) { result in
            eventLoop.execute {
                let (session, then) = bound.value
                switch result {
                case .success(let outcome):
                    then(session, outcome)
                case .failure(let error):
                    session.logger.error("store write failed: \(error)", metadata: ["messageId": "\(call.messageId)"])
                    session.replyError(to: call, RPCError(.internalError, "the central system could not store this message; retry"))
                }
            }
        }
    }
}
