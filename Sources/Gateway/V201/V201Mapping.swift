import OCPP

// 2.0.1's words and the gateway's neutral ones (Domain/DomainValues.swift).

extension ConnectorState {
    init(_ status: V201.ConnectorStatusEnum) {
        switch status {
        case .available: self = .available
        case .occupied: self = .occupied
        case .reserved: self = .reserved
        case .unavailable: self = .unavailable
        case .faulted: self = .faulted
        }
    }

    /// The state a transaction's charging state puts its connector in; nil for Idle (no
    /// EV yet, or gone: the StatusNotification that follows says which).
    init?(_ state: V201.ChargingStateEnum) {
        switch state {
        case .charging: self = .charging
        case .suspendedEV: self = .suspendedEV
        case .suspendedEVSE: self = .suspendedEVSE
        case .evConnected: self = .occupied
        case .idle: return nil
        }
    }
}

extension StopReason {
    init(_ reason: V201.ReasonEnum) {
        self = StopReason(rawValue: reason.rawValue) ?? .other
    }
}

extension V201.AuthorizationStatusEnum {
    init(_ status: TokenStatus) {
        switch status {
        case .accepted: self = .accepted
        case .blocked: self = .blocked
        case .expired: self = .expired
        case .invalid: self = .invalid
        case .concurrentTx: self = .concurrentTx
        case .noCredit: self = .noCredit
        case .notAllowedTypeEVSE: self = .notAllowedTypeEVSE
        case .notAtThisLocation: self = .notAtThisLocation
        case .notAtThisTime: self = .notAtThisTime
        case .unknown: self = .unknown
        }
    }
}

extension V201.IdTokenInfo {
    init(_ verdict: TokenVerdict) {
        self.init(
            status: V201.AuthorizationStatusEnum(verdict.status), cacheExpiryDateTime: verdict.expiry,
            groupIdToken: verdict.group.map { V201.IdToken(idToken: $0, type: .central) })
    }
}

extension V201.RegistrationStatusEnum {
    init(_ verdict: RegistrationVerdict) {
        switch verdict {
        case .accepted: self = .accepted
        case .pending: self = .pending
        case .rejected: self = .rejected
        }
    }
}
