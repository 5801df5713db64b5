import Foundation

/// A pile's security profile and password hash as set through the API or rotated over
/// OCPP: once stored, it wins over the registry file. The hash is the only form of the
/// password the gateway keeps (PasswordHash in PileSecurity).
public struct PileCredentialRecord: Sendable, Codable, Equatable {
    public var chargePointId: String
    public var securityProfile: Int
    public var passwordHash: String?
    public var updatedAt: Date
    /// Who set it: `api:…`, `rotation` (the pile accepted a new password), `registry`.
    public var updatedBy: String

    public init(chargePointId: String, securityProfile: Int, passwordHash: String?, updatedAt: Date, updatedBy: String) {
        self.chargePointId = chargePointId
        self.securityProfile = securityProfile
        self.passwordHash = passwordHash
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }
}
