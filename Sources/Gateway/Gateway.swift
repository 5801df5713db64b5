import Foundation
import Logging
import NIOCore
import NIOHTTP1
import OCPP
import OCPPWebSocket
import PileSecurity
import SessionStore
import Synchronization

/// The central system: decides who may connect, gives each connection its session
/// handler, and offers typed remote commands to the rest of the program.
public final class Gateway: HandshakePolicy, OCPPConnectionAcceptor {
    public let configuration: GatewayConfiguration
    public let store: any SessionStore
    let services: GatewayServices
    let logger: Logger
    /// Status, connection, session and finding changes, for live views.
    public var events: GatewayEvents { services.events }
    public let accounts: [String: Account]
    /// Vehicle profiles for charge-time estimates (`vehicles` in the configuration).
    public let vehicles: VehicleCatalog
    /// Where firmware and uploads are kept on disk (`files.directory`).
    public let fileDirectory: String
    /// The base URL piles reach this gateway at, once known (`files.publicURL`, else the served address).
    let servedAddress = Mutex<String?>(nil)
    /// Security profiles and passwords: who may log in as which pile (PileCredentials.swift).
    let credentials: PileCredentials
    /// What keeps the gateway from serving as configured (a CA file that does not load);
    /// `pilegate serve` refuses to start with any.
    public let startupProblems: [String]
    /// Relay mode (`upstream` in the configuration): each pile passed on to the operator's backend.
    let relay: Relay?

    public init(configuration: GatewayConfiguration, store: any SessionStore, logger: Logger = Logger(label: "pilegate.gateway")) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        accounts = Dictionary(configuration.accounts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        vehicles = VehicleCatalog.load(directory: configuration.vehicles)
        fileDirectory = configuration.files.directory ?? (NSTemporaryDirectory() + "pilegate-files-\(UUID().uuidString)")
        credentials = PileCredentials(configuration: configuration, logger: logger)
        var authority: CertificateAuthority?
        var problems: [String] = []
        if let ca = configuration.security.ca {
            do {
                authority = try CertificateAuthority(
                    certificatePEM: try String(contentsOfFile: ca.certificate, encoding: .utf8), keyPEM: try String(contentsOfFile: ca.key, encoding: .utf8))
            } catch {
                problems.append("security.ca (\(ca.certificate), \(ca.key)): \(error)")
            }
        }
        var relay: Relay?
        if let upstream = configuration.upstream {
            do {
                relay = try Relay(settings: upstream, logger: logger)
            } catch {
                problems.append("upstream (\(upstream.url)): \(error)")
            }
        }
        self.relay = relay
        startupProblems = problems
        let events = GatewayEvents()
        services = GatewayServices(
            configuration: configuration, store: store, authorizer: Authorizer(configuration: configuration),
            registry: ChargePointRegistry(), dataTransfer: DataTransferHandlers(acceptedVendors: configuration.dataTransferVendors),
            knownChargePoints: Dictionary(configuration.chargePoints.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }),
            tariffs: TariffBook(configuration.tariffs),
            accountsByTag: Dictionary(
                configuration.accounts.flatMap { account in ([account.idTag] + [account.vin].compactMap { $0 }).map { ($0.lowercased(), account) } },
                uniquingKeysWith: { first, _ in first }),
            events: events, metrics: GatewayMetrics(), logger: logger, operations: OperationsState(),
            certificateAuthority: authority, load: LoadManager(configuration: configuration, store: store, events: events, logger: logger))
        services.load.attach { [weak self] chargePointId, connectorId, profile throws(CommandFailure) in
            guard let self else { throw CommandFailure.pileOffline(chargePointId) }
            let (_, answer) = try await self.setChargingProfile(chargePointId, connectorId: connectorId, profile: profile, issuedBy: LoadManager.issuer)
            return answer["status"]?.stringValue ?? "?"
        }
        if configuration.localList.push == .auto {
            services.operations.onAcceptedBoot { [weak self] id in
                guard let self else { return }
                Task { await self.pushLocalList(id) }
            }
        }
    }

    /// The registry entry of a pile, if the configuration knows it.
    public func knownChargePoint(_ id: String) -> GatewayConfiguration.KnownChargePoint? { services.knownChargePoints[id] }

    /// A pile's network: the registry's word, else what the store recorded.
    public func network(ofChargePoint id: String, stored: String?) -> String? {
        knownChargePoint(id)?.network ?? stored
    }

    /// The network a pile's QR codes name when none is known.
    public static let unknownNetwork = "unknown"

    /// Re-learns running transactions (so ConcurrentTx holds across restarts) and the
    /// store's id tags.
    public func restoreState() async throws {
        try await reloadIdTags()
        credentials.restore(try await store.credentials())
        for session in try await store.sessions(chargePointId: nil, status: .starting, limit: 1_000_000) {
            expireScan(session.id, after: max(0, configuration.scanStartTimeout - Date().timeIntervalSince(session.startTime)))
        }
        let active = try await store.sessions(chargePointId: nil, status: .active, limit: 1_000_000)
        services.metrics.activeSessions.set(Double(active.count))
        restoreSiteSessions(active)
        for session in active {
            guard let tag = session.idTag, session.authorizationStatus == TokenStatus.accepted.rawValue else { continue }
            services.authorizer.transactionStarted(
                .init(chargePointId: session.chargePointId, connectorId: session.connectorId, transactionId: session.id), idTag: tag)
        }
    }

    /// Reads the id tags kept in the store again (after adding some with `.putIdTag`).
    public func reloadIdTags() async throws {
        services.authorizer.load(stored: try await store.idTags())
        if configuration.localList.push == .auto {
            for id in connectedChargePoints { Task { await pushLocalList(id) } }
        }
    }

    /// The transport settings this configuration implies.
    public func serverConfiguration(host: String, port: Int) -> OCPPServerConfiguration {
        var server = OCPPServerConfiguration()
        server.host = host
        server.port = port
        server.maxMessageSize = configuration.maxMessageSize
        server.handshakeTimeout = .nanoseconds(Int64(configuration.handshakeTimeout * 1e9))
        server.maxPendingHandshakes = configuration.maxPendingHandshakes
        server.callTimeout = .nanoseconds(Int64(configuration.callTimeout * 1e9))
        server.pingInterval = configuration.pingInterval > 0 ? .nanoseconds(Int64(configuration.pingInterval * 1e9)) : nil
        return server
    }

    // MARK: HandshakePolicy

    public func evaluate(_ request: HandshakeRequest, on eventLoop: any EventLoop) -> Answer<HandshakeDecision> {
        let known = services.knownChargePoints[request.identity]
        if known == nil && configuration.unknownChargePoints == .refuse {
            return .now(.refuse(status: .notFound, reason: "unknown charge point \(request.identity)"))
        }
        let admitted = credentials.admit(request, on: eventLoop)
        if let relay {
            let loop = eventLoop
            return .later(
                admitted.future(on: eventLoop).flatMap { [self] admission in
                    switch admission {
                    case .admitted: relayHandshake(request, known: known, relay: relay, on: loop)
                    case .refused(let status, let reason):
                        loop.makeSucceededFuture(.refuse(status: HTTPResponseStatus(statusCode: status.rawValue), reason: reason))
                    }
                })
        }
        return admitted.map { [self] admission in
            switch admission {
            case .admitted: negotiate(request, known: known, preferring: configuration.preferredVersion)
            case .refused(let status, let reason): .refuse(status: HTTPResponseStatus(statusCode: status.rawValue), reason: reason)
            }
        }
    }

    /// The subprotocol, once the pile is let in: `preferring` when offered, else the pile's first choice.
    func negotiate(_ request: HandshakeRequest, known: GatewayConfiguration.KnownChargePoint?, preferring: OCPPVersion?) -> HandshakeDecision {
        guard let offered = request.offeredSubprotocols else {
            if configuration.validation(network: known?.network, model: known?.model) == .lenient {
                return .accept(version: .v16, subprotocolMissing: true)
            }
            return .refuse(status: .badRequest, reason: "no Sec-WebSocket-Protocol header; offer ocpp1.6")
        }
        // Ours among those offered (a pinned pile: only its version); of two, the preferred one.
        let ours = offered.compactMap(OCPPVersion.init(rawValue:)).filter { OCPPVersion.supported.contains($0) && (known?.ocppVersion ?? $0) == $0 }
        guard let first = ours.first else {
            let wanted = known?.ocppVersion.map { [$0] } ?? OCPPVersion.supported
            return .acceptThenClose(
                reason: "none of the offered subprotocols (\(offered.joined(separator: ", "))) is supported; use \(wanted.map(\.subprotocol).joined(separator: " or "))")
        }
        return .accept(version: preferring.flatMap { ours.contains($0) ? $0 : nil } ?? first, subprotocolMissing: false)
    }

    // MARK: OCPPConnectionAcceptor

    public func accept(_ connection: RPCConnection, request: HandshakeRequest, subprotocolMissing: Bool) {
        let session = ChargePointSession(connection: connection, services: services)
        connection.delegate = session
        connection.owner = session
        if let relay { relayAccepted(connection, request: request, judge: session, relay: relay) }
        let entry = ChargePointRegistry.Entry(peer: RPCPeer(connection), token: ObjectIdentifier(connection))
        if let replaced = services.registry.register(entry, for: connection.identity) {
            logger.info("new connection replaces the open one", metadata: ["chargePoint": "\(connection.identity)"])
            replaced.peer.close(code: .policyViolation, reason: "replaced by a new connection")
        }
        logger.info(
            "connected over \(connection.version.subprotocol) from \(request.remoteAddress ?? "?")",
            metadata: ["chargePoint": "\(connection.identity)"])
        session.countConnected()
        events.publish(.connection(chargePointId: connection.identity, connected: true, at: Date()))
        var findings: [FindingRecord] = []
        if subprotocolMissing && session.shouldRecord(.missingSubprotocol) {
            findings.append(session.finding(.missingSubprotocol, "no Sec-WebSocket-Protocol header; accepted as ocpp1.6", messageId: nil))
        }
        if let authorization = request.authorization, let scheme = authorization.split(separator: " ").first, scheme != "Basic",
            scheme.lowercased() == "basic", session.shouldRecord(.basicSchemeCase)
        {
            findings.append(session.finding(.basicSchemeCase, "Authorization scheme \"\(scheme)\"; OCPP writes \"Basic\"", messageId: nil))
        }
        store.submit(.connection(chargePointId: connection.identity, connected: true, at: Date()), frame: nil, findings: findings) { _ in }
    }

    // MARK: For the rest of the program

    /// The live connection of a pile, if it is connected to this gateway process.
    public func peer(_ chargePointId: String) -> RPCPeer? { services.registry.peer(chargePointId) }

    public var connectedChargePoints: [String] { services.registry.identities.sorted() }
    public var connectedCount: Int { services.registry.count }

    /// Answers DataTransfer from piles (of either version) for `vendorId`.
    public func handleDataTransfer(vendorId: String, _ handler: @escaping @Sendable (_ chargePointId: String, VendorData) -> VendorDataAnswer) {
        services.dataTransfer.register(vendorId: vendorId, handler)
    }

    /// Closes every pile's connection with a close frame (1001 going away) and waits for
    /// the sockets to close; a pile that does not answer the close frame is cut off after 3 s.
    public func disconnectAll() async {
        services.load.stop()
        let peers = services.registry.all
        for peer in peers { peer.close(code: .goingAway, reason: "central system shutting down") }
        for peer in peers { try? await peer.closeFuture.get() }
        await relay?.retireAll()
    }
}

/// A pile's DataTransfer, in words both versions share (2.0.1's JSON `data` as its text).
public struct VendorData: Sendable {
    public var vendorId: String
    public var messageId: String?
    public var data: String?
}

public struct VendorDataAnswer: Sendable {
    /// The same four words in 1.6 and 2.0.1.
    public enum Status: String, Sendable { case accepted = "Accepted", rejected = "Rejected", unknownMessageId = "UnknownMessageId", unknownVendorId = "UnknownVendorId" }
    public var status: Status
    public var data: String?

    public init(status: Status, data: String? = nil) {
        self.status = status
        self.data = data
    }
}

/// Registered DataTransfer handlers by vendor id.
final class DataTransferHandlers: Sendable {
    typealias Handler = @Sendable (String, VendorData) -> VendorDataAnswer
    private let handlers: Mutex<[String: Handler]>

    init(acceptedVendors: [String]) {
        let accept: Handler = { _, _ in VendorDataAnswer(status: .accepted) }
        handlers = Mutex(Dictionary(acceptedVendors.map { ($0, accept) }, uniquingKeysWith: { a, _ in a }))
    }

    func register(vendorId: String, _ handler: @escaping Handler) {
        handlers.withLock { $0[vendorId] = handler }
    }

    func handle(_ request: VendorData, from chargePointId: String) -> VendorDataAnswer {
        guard let handler = handlers.withLock({ $0[request.vendorId] }) else { return .init(status: .unknownVendorId) }
        return handler(chargePointId, request)
    }
}

