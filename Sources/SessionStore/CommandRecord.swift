import Foundation

/// An operator's command to a pile, as sent and as answered: the command history of
/// `GET /api/chargepoints/{id}/commands`.
public struct CommandRecord: Sendable, Codable, Equatable {
    /// How it ended: the pile's answer, or why there was none.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        /// The pile answered with a CALLRESULT (`response`).
        case answered
        /// The pile answered with a CALLERROR (`errorCode`, `errorDescription`).
        case pileError = "pile_error"
        /// The pile answered, but not in the action's schema (`response` as it came).
        case invalidResponse = "invalid_response"
        case pileTimeout = "pile_timeout"
        /// The pile was not connected to this gateway, or the connection closed first.
        case pileOffline = "pile_offline"
    }

    public var id: Int64
    public var chargePointId: String
    public var time: Date
    /// Who sent it: the API token's fingerprint (`token:1a2b3c4d`), never the token.
    public var issuedBy: String
    public var ocppVersion: String
    public var action: String
    public var payload: String
    public var outcome: Outcome
    public var response: String?
    public var errorCode: String?
    public var errorDescription: String?
    public var latencyMs: Double?

    public init(
        id: Int64 = 0, chargePointId: String, time: Date, issuedBy: String, ocppVersion: String, action: String, payload: String,
        outcome: Outcome, response: String? = nil, errorCode: String? = nil, errorDescription: String? = nil, latencyMs: Double? = nil
    ) {
        self.id = id
        self.chargePointId = chargePointId
        self.time = time
        self.issuedBy = issuedBy
        self.ocppVersion = ocppVersion
        self.action = action
        self.payload = payload
        self.outcome = outcome
        self.response = response
        self.errorCode = errorCode
        self.errorDescription = errorDescription
        self.latencyMs = latencyMs
    }
}
