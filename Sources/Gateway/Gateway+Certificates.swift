import Foundation
import OCPP
import PileSecurity

/// Certificate management as a CSMS does it (1.6 security extension; 2.0.1 A02/A03 and
/// M03–M05): the gateway's CA (`security.ca`) installed on a pile as its CSMS root, and a
/// pile asked for a new CSR, which comes back as SignCertificate and is signed there.
/// Listing and deleting installed certificates go through the generic command route.
extension Gateway {
    /// Asks the pile to make a new key and send its CSR; returns the pile's answer.
    public func renewCertificate(_ chargePointId: String, issuedBy: String) async throws(SecurityFailure) -> String {
        guard services.certificateAuthority != nil else { throw .noCertificateAuthority }
        let answer: JSON
        do {
            switch await commandVersion(chargePointId) {
            case .v16:
                answer = try await command(
                    chargePointId, action: V16.ExtendedTriggerMessage.name, payload: ["requestedMessage": "SignChargePointCertificate"],
                    issuedBy: issuedBy)
            case .v201:
                answer = try await command(
                    chargePointId, action: V201.TriggerMessage.name, payload: ["requestedMessage": "SignChargingStationCertificate"],
                    issuedBy: issuedBy)
            }
        } catch {
            throw .command(error)
        }
        return answer["status"]?.stringValue ?? "Rejected"
    }

    /// Installs the gateway's CA certificate on the pile as the root it trusts for its CSMS.
    public func installRootCertificate(_ chargePointId: String, issuedBy: String) async throws(SecurityFailure) -> String {
        guard let authority = services.certificateAuthority, let pem = try? authority.certificatePEM else { throw .noCertificateAuthority }
        let use = await commandVersion(chargePointId) == .v16 ? "CentralSystemRootCertificate" : "CSMSRootCertificate"
        do {
            let answer = try await command(
                chargePointId, action: "InstallCertificate", payload: ["certificateType": .string(use), "certificate": .string(pem)],
                issuedBy: issuedBy)
            return answer["status"]?.stringValue ?? "Rejected"
        } catch {
            throw .command(error)
        }
    }
}
