import Foundation
import NIOCore
import NIOHTTP1
import OCPP
import OCPPWebSocket
import SessionStore

/// Relay mode's handshake and connection: the backend is asked first, under the pile's
/// identity, with the pile's subprotocols and credentials, so its choice (or refusal) is
/// what the pile hears; a backend that cannot be reached does not keep the pile out.
extension Gateway {
    /// How long a handshake may wait for its turn to connect to the backend; past that,
    /// the pile is let in and its session connects when the pacer allows.
    static let relayHandshakeWait: TimeAmount = .seconds(2)

    func relayHandshake(
        _ request: HandshakeRequest, known: GatewayConfiguration.KnownChargePoint?, relay: Relay, on loop: any EventLoop
    ) -> EventLoopFuture<HandshakeDecision> {
        // Without the backend's word, the pile's own first choice (the relay has no preference of its own).
        let local = negotiate(request, known: known, preferring: nil)
        guard case .accept = local else { return loop.makeSucceededFuture(local) }
        let wait = relay.pacer.reserve()
        guard wait <= Self.relayHandshakeWait else { return loop.makeSucceededFuture(local) }
        let grace = TimeAmount.nanoseconds(Int64(configuration.handshakeTimeout * 1e9) + 5_000_000_000)
        let leg = NIOLoopBound(UpstreamLeg(), eventLoop: loop)
        let authorization = upstreamAuthorization(request.identity, pile: request.authorization)
        return relay.retire(request.identity, on: loop).flatMap {
            loop.scheduleTask(in: wait) {}.futureResult
        }.flatMap {
            relay.connect(
                relay.settings.url, identity: request.identity, subprotocols: request.offeredSubprotocols,
                authorization: authorization,
                on: loop, configure: { leg.value.adopt($0) })
        }.map { peer -> HandshakeDecision in
            guard let connection = leg.value.connection else { return local }
            relay.leave(.connected(NIOLoopBound(connection, eventLoop: loop)), for: request, on: loop, grace: grace)
            return .accept(version: peer.version, subprotocolMissing: request.offeredSubprotocols == nil)
        }.flatMapErrorThrowing { error -> HandshakeDecision in
            switch error {
            case OCPPClientError.upgradeRefused(_, let status?, let reason) where (400..<500).contains(status):
                relay.metrics.error("refused")
                return .refuse(
                    status: HTTPResponseStatus(statusCode: status),
                    reason: "the operator's backend refused \(request.identity) (HTTP \(status)\(reason.map { " \($0)" } ?? ""))")
            case OCPPClientError.subprotocolMismatch(let offered, let chosen):
                return .acceptThenClose(
                    reason: "the operator's backend answered subprotocol \(chosen ?? "(none)") to \(offered.joined(separator: ", "))")
            default:
                relay.metrics.error("connect")
                self.logger.notice(
                    "backend not reachable for \(request.identity): \(error); the pile is let in and its messages answered or queued",
                    metadata: ["chargePoint": "\(request.identity)"])
                relay.leave(.failed("\(error)"), for: request, on: loop, grace: grace)
                return local
            }
        }
    }

    /// What the relay logs in to the backend with: the pile's `upstreamPassword` when the
    /// registry maps one, else the pile's own header as it came.
    func upstreamAuthorization(_ identity: String, pile header: String?) -> String? {
        guard let password = knownChargePoint(identity)?.upstreamPassword else { return header }
        return "Basic " + Data("\(identity):\(password)".utf8).base64EncodedString()
    }

    func relayAccepted(_ connection: RPCConnection, request: HandshakeRequest, judge: ChargePointSession, relay: Relay) {
        let session = RelaySession(
            identity: connection.identity, version: connection.version, eventLoop: connection.eventLoop, relay: relay, services: services,
            judge: judge, pile: connection, authorization: upstreamAuthorization(connection.identity, pile: request.authorization))
        connection.delegate = session
        connection.owner = session
        let handoff = relay.takeHandoff(for: request)
        let bound = NIOLoopBound(session, eventLoop: connection.eventLoop)
        let restore = relay.mayHaveState(connection.identity)
        let store = self.store
        let identity = connection.identity
        relay.register(session).whenComplete { _ in
            guard restore else { return bound.value.start(handoff) }
            // What an earlier session or process left in the store comes first, in order.
            Task {
                let records = (try? await store.relayQueue(chargePointId: identity)) ?? []
                let transactions = (try? await store.relayTransactions(chargePointId: identity)) ?? []
                bound.eventLoop.execute {
                    bound.value.restoreQueue(records, transactions: transactions)
                    bound.value.start(handoff)
                }
            }
        }
    }

    /// After a restart: piles with queued messages get their backend connection back, and
    /// their queue is delivered even before they return.
    public func resumeRelayQueues(on group: any EventLoopGroup) async {
        do {
            try await resumeRelayQueues(group)
        } catch {
            logger.error("the relay's queue could not be read, so it is not delivered until its piles return: \(error)")
        }
    }

    private func resumeRelayQueues(_ group: any EventLoopGroup) async throws {
        guard let relay else { return }
        let records = try await store.relayQueue(chargePointId: nil)
        for identity in Set(records.map(\.chargePointId)).union(try await store.relayTransactions(chargePointId: nil).map(\.chargePointId)) {
            relay.keepsState(identity)
        }
        for (identity, queued) in Dictionary(grouping: records, by: \.chargePointId) {
            guard let version = queued.first.flatMap({ OCPPVersion(rawValue: $0.ocppVersion) }) else { continue }
            let loop = group.next()
            let transactions = try await store.relayTransactions(chargePointId: identity)
            try await loop.submit {
                let session = RelaySession(
                    identity: identity, version: version, eventLoop: loop, relay: relay, services: self.services, judge: nil, pile: nil,
                    authorization: self.upstreamAuthorization(identity, pile: nil))
                _ = relay.register(session)
                session.restoreQueue(queued, transactions: transactions)
                session.start(nil)
            }.get()
        }
    }
}
