import NIOCore
import NIOSSL

/// TLS as the OCPP security specification asks (profiles 2 and 3): TLS 1.2 or newer, and
/// for TLS 1.2 the four suites a central system must offer (ECDHE-ECDSA and RSA with
/// AES-128/256-GCM); TLS 1.3 keeps its own suites. Contexts are made once per listener.
public enum TLSContexts {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    static let ocppCipherSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        .TLS_RSA_WITH_AES_128_GCM_SHA256, .TLS_RSA_WITH_AES_256_GCM_SHA384,
    ]

    /// The gateway's listener. With `clientCA`, a client certificate is asked for and, when
    /// presented, must verify against it (expired or foreign ones fail the handshake); a
    /// pile without one may still log in at profile 2 with its password.
    public static func server(certificate: String, key: String, clientCA: String?) throws -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        let privateKey: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw Failure(description: "\(certificate): not a readable PEM certificate chain (\(error))")
        }
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw Failure(description: "\(key): not a readable PEM private key (\(error))")
        }
        guard !chain.isEmpty else { throw Failure(description: "\(certificate): no certificate in the file") }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuiteValues = ocppCipherSuites
        if let clientCA {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCA))
            } catch {
                throw Failure(description: "\(clientCA): not a readable PEM CA bundle (\(error))")
            }
            configuration.certificateVerification = .optionalVerification
            configuration.sendCANameList = true
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw Failure(description: "the TLS certificate and key do not make a TLS context: \(error)")
        }
    }

    /// A pile's side: the CSMS's certificate verified against `ca` (else the system's
    /// roots), with its host name; optionally a client certificate (profile 3).
    public static func client(ca: String?, certificate: String?, key: String?) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        do {
            if let ca { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca)) }
            if let certificate, let key {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw Failure(description: "the pile's TLS files (CA \(ca ?? "system"), certificate \(certificate ?? "none")) cannot be used: \(error)")
        }
    }

    /// A pile's side with a certificate it holds in memory (one the CSMS signed over OCPP).
    public static func client(ca: String?, certificateChainPEM: String, keyPEM: String) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        do {
            if let ca { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca)) }
            configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificateChainPEM.utf8)).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem))
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw Failure(description: "the pile's signed certificate (CA \(ca ?? "system")) cannot be used: \(error)")
        }
    }
}

/// Logs why a TLS handshake failed (an expired or foreign client certificate, a plain
/// HTTP request on the TLS port …), at most once a second, with the source address.
final class TLSFailureLog: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let log: RefusalLog
    private var logged = false

    init(log: RefusalLog) { self.log = log }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !logged, error is NIOSSLError || error is BoringSSLError {
            logged = true
            let source = context.remoteAddress?.description ?? "?"
            log.refused("TLS handshake from \(source) failed: \(error)")
        }
        context.fireErrorCaught(error)
    }
}
