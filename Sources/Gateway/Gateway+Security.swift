import Foundation
import OCPP
import PileSecurity
import SessionStore

/// A pile's security profile and whether it has a password (never the password).
public struct PileSecurityState: Sendable, Equatable {
    public var chargePointId: String
    public var securityProfile: Int
    public var hasPassword: Bool
}

/// What became of a password rotation: the pile's word, and whether the new password is
/// now the one the gateway checks (only when the pile said Accepted).
public struct PasswordRotation: Sendable, Equatable {
    public var status: String
    public var applied: Bool
    public var state: PileSecurityState
}

public enum SecurityFailure: Error, CustomStringConvertible {
    case invalid(String)
    /// Lowering a pile's profile takes `allowDowngrade`: a pile may never fall back silently.
    case downgrade(from: Int, to: Int)
    case command(CommandFailure)
    case storeUnavailable(String)
    /// Certificates need the gateway's CA (`security.ca`).
    case noCertificateAuthority

    public var description: String {
        switch self {
        case .invalid(let why): why
        case .downgrade(let from, let to):
            "lowering security profile \(from) to \(to) takes \"allowDowngrade\": true (piles may never fall back on their own)"
        case .command(let failure): failure.description
        case .storeUnavailable(let why): "the credentials could not be stored: \(why)"
        case .noCertificateAuthority: "the gateway has no CA to sign or install certificates with: set security.ca (docs/security.md)"
        }
    }
}

/// Setting and rotating piles' credentials (security profiles 1–3). The new password of a
/// rotation is sent the way the pile's version says (1.6 ChangeConfiguration
/// `AuthorizationKey`, 2.0.1 SetVariables `SecurityCtrlr.BasicAuthPassword`) and takes
/// effect only once the pile accepts it; it is stored as a hash and never recorded in the
/// frame log or the command history (Redaction.swift).
extension Gateway {
    public func securityState(_ chargePointId: String) -> PileSecurityState {
        PileSecurityState(
            chargePointId: chargePointId, securityProfile: credentials.profile(of: chargePointId), hasPassword: credentials.hasPassword(chargePointId))
    }

    /// Sets the profile and/or the password directly (provisioning a pile, or an operator's
    /// decision); stored before it takes effect.
    public func setSecurity(
        _ chargePointId: String, profile: Int?, password: String?, allowDowngrade: Bool, issuedBy: String
    ) async throws(SecurityFailure) -> PileSecurityState {
        let current = securityState(chargePointId)
        let newProfile = profile ?? max(current.securityProfile, password == nil ? 0 : 1)
        guard (0...3).contains(newProfile) else { throw .invalid("securityProfile must be 0, 1, 2 or 3") }
        guard newProfile >= current.securityProfile || allowDowngrade else { throw .downgrade(from: current.securityProfile, to: newProfile) }
        if newProfile >= 2 && configuration.security.tls == nil {
            throw .invalid("security profile \(newProfile) needs TLS: this gateway has no security.tls")
        }
        let hash: PasswordHash?
        if let password {
            do {
                hash = try await credentials.hash(password)
            } catch {
                throw .invalid("\(error)")
            }
        } else {
            hash = credentials.currentHash(chargePointId)
        }
        if (newProfile == 1 || newProfile == 2) && hash == nil {
            throw .invalid("security profile \(newProfile) needs a password: give \"password\"")
        }
        try await storeCredential(chargePointId, profile: newProfile, hash: hash, by: issuedBy)
        logger.notice(
            "security of \(chargePointId) set by \(issuedBy): profile \(newProfile)\(password == nil ? "" : ", new password")",
            metadata: ["chargePoint": "\(chargePointId)"])
        return securityState(chargePointId)
    }

    /// Gives the connected pile a new password (`password`, else 40 random hex digits).
    public func rotatePassword(_ chargePointId: String, password: String?, issuedBy: String) async throws(SecurityFailure) -> PasswordRotation {
        let password = password ?? PasswordHash.generatePassword()
        let hash: PasswordHash
        do {
            hash = try await credentials.hash(password)
        } catch {
            throw .invalid("\(error)")
        }
        guard peer(chargePointId) != nil else { throw .command(.pileOffline(chargePointId)) }
        let key = await commandVersion(chargePointId) == .v16 ? "AuthorizationKey" : "SecurityCtrlr.BasicAuthPassword"
        let status: String
        do {
            status = try await changeConfiguration(chargePointId, key: key, value: password, issuedBy: issuedBy)
        } catch {
            throw .command(error)
        }
        let applied = status == "Accepted"
        if applied {
            let profile = max(credentials.profile(of: chargePointId), 1)
            try await storeCredential(chargePointId, profile: profile, hash: hash, by: "rotation")
        }
        logger.notice(
            "password rotation for \(chargePointId) by \(issuedBy): the pile answered \(status)\(applied ? "; the new password is in force" : "; the old one stays")",
            metadata: ["chargePoint": "\(chargePointId)"])
        return PasswordRotation(status: status, applied: applied, state: securityState(chargePointId))
    }

    private func storeCredential(_ chargePointId: String, profile: Int, hash: PasswordHash?, by: String) async throws(SecurityFailure) {
        let record = PileCredentialRecord(
            chargePointId: chargePointId, securityProfile: profile, passwordHash: hash?.description, updatedAt: Date(), updatedBy: by)
        do {
            _ = try await store.write(.saveCredential(record))
        } catch {
            throw .storeUnavailable("\(error)")
        }
        credentials.update(chargePointId, profile: profile, hash: hash)
    }
}
