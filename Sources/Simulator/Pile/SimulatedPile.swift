import Foundation
import NIOCore
import OCPP
import OCPPWebSocket

/// What a simulated pile reports to whoever runs it (fleet progress, tests).
public enum PileEvent: Sendable {
    case connected(pile: String)
    case disconnected(pile: String)
    case booted(pile: String, status: String)
    case sessionStarted(pile: String, connector: Int, transactionId: Int)
    case sessionStopped(pile: String, connector: Int, energyWh: Double, reason: String)
    case sent(pile: String, action: String)
    /// The central system answered a CALL of ours with a CALLERROR, or did not answer.
    case callFailed(pile: String, action: String, error: String)
    /// No connection: `cause` in a few words, the same for every pile it happens to
    /// (`connection refused`, `HTTP 401 Unauthorized`), `detail` the whole message.
    case connectFailed(pile: String, cause: String, detail: String)
    case queued(pile: String, depth: Int)
}

public protocol PileObserver: Sendable {
    func pile(_ event: PileEvent)
}

/// Where and how piles run: shared by every pile of a simulation.
public struct SimulationContext: Sendable {
    public var endpoint: String
    public var clock: VirtualClock
    /// Local address for this pile's socket (fleets spread over 127.0.0.x).
    public var sourceAddress: String?
    /// How late a pile with the slow-replies quirk answers, wall seconds.
    public var slowReplySeconds: Double = 35
    /// Where offline queues are kept across simulated reboots; nil keeps them in memory.
    public var queueDirectory: String?
    public var observer: (any PileObserver)?
    public var callTimeout: TimeAmount = .seconds(30)
    /// Passwords and TLS files the piles log in with (security profiles 1–3).
    public var credentials = PileCredentialsSource.none

    public init(endpoint: String, clock: VirtualClock = VirtualClock(), observer: (any PileObserver)? = nil) {
        self.endpoint = endpoint
        self.clock = clock
        self.observer = observer
    }
}

/// One simulated charge point speaking OCPP 1.6J (or 2.0.1 when its profile says so; the
/// 2.0.1 parts are in `V201/`): boots, keeps its connectors' state
/// machines, charges vehicles by their curves, queues transaction messages while
/// offline and answers the central system's commands with real effect.
///
/// Confined to one event loop: its socket's. `PileHandle` drives it from elsewhere.
public final class SimulatedPile: RPCConnectionDelegate {
    public let identity: String
    public internal(set) var profile: PileProfile
    let context: SimulationContext
    public let eventLoop: any EventLoop
    var encoder: QuirkEncoder
    var random: SeededRandom

    public internal(set) var configuration: ConfigurationStore
    var connectors: [ConnectorState]
    /// Connector 0: the pile as a whole.
    var pileStatus: ConnectorStateMachine = .init()
    var queue: TransactionQueue
    var nextLocalTransaction = 1

    var connection: RPCConnection?
    public internal(set) var registration: V16.RegistrationStatus?
    var running = false
    var reconnectAttempts = 0
    var bootedOnce = false
    var heartbeatTimer: Scheduled<Void>?
    var tickTimer: Scheduled<Void>?
    var pumpInFlight = false
    var lastStartTransaction: JSON?
    /// Fleet mode's arrivals; nil when a test or scenario drives the pile by hand.
    var plan: ArrivalPlan?
    /// Set by `endSessions()`: the station is closing and starts no transaction.
    var closing = false
    /// No connection attempts before this simulated time (a scripted network outage).
    var offlineUntil: Date?
    /// A 2.0.1 station's own state (transactions, device model); empty for a 1.6 pile.
    var v201: V201StationState
    /// 1.6 reservations, by the connector they hold (ReserveNow).
    var reservations: [Int: Reservation] = [:]
    /// 1.6 local authorization list (SendLocalList).
    var localList = LocalAuthList()
    /// Charging profiles of either version, by connector or EVSE (0: the pile).
    var chargingProfiles: [Int: [ChargingLimitProfile]] = [:]
    /// Answers a script forces, by action name (`setOutcome`).
    var outcomes: [String: String] = [:]
    /// 1.6 firmware update and diagnostics upload under way (UpdateFirmware, GetDiagnostics).
    var firmwareWork = FirmwareWork()
    /// Installed CA certificates, the pending CSR's key, the certificate signed for it.
    var certificates = PileCertificates()
    /// The plain-fallback login quirk: TLS failed once, so the pile now connects without it.
    var fellBackToPlain = false

    public convenience init(identity: String, profile: PileProfile, context: SimulationContext, eventLoop: any EventLoop, seed: UInt64) {
        self.init(identity: identity, template: PileTemplate(profile), context: context, eventLoop: eventLoop, seed: seed)
    }

    public init(identity: String, template: PileTemplate, context: SimulationContext, eventLoop: any EventLoop, seed: UInt64) {
        self.identity = identity
        profile = template.profile
        self.context = context
        self.eventLoop = eventLoop
        encoder = template.encoder
        configuration = template.configuration
        var random = SeededRandom(seed: seed)
        // Registers count a pile's whole life, not one session: start somewhere in 0.1–5 MWh.
        connectors = (1...max(1, profile.connectors)).map { id in
            var connector = ConnectorState(id: id)
            connector.registerWh = (random.uniform(100_000, 5_000_000)).rounded()
            return connector
        }
        self.random = random
        let file = context.queueDirectory.map { "\($0)/\(identity.replacingOccurrences(of: "/", with: "_")).queue.json" }
        queue = TransactionQueue(file: file)
        v201 = template.profile.ocppVersion == .v201 ? V201StationState(deviceModel: V201DeviceModel(profile: template.profile, identity: identity)) : V201StationState()
    }

    public var isConnected: Bool { connection?.isOpen ?? false }
    public var queuedMessages: Int { queue.count }
    public func status(of connector: Int) -> V16.ChargePointStatus? {
        connector == 0 ? pileStatus.status : connectors.first { $0.id == connector }?.machine.status
    }
    public func session(on connector: Int) -> ConnectorState? { connectors.first { $0.id == connector } }

    func notify(_ event: PileEvent) { context.observer?.pile(event) }

    /// Runs `body` on this pile's loop after `delay` of wall time.
    @discardableResult
    func after(_ delay: TimeAmount, _ body: @escaping (SimulatedPile) -> Void) -> Scheduled<Void> {
        let bound = NIOLoopBound((self, body), eventLoop: eventLoop)
        return eventLoop.scheduleTask(in: delay) {
            let (pile, body) = bound.value
            body(pile)
        }
    }

    // MARK: Connection

    /// Connects and boots; reconnects with exponential back-off after every loss until `stop()`.
    public func start() {
        guard !running else { return }
        running = true
        connect()
    }

    /// Ends the simulation as a station closing would: no more arrivals, and every running
    /// transaction stopped (reason Local) into the queue, so the central system is left
    /// with no open session. `stop()` follows once the queue has drained.
    public func endSessions() {
        plan = nil
        closing = true
        for connector in connectors where connector.transaction != nil { stopTransaction(connector: connector.id, cause: .local) }
        if speaks201 { endIdleTransactions201() }
    }

    /// Disconnects for good.
    public func stop() {
        running = false
        heartbeatTimer?.cancel()
        tickTimer?.cancel()
        connection?.close(code: .normalClosure, reason: "simulation ended")
    }

    func connect() {
        if let until = offlineUntil, until > context.clock.now() {
            after(context.clock.wallDelay(until.timeIntervalSince(context.clock.now()))) { $0.connect() }
            return
        }
        let credentials = context.credentials
        let endpoint = fellBackToPlain ? credentials.plainFallback ?? context.endpoint : context.endpoint
        var client = OCPPClientConfiguration(endpoint: endpoint, identity: identity)
        client.subprotocols = profile.quirks.contains(.noSubprotocolHeader) ? nil : [profile.ocppVersion.subprotocol]
        client.sourceAddress = context.sourceAddress
        client.callTimeout = context.callTimeout
        client.password = password
        client.basicScheme = credentials.basicScheme
        if endpoint.hasPrefix("wss://") {
            do {
                client.tls = try certificates.tls(ca: credentials.caFile) ?? credentials.tls(for: identity)
            } catch {
                context.observer?.pile(.connectFailed(pile: identity, cause: "TLS files unusable", detail: "\(error)"))
                scheduleReconnect()
                return
            }
        }
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let loop = eventLoop
        let identity = identity
        let observer = context.observer
        Task {
            do {
                _ = try await OCPPClient.connect(client, group: loop) { connection in bound.value.attach(connection) }
                // Talk only once the upgrade has finished and the HTTP handlers are gone.
                loop.execute { bound.value.connectionReady() }
            } catch {
                let cause = (error as? OCPPClientError)?.cause ?? FleetStats.kind(of: "\(error)")
                observer?.pile(.connectFailed(pile: identity, cause: cause, detail: "\(error)"))
                let fallBack: Bool
                if case OCPPClientError.tlsFailed = error { fallBack = credentials.loginQuirks.contains(.plainFallback) } else { fallBack = false }
                loop.execute {
                    if fallBack { bound.value.fellBackToPlain = true }
                    bound.value.scheduleReconnect()
                }
            }
        }
    }

    /// Called on the loop when the WebSocket is up, before any frame is read.
    func attach(_ connection: RPCConnection) {
        self.connection = connection
        connection.delegate = self
        connection.owner = self
        if profile.quirks.contains(.reusedMessageIds) { connection.messageIdOverride = "1" }
        connection.sendsWithoutWaiting = profile.quirks.contains(.overlappingCalls)
    }

    func connectionReady() {
        guard isConnected else { return }
        reconnectAttempts = 0
        notify(.connected(pile: identity))
        if bootedOnce && registration == .Accepted {
            // 1.6J: no new BootNotification unless something changed; report status and resume.
            if speaks201 { reconnected201() }
            sendAllStatuses()
            if profile.quirks.contains(.duplicateStartAfterReconnect), let start = lastStartTransaction {
                send(V16.StartTransaction.name, start)
            }
            pumpQueue()
            scheduleHeartbeat()
        } else {
            boot(reason: "PowerUp")
        }
    }

    func scheduleReconnect() {
        guard running else { return }
        reconnectAttempts += 1
        // Exponential back-off with jitter, in simulated seconds: 3, 6, 12 … at most 300.
        let base = min(300, 3 * pow(2, Double(min(reconnectAttempts - 1, 7))))
        let delay = base + random.uniform(0, base / 2)
        after(context.clock.wallDelay(delay)) { $0.connect() }
    }

    /// The 1.6 key that holds the Basic-auth password (2.0.1's SecurityCtrlr.BasicAuthPassword maps to it).
    static let passwordKey = "AuthorizationKey"

    /// The password the pile logs in with: the one the CSMS last set, else its credentials'.
    var password: String? {
        if let set = configuration.string(Self.passwordKey), !set.isEmpty { return set }
        return context.credentials.password(for: identity)
    }

    /// What both versions take as a password: 16 to 40 printable ASCII characters.
    static func acceptablePassword(_ value: String) -> Bool {
        (16...40).contains(value.utf8.count) && value.utf8.allSatisfy { (0x21...0x7e).contains($0) }
    }

    /// A new password: reconnect with it once the answer is out, as the security whitepaper
    /// asks (the old session ends, the next handshake proves the new password).
    func passwordChanged() {
        after(.milliseconds(100)) { $0.connection?.close(code: .normalClosure, reason: "reconnecting with the new password") }
    }

    /// Drops the socket as a network failure would; the pile reconnects by itself.
    public func dropConnection() {
        connection?.channel?.close(promise: nil)
    }

    public func rpcConnectionDidClose(_ connection: RPCConnection) {
        guard connection === self.connection else { return }
        self.connection = nil
        pumpInFlight = false
        heartbeatTimer?.cancel()
        notify(.disconnected(pile: identity))
        scheduleReconnect()
    }

    public func rpcConnection(_ connection: RPCConnection, didObserve event: RPCEvent) {}

    // MARK: Boot and heartbeat

    func boot(reason: String) {
        if speaks201 { return boot201(reason: reason) }
        let request = V16.BootNotification.Request(
            chargePointVendor: profile.vendor, chargePointModel: profile.model, chargePointSerialNumber: identity.suffix(25).description,
            firmwareVersion: profile.firmware)
        call(V16.BootNotification.name, V16.BootNotification.encode(request)) { pile, result in
            guard case .success(let json) = result,
                let (response, _) = try? V16.BootNotification.decodeResponse(json, mode: .lenient)
            else {
                pile.after(pile.context.clock.protocolDelay(30)) { $0.boot(reason: reason) }
                return
            }
            pile.registration = response.status
            pile.notify(.booted(pile: pile.identity, status: response.status.rawValue))
            switch response.status {
            case .Accepted:
                pile.bootedOnce = true
                if response.interval > 0 { _ = pile.configuration.change("HeartbeatInterval", to: String(response.interval)) }
                pile.sendAllStatuses()
                pile.pumpQueue()
                pile.scheduleHeartbeat()
                pile.bootQuirks(repeating: V16.BootNotification.name, V16.BootNotification.encode(request))
            case .Pending, .Rejected:
                // Wait the interval the central system asked for (or our own on 0), then try again.
                let wait = Double(response.interval > 0 ? response.interval : 60)
                pile.after(pile.context.clock.protocolDelay(wait)) { $0.boot(reason: reason) }
            }
        }
    }

    func scheduleHeartbeat() {
        heartbeatTimer?.cancel()
        let interval = Double(max(configuration.int("HeartbeatInterval") ?? 300, 1))
        heartbeatTimer = after(context.clock.protocolDelay(interval)) { pile in
            guard pile.isConnected else { return }
            pile.send(V16.Heartbeat.name, [:])
            pile.scheduleHeartbeat()
        }
    }

    func sendAllStatuses() {
        if speaks201 { return sendAllStatuses201() }
        sendStatus(connector: 0, pileStatus.status)
        for connector in connectors { sendStatus(connector: connector.id, connector.machine.status) }
    }

    func sendStatus(connector: Int, _ status: V16.ChargePointStatus, errorCode: V16.ChargePointErrorCode = .NoError) {
        if speaks201 { return sendStatus201(connector: connector, status) }
        let request = V16.StatusNotification.Request(
            connectorId: connector, errorCode: errorCode, status: status, timestamp: context.clock.stamp(context.clock.now()))
        send(V16.StatusNotification.name, V16.StatusNotification.encode(request))
    }

    // MARK: Sending

    /// Sends a CALL now if connected (non-transaction messages are not queued).
    func send(_ action: String, _ payload: JSON) {
        call(action, payload) { _, _ in }
    }

    func call(_ action: String, _ payload: JSON, then: @escaping (SimulatedPile, Result<JSON, any Error>) -> Void) {
        guard let connection, connection.isOpen else {
            then(self, .failure(RPCCallError.connectionClosed))
            return
        }
        notify(.sent(pile: identity, action: action))
        let bound = NIOLoopBound((self, then), eventLoop: eventLoop)
        let encoded = encoder.encode(action: action, payload)
        if profile.quirks.contains(.statusStorm) && action == V16.StatusNotification.name {
            // Three more copies, each its own CALL (new message id), answers ignored.
            for _ in 0..<3 { connection.call(action: action, payload: encoded).whenComplete { _ in } }
        }
        connection.call(action: action, payload: encoded).whenComplete { result in
            let (pile, then) = bound.value
            if case .failure(let error) = result {
                pile.notify(.callFailed(pile: pile.identity, action: action, error: "\(error)"))
            }
            then(pile, result)
        }
    }

    /// Queues a transaction message and starts delivering the queue.
    func enqueue(_ action: String, _ payload: JSON, localTransaction: Int?) {
        queue.append(.init(action: action, payload: payload.text, localTransaction: localTransaction))
        notify(.queued(pile: identity, depth: queue.count))
        pumpQueue()
    }

    /// Delivers the queue's head, then the next, in order; retries per
    /// TransactionMessageAttempts / TransactionMessageRetryInterval.
    func pumpQueue() {
        guard !pumpInFlight, isConnected, registration == .Accepted, let head = queue.head else { return }
        guard let payload = queue.headPayload() else { return }  // waiting for its StartTransaction's id
        pumpInFlight = true
        call(head.action, payload) { pile, result in
            pile.pumpInFlight = false
            switch result {
            case .success(let json):
                // Pop first: answering the start may queue a StopTransaction (DeAuthorized) and pump
                // again, which must not send this StartTransaction a second time.
                pile.queue.popHead()
                if head.action == V16.StartTransaction.name, let local = head.localTransaction {
                    pile.startTransactionAnswered(local: local, json: json)
                }
                if head.action == V201.TransactionEvent.name { pile.transactionEventAnswered(head.payload, json) }
                pile.notify(.queued(pile: pile.identity, depth: pile.queue.count))
                pile.pumpQueue()
            case .failure(let error as RPCCallError) where error.isTransport:
                break  // Resumes after the reconnect.
            case .failure:
                let attempts = pile.queue.countAttempt()
                if attempts >= (pile.configuration.int("TransactionMessageAttempts") ?? 3) {
                    pile.queue.popHead()
                    pile.pumpQueue()
                } else {
                    let wait = Double((pile.configuration.int("TransactionMessageRetryInterval") ?? 30) * attempts)
                    pile.after(pile.context.clock.wallDelay(wait)) { $0.pumpQueue() }
                }
            }
        }
    }
}

/// What every pile of one model starts with. Made once per model and copied: the copies
/// share storage until a pile changes something (a configuration key), which keeps a big
/// fleet's memory down.
public struct PileTemplate: Sendable {
    public let profile: PileProfile
    let configuration: ConfigurationStore
    let encoder: QuirkEncoder

    public init(_ profile: PileProfile) {
        self.profile = profile
        configuration = ConfigurationStore(profile: profile)
        encoder = QuirkEncoder(profile.quirks)
    }
}

extension RPCCallError {
    /// The message did not get through (as opposed to being refused): try again later, no attempt counted.
    var isTransport: Bool {
        switch self {
        case .connectionClosed, .timedOut, .notConnected: true
        case .rejected, .invalidResponse: false
        }
    }
}
