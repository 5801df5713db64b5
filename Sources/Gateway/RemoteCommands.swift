import NIOCore
import OCPP
import OCPPWebSocket

/// Commands the central system sends to a pile, with typed results. Each throws
/// `RPCCallError`: `.notConnected` when the pile has no connection to this gateway,
/// `.timedOut` when it does not answer within the call timeout (or `timeout`),
/// `.rejected` when it answers with a CALLERROR.
extension Gateway {
    public func call<A: OCPPAction>(
        _ chargePointId: String, _ action: A.Type, _ request: A.Request, timeout: TimeAmount? = nil
    ) async throws -> A.Response {
        guard let peer = peer(chargePointId) else { throw RPCCallError.notConnected(chargePointId) }
        do {
            return try await peer.call(action, request, timeout: timeout)
        } catch RPCCallError.rejected(let error) {
            services.metrics.callError(error.wireCode ?? error.code.wireName(for: peer.version), direction: "in")
            throw RPCCallError.rejected(error)
        }
    }

    public func remoteStartTransaction(
        _ chargePointId: String, idTag: String, connectorId: Int? = nil, timeout: TimeAmount? = nil
    ) async throws -> V16.RemoteStartStopStatus {
        try await call(chargePointId, V16.RemoteStartTransaction.self, .init(connectorId: connectorId, idTag: idTag), timeout: timeout).status
    }

    public func remoteStopTransaction(_ chargePointId: String, transactionId: Int, timeout: TimeAmount? = nil) async throws
        -> V16.RemoteStartStopStatus
    {
        try await call(chargePointId, V16.RemoteStopTransaction.self, .init(transactionId: transactionId), timeout: timeout).status
    }

    public func reset(_ chargePointId: String, type: V16.ResetType, timeout: TimeAmount? = nil) async throws -> V16.ResetStatus {
        try await call(chargePointId, V16.Reset.self, .init(type: type), timeout: timeout).status
    }

    public func changeConfiguration(_ chargePointId: String, key: String, value: String, timeout: TimeAmount? = nil) async throws
        -> V16.ConfigurationStatus
    {
        try await call(chargePointId, V16.ChangeConfiguration.self, .init(key: key, value: value), timeout: timeout).status
    }

    public func getConfiguration(_ chargePointId: String, keys: [String]? = nil, timeout: TimeAmount? = nil) async throws
        -> V16.GetConfiguration.Response
    {
        try await call(chargePointId, V16.GetConfiguration.self, .init(key: keys), timeout: timeout)
    }

    public func triggerMessage(
        _ chargePointId: String, _ message: V16.MessageTrigger, connectorId: Int? = nil, timeout: TimeAmount? = nil
    ) async throws -> V16.TriggerMessageStatus {
        try await call(chargePointId, V16.TriggerMessage.self, .init(requestedMessage: message, connectorId: connectorId), timeout: timeout).status
    }

    public func unlockConnector(_ chargePointId: String, connectorId: Int, timeout: TimeAmount? = nil) async throws -> V16.UnlockStatus {
        try await call(chargePointId, V16.UnlockConnector.self, .init(connectorId: connectorId), timeout: timeout).status
    }

    public func changeAvailability(
        _ chargePointId: String, connectorId: Int, type: V16.AvailabilityType, timeout: TimeAmount? = nil
    ) async throws -> V16.AvailabilityStatus {
        try await call(chargePointId, V16.ChangeAvailability.self, .init(connectorId: connectorId, type: type), timeout: timeout).status
    }
}
