import OCPP

// 1.6's words and the gateway's neutral ones (Domain/DomainValues.swift). Where they
// share a word the raw values are equal; these say so once, without a lookup that could fail.

extension ConnectorState {
    init(_ status: V16.ChargePointStatus) {
        switch status {
        case .Available: self = .available
        case .Preparing: self = .preparing
        case .Charging: self = .charging
        case .SuspendedEVSE: self = .suspendedEVSE
        case .SuspendedEV: self = .suspendedEV
        case .Finishing: self = .finishing
        case .Reserved: self = .reserved
        case .Unavailable: self = .unavailable
        case .Faulted: self = .faulted
        }
    }

    /// The 1.6 status, for the 1.6 transition table; nil for a state 1.6 has no word for.
    var v16: V16.ChargePointStatus? { V16.ChargePointStatus(rawValue: rawValue) }
}

extension StopReason {
    init(_ reason: V16.Reason) {
        switch reason {
        case .DeAuthorized: self = .deAuthorized
        case .EmergencyStop: self = .emergencyStop
        case .EVDisconnected: self = .evDisconnected
        case .HardReset: self = .hardReset
        case .Local: self = .local
        case .Other: self = .other
        case .PowerLoss: self = .powerLoss
        case .Reboot: self = .reboot
        case .Remote: self = .remote
        case .SoftReset: self = .softReset
        case .UnlockCommand: self = .unlockCommand
        }
    }
}

extension TokenStatus {
    init(_ status: V16.AuthorizationStatus) {
        switch status {
        case .Accepted: self = .accepted
        case .Blocked: self = .blocked
        case .Expired: self = .expired
        case .Invalid: self = .invalid
        case .ConcurrentTx: self = .concurrentTx
        }
    }
}

extension V16.AuthorizationStatus {
    /// 1.6 has five words; 2.0.1's further refusals read as Invalid to a 1.6 pile.
    init(_ status: TokenStatus) {
        switch status {
        case .accepted: self = .Accepted
        case .blocked: self = .Blocked
        case .expired: self = .Expired
        case .concurrentTx: self = .ConcurrentTx
        case .invalid, .noCredit, .notAllowedTypeEVSE, .notAtThisLocation, .notAtThisTime, .unknown: self = .Invalid
        }
    }
}

extension V16.IdTagInfo {
    init(_ verdict: TokenVerdict) {
        self.init(status: V16.AuthorizationStatus(verdict.status), expiryDate: verdict.expiry, parentIdTag: verdict.group)
    }
}

extension V16.RegistrationStatus {
    init(_ verdict: RegistrationVerdict) {
        switch verdict {
        case .accepted: self = .Accepted
        case .pending: self = .Pending
        case .rejected: self = .Rejected
        }
    }
}
