import NIOCore
import OCPP
import OCPPWebSocket
import SessionStore

/// Starting and stopping a session from the app, in the words of the pile's version:
/// 1.6 RemoteStart/StopTransaction, 2.0.1 RequestStart/StopTransaction. Each returns the
/// pile's status word ("Accepted" to go) and throws `RPCCallError` like `call`.
extension Gateway {
    /// `remoteStartId` names the session the start is for (2.0.1 echoes it in the
    /// TransactionEvent that follows, so the transaction fills in that session).
    public func requestStart(
        _ chargePointId: String, idTag: String, connectorId: Int?, remoteStartId: Int64, timeout: TimeAmount? = nil
    ) async throws -> String {
        guard let peer = peer(chargePointId) else { throw RPCCallError.notConnected(chargePointId) }
        switch peer.version {
        case .v16:
            return try await remoteStartTransaction(chargePointId, idTag: idTag, connectorId: connectorId, timeout: timeout).rawValue
        case .v201:
            let request = V201.RequestStartTransaction.Request(
                idToken: V201.IdToken(idToken: idTag, type: .central), remoteStartId: Int(clamping: remoteStartId), evseId: connectorId)
            return try await call(chargePointId, V201.RequestStartTransaction.self, request, timeout: timeout).status.rawValue
        }
    }

    public func requestStop(_ session: SessionRecord, timeout: TimeAmount? = nil) async throws -> String {
        guard let peer = peer(session.chargePointId) else { throw RPCCallError.notConnected(session.chargePointId) }
        switch peer.version {
        case .v16:
            return try await remoteStopTransaction(session.chargePointId, transactionId: Int(clamping: session.id), timeout: timeout).rawValue
        case .v201:
            let request = V201.RequestStopTransaction.Request(transactionId: session.transactionRef ?? String(session.id))
            return try await call(session.chargePointId, V201.RequestStopTransaction.self, request, timeout: timeout).status.rawValue
        }
    }
}
