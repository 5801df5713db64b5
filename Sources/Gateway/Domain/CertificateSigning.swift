import Foundation
import OCPP
import OCPPWebSocket
import PileSecurity
import SessionStore

/// A pile's CSR (SignCertificate: 1.6 security extension, 2.0.1 A02/A03), in words both
/// versions share: signed by the gateway's CA only when its common name is the pile's
/// identity; the certificate chain then goes back in CertificateSigned, after the answer.
extension ChargePointSession {
    /// The signed chain (pile certificate, then the CA), or nil (the reason logged).
    func signCertificate(_ csr: String, _ call: IncomingCall, findings: [FindingRecord]) -> String? {
        keep(findings)
        guard let authority = services.certificateAuthority else {
            logger.notice("SignCertificate refused: this gateway has no CA (security.ca)", metadata: ["messageId": "\(call.messageId)"])
            return nil
        }
        do {
            let days = services.configuration.security.ca?.validityDays ?? 825
            let certificate = try authority.sign(csrPEM: csr, identity: identity, validFor: days)
            logger.info("signed a certificate for \(identity), valid \(days) days", metadata: ["messageId": "\(call.messageId)"])
            return try certificate.serializeAsPEM().pemString + "\n" + authority.certificatePEM
        } catch {
            logger.warning("SignCertificate refused: \(error)", metadata: ["messageId": "\(call.messageId)"])
            return nil
        }
    }

    /// Sends the signed chain once the Accepted answer is out; the pile's word is logged.
    func sendSignedCertificate<A: OCPPAction>(_ action: A.Type, _ request: A.Request) {
        guard let connection else { return }
        let peer = RPCPeer(connection)
        let logger = logger
        Task {
            do {
                let answer = try await peer.call(action: A.name, payload: A.encode(request))
                logger.info("\(A.name): the pile answered \(answer["status"]?.stringValue ?? "?")")
            } catch {
                logger.warning("\(A.name) failed: \(error)")
            }
        }
    }
}

struct V16SignCertificate: CallHandler {
    typealias Action = V16.SignCertificate

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        let chain = pile.signCertificate(request.csr, call, findings: findings)
        pile.reply(Action.self, to: call, .init(status: chain == nil ? .Rejected : .Accepted))
        if let chain { pile.sendSignedCertificate(V16.CertificateSigned.self, .init(certificateChain: chain)) }
    }
}

struct V201SignCertificate: CallHandler {
    typealias Action = V201.SignCertificate

    func handle(_ request: Action.Request, _ call: IncomingCall, _ pile: ChargePointSession, findings: [FindingRecord]) {
        let chain = pile.signCertificate(request.csr, call, findings: findings)
        pile.reply(Action.self, to: call, .init(status: chain == nil ? .rejected : .accepted))
        if let chain {
            pile.sendSignedCertificate(V201.CertificateSigned.self, .init(certificateChain: chain, certificateType: request.certificateType))
        }
    }
}
