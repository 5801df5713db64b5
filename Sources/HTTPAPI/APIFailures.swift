import Gateway
import NIOHTTP1
import OCPP

/// How the gateway's failures read over HTTP: a status, a code and, where a program needs
/// more, details (docs/api.md).
extension APIError {
    /// The HTTP status, code and details for each way a command fails (docs/api.md).
    init(_ error: CommandFailure) {
        let status: HTTPResponseStatus
        var details: JSON?
        switch error {
        case .unknownAction(_, let version, let known):
            status = .notFound
            details = ["ocppVersion": .string(version.label), "actions": .array(known.map(JSON.string))]
        case .invalidPayload(let problem):
            status = .badRequest
            details = ["path": .string(problem.path), "rule": .string(problem.rule)]
        case .pileOffline:
            status = .conflict
        case .pileTimeout(_, let seconds):
            status = .gatewayTimeout
            details = ["timeoutSeconds": .number(seconds)]
        case .pileError(let code, let description):
            status = .badGateway
            details = ["ocppErrorCode": .string(code), "ocppErrorDescription": .string(description)]
        case .invalidResponse(let problem, let response):
            status = .badGateway
            details = ["path": .string(problem.path), "rule": .string(problem.rule), "response": response]
        case .storeUnavailable:
            status = .serviceUnavailable
        }
        self.init(status, error.code, error.description, details: details)
    }

    /// The HTTP status for each way a reservation fails.
    init(_ error: ReservationFailure) {
        self = switch error {
        case .invalid(let why): APIError(.badRequest, "invalid_request", why)
        case .notFound: APIError(.notFound, "reservation_not_found", error.description)
        case .notCancellable: APIError(.conflict, "reservation_not_active", error.description)
        case .accountUnknown: APIError(.notFound, "account_unknown", error.description)
        case .command(let failure): APIError(failure)
        case .storeUnavailable: APIError(.serviceUnavailable, "store_unavailable", error.description)
        }
    }

    /// The HTTP status for each way a scan or stop fails.
    init(_ error: ScanFailure) {
        let status: HTTPResponseStatus
        switch error {
        case .invalidQR: status = .badRequest
        case .unknownQR, .accountUnknown, .sessionNotFound: status = .notFound
        case .accountBlocked, .accountExpired: status = .forbidden
        case .accountAlreadyCharging, .connectorOccupied, .connectorFaulted, .connectorUnavailable, .connectorReserved, .pileRejected,
            .sessionNotActive, .pileOffline:
            status = .conflict
        case .pileTimeout: status = .gatewayTimeout
        case .storeUnavailable: status = .serviceUnavailable
        }
        self.init(status, error.code, error.description)
    }
}
