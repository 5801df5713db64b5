import Foundation
import OCPP
import OCPPWebSocket
import PileSecurity

/// Certificate management as a pile does it, in both versions: on the CSMS's trigger it
/// makes a key and sends a CSR (SignCertificate), takes the chain CertificateSigned brings
/// when it is for that key and names the pile (and logs in with it from the next
/// connection), and keeps the CA certificates the CSMS installs, lists and deletes.
extension SimulatedPile {
    /// Sends a CSR for a new key after the trigger's answer.
    func requestCertificate() {
        after(.milliseconds(1)) { pile in
            do {
                let csr = try pile.certificates.newRequest(identity: pile.identity, organization: pile.profile.vendor)
                if pile.speaks201 {
                    pile.send(V201.SignCertificate.name, V201.SignCertificate.encode(V201.SignCertificate.Request(csr: csr, certificateType: .chargingStationCertificate)))
                } else {
                    pile.send(V16.SignCertificate.name, V16.SignCertificate.encode(V16.SignCertificate.Request(csr: csr)))
                }
            } catch {
                pile.notify(.callFailed(pile: pile.identity, action: V16.SignCertificate.name, error: "could not make a CSR: \(error)"))
            }
        }
    }

    /// The CSMS's signed chain: accepted only for the pending key and this pile; the pile
    /// reconnects with it, as a pile does after installing a new client certificate.
    func certificateSigned(_ chain: String) -> Bool {
        guard certificates.accept(chainPEM: chain, identity: identity) else { return false }
        if context.endpoint.hasPrefix("wss://") {
            after(.milliseconds(50)) { $0.connection?.close(code: .normalClosure, reason: "new client certificate") }
        }
        return true
    }

    // MARK: 1.6 security extension

    func extendedTrigger(_ request: V16.ExtendedTriggerMessage.Request) -> V16.ExtendedTriggerMessage.Response {
        switch request.requestedMessage {
        case .SignChargePointCertificate:
            requestCertificate()
            return .init(status: .Accepted)
        case .BootNotification, .Heartbeat, .MeterValues, .StatusNotification, .FirmwareStatusNotification:
            guard let message = V16.MessageTrigger(rawValue: request.requestedMessage.rawValue) else { return .init(status: .NotImplemented) }
            return .init(status: trigger(.init(requestedMessage: message, connectorId: request.connectorId)).status)
        case .LogStatusNotification:
            return .init(status: .NotImplemented)
        }
    }

    func install16(_ request: V16.InstallCertificate.Request) -> V16.InstallCertificate.Response {
        switch certificates.install(use: request.certificateType.rawValue, pem: request.certificate) {
        case .accepted: .init(status: .Accepted)
        case .rejected: .init(status: .Rejected)
        case .full: .init(status: .Failed)
        }
    }

    func installedIds16(_ request: V16.GetInstalledCertificateIds.Request) -> V16.GetInstalledCertificateIds.Response {
        let found = certificates.installed(uses: [request.certificateType.rawValue])
        guard !found.isEmpty else { return .init(status: .NotFound) }
        return .init(
            certificateHashData: found.map {
                .init(hashAlgorithm: .SHA256, issuerNameHash: $0.hash.issuerNameHash, issuerKeyHash: $0.hash.issuerKeyHash, serialNumber: $0.hash.serialNumber)
            }, status: .Accepted)
    }

    func delete16(_ request: V16.DeleteCertificate.Request) -> V16.DeleteCertificate.Response {
        let hash = request.certificateHashData
        let deleted = certificates.delete(issuerNameHash: hash.issuerNameHash, issuerKeyHash: hash.issuerKeyHash, serialNumber: hash.serialNumber)
        return .init(status: deleted ? .Accepted : .NotFound)
    }

    // MARK: 2.0.1 (A02/A03, M03–M05)

    func install201(_ request: V201.InstallCertificate.Request) -> V201.InstallCertificate.Response {
        switch certificates.install(use: request.certificateType.rawValue, pem: request.certificate) {
        case .accepted: .init(status: .accepted)
        case .rejected: .init(status: .rejected)
        case .full: .init(status: .failed)
        }
    }

    func installedIds201(_ request: V201.GetInstalledCertificateIds.Request) -> V201.GetInstalledCertificateIds.Response {
        let uses = request.certificateType.map { Set($0.map(\.rawValue)) }
        let found = certificates.installed(uses: uses).compactMap { installed -> V201.CertificateHashDataChain? in
            guard let use = V201.GetCertificateIdUseEnum(rawValue: installed.use) else { return nil }
            let hash = V201.CertificateHashData(
                hashAlgorithm: .sha256, issuerNameHash: installed.hash.issuerNameHash, issuerKeyHash: installed.hash.issuerKeyHash,
                serialNumber: installed.hash.serialNumber)
            return .init(certificateHashData: hash, certificateType: use)
        }
        return found.isEmpty ? .init(status: .notFound) : .init(status: .accepted, certificateHashDataChain: found)
    }

    func delete201(_ request: V201.DeleteCertificate.Request) -> V201.DeleteCertificate.Response {
        let hash = request.certificateHashData
        let deleted = certificates.delete(issuerNameHash: hash.issuerNameHash, issuerKeyHash: hash.issuerKeyHash, serialNumber: hash.serialNumber)
        return .init(status: deleted ? .accepted : .notFound)
    }
}
