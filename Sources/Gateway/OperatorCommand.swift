import Foundation
import NIOCore
import OCPP
import OCPPWebSocket
import SessionStore

/// Why an operator's command got no answer from the pile, or was not sent.
public enum CommandFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not an action of the pile's version that the central system sends.
    case unknownAction(String, version: OCPPVersion, known: [String])
    case invalidPayload(ValidationError)
    case pileOffline(String)
    case pileTimeout(action: String, seconds: Double)
    /// The pile answered CALLERROR.
    case pileError(code: String, description: String)
    /// The pile answered, outside the action's schema.
    case invalidResponse(ValidationError, response: JSON)
    case storeUnavailable(String)

    public var code: String {
        switch self {
        case .unknownAction: "unknown_action"
        case .invalidPayload: "invalid_payload"
        case .pileOffline: "pile_offline"
        case .pileTimeout: "pile_timeout"
        case .pileError: "pile_error"
        case .invalidResponse: "invalid_response"
        case .storeUnavailable: "store_unavailable"
        }
    }

    public var description: String {
        switch self {
        case .unknownAction(let action, let version, let known):
            "\(action) is not an OCPP \(version.label) action the central system sends; known: \(known.joined(separator: ", "))"
        case .invalidPayload(let error): "the payload breaks the action's schema: \(error)"
        case .pileOffline(let id): "\(id) is not connected to this gateway"
        case .pileTimeout(let action, let seconds): "the pile did not answer \(action) within \(seconds) s"
        case .pileError(let code, let description): "the pile answered CALLERROR \(code): \(description)"
        case .invalidResponse(let error, _): "the pile's answer breaks the action's schema: \(error)"
        case .storeUnavailable(let why): "the command could not be recorded: \(why)"
        }
    }
}

/// Any action of the version a pile speaks that the central system may send, sent as
/// given once its payload passes the action's schema: whether a connector or a
/// reservation exists is the pile's to say, not the gateway's. Each command is recorded
/// with its answer (the command history of the API).
extension Gateway {
    /// The actions an operator can send to a pile of `version`.
    public static func commandActions(_ version: OCPPVersion) -> [String] {
        let actions = version.catalog
        return actions.names.filter { actions[$0].map { $0.initiator != .chargePoint } ?? false }
    }


    /// The version a pile's commands are written in: the connection's, else what the store
    /// last saw, else the registry's pin, else 1.6.
    public func commandVersion(_ chargePointId: String) async -> OCPPVersion {
        if let peer = peer(chargePointId) { return peer.version }
        if let stored = try? await store.chargePoint(id: chargePointId)?.chargePoint.ocppVersion,
            let version = OCPPVersion.allCases.first(where: { $0.label == stored })
        {
            return version
        }
        return knownChargePoint(chargePointId)?.ocppVersion ?? .v16
    }

    /// Sends `action` with `payload` to the pile and returns its answer payload.
    public func command(
        _ chargePointId: String, action: String, payload: JSON, issuedBy: String, timeout: TimeAmount? = nil
    ) async throws(CommandFailure) -> JSON {
        let peer = peer(chargePointId)
        let version = await commandVersion(chargePointId)
        guard let type = version.catalog[action], type.initiator != .chargePoint else {
            throw .unknownAction(action, version: version, known: Self.commandActions(version))
        }
        do throws(ValidationError) {
            try type.checkRequest(payload)
        } catch {
            throw .invalidPayload(error)
        }
        var record = CommandRecord(
            chargePointId: chargePointId, time: Date(), issuedBy: issuedBy, ocppVersion: version.label, action: action,
            payload: Redaction.payload(action: action, payload).text,
            outcome: .pileOffline)
        let started = ContinuousClock.now
        var failure: CommandFailure?
        var answer = JSON.object(JSONObject())
        if let peer {
            do {
                answer = try await peer.call(action: action, payload: payload, timeout: timeout)
                record.response = answer.text
                if let problem = type.responseProblem(answer) {
                    record.outcome = .invalidResponse
                    failure = .invalidResponse(problem, response: answer)
                } else {
                    record.outcome = .answered
                }
            } catch RPCCallError.rejected(let error) {
                let code = error.wireCode ?? error.code.wireName(for: version)
                services.metrics.callError(code, direction: "in")
                record.outcome = .pileError
                record.errorCode = code
                record.errorDescription = error.description
                failure = .pileError(code: code, description: error.description)
            } catch RPCCallError.timedOut(_, let seconds) {
                record.outcome = .pileTimeout
                failure = .pileTimeout(action: action, seconds: seconds)
            } catch {
                failure = .pileOffline(chargePointId)
            }
            let elapsed = ContinuousClock.now - started
            record.latencyMs = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        } else {
            failure = .pileOffline(chargePointId)
        }
        do {
            _ = try await store.write(.operatorCommand(record))
        } catch {
            throw .storeUnavailable("\(error)")
        }
        // Load management's pushes are routine (thousands a minute on a big network): debug.
        logger.log(
            level: issuedBy == LoadManager.issuer ? .debug : .notice,
            "command \(action) to \(chargePointId) by \(issuedBy): \(record.outcome.rawValue)", metadata: ["chargePoint": "\(chargePointId)"])
        if let failure { throw failure }
        await commandAnswered(chargePointId, version: version, action: action, payload: payload, answer: answer)
        return answer
    }
}
