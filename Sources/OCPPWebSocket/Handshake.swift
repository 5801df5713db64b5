import Foundation
import NIOCore
import NIOHTTP1
import OCPP
import PileSecurity

/// What a charge point asked for in its WebSocket upgrade request.
public struct HandshakeRequest: Sendable {
    /// The percent-decoded identity from `/ocpp/{identity}`.
    public let identity: String
    /// Subprotocols in the client's order of preference; nil when the header was absent.
    public let offeredSubprotocols: [String]?
    /// The `Authorization` header, if any.
    public let authorization: String?
    public let remoteAddress: String?
    /// How the socket reached us: plain, or TLS with the client certificate it presented.
    public let transport: HandshakeTransport

    public init(
        identity: String, offeredSubprotocols: [String]?, authorization: String?, remoteAddress: String?,
        transport: HandshakeTransport = .plain
    ) {
        self.identity = identity
        self.offeredSubprotocols = offeredSubprotocols
        self.authorization = authorization
        self.remoteAddress = remoteAddress
        self.transport = transport
    }

    /// The remote address without its port (the source that login throttling counts).
    public var sourceHost: String? {
        guard let remoteAddress else { return nil }
        // NIO writes `[IPv4]127.0.0.1/127.0.0.1:5000`; the host is between '/' and the last ':'.
        let afterSlash = remoteAddress.split(separator: "/").last.map(String.init) ?? remoteAddress
        guard let colon = afterSlash.lastIndex(of: ":") else { return afterSlash }
        return String(afterSlash[..<colon])
    }
}

/// The channel a handshake came over: what security profiles 2 and 3 are judged by.
public enum HandshakeTransport: Sendable, Equatable {
    case plain
    /// TLS; `clientCertificate` is the verified certificate of a mutual-TLS peer (profile 3).
    case tls(clientCertificate: ClientCertificate?)

    public var isTLS: Bool { if case .tls = self { true } else { false } }
    public var clientCertificate: ClientCertificate? { if case .tls(let c) = self { c } else { nil } }
}

/// The central system's answer to a handshake.
public enum HandshakeDecision: Sendable, Equatable {
    /// Upgrade, speaking `version`. `subprotocolMissing` is true when the client offered
    /// no `Sec-WebSocket-Protocol` at all and was taken as 1.6 (lenient mode).
    case accept(version: OCPPVersion, subprotocolMissing: Bool)
    /// Offered subprotocols, none of ours: per OCPP-J, finish the handshake without a
    /// `Sec-WebSocket-Protocol` header, then close at once.
    case acceptThenClose(reason: String)
    /// Refuse with an HTTP status (401 bad credentials, 404 unknown identity, 400 bad request).
    case refuse(status: HTTPResponseStatus, reason: String)
}

/// Decides who may connect. The gateway supplies one; it is called on the event loop
/// during the handshake, once per upgrade request, so it must not block it: slow work
/// (a password hash) goes elsewhere and answers `.later` on `eventLoop`.
public protocol HandshakePolicy: Sendable {
    func evaluate(_ request: HandshakeRequest, on eventLoop: any EventLoop) -> Answer<HandshakeDecision>
}

/// A value known now, or one a future brings: most handshakes are decided at once, and
/// those allocate no future for it (thousands of piles connect per second).
public enum Answer<Value: Sendable>: Sendable {
    case now(Value)
    case later(EventLoopFuture<Value>)

    public func map<Other: Sendable>(_ transform: @escaping @Sendable (Value) -> Other) -> Answer<Other> {
        switch self {
        case .now(let value): .now(transform(value))
        case .later(let future): .later(future.map(transform))
        }
    }

    public func future(on eventLoop: any EventLoop) -> EventLoopFuture<Value> {
        switch self {
        case .now(let value): eventLoop.makeSucceededFuture(value)
        case .later(let future): future
        }
    }
}

/// Picks the subprotocol: the first one the client offered that we support (the client
/// lists its preference first). Tokens are compared case-sensitively after trimming, and
/// the header may be repeated or comma-separated (docs/ocpp-notes.md, pitfall 11).
public func negotiateSubprotocol(offered: [String], supported: [OCPPVersion]) -> OCPPVersion? {
    for token in offered {
        if let version = OCPPVersion(rawValue: token), supported.contains(version) { return version }
    }
    return nil
}

/// Parses `/ocpp/{identity}` (any configured prefix) into the percent-decoded identity.
/// Identities are at most 48 characters (2.0.1 identifierString) and have no `/` or `:`.
public enum OCPPPath {
    public enum Failure: Error, Equatable { case notOCPP, invalidIdentity(String) }

    public static func identity(fromURI uri: String, prefix: String) -> Result<String, Failure> {
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        let base = prefix.hasSuffix("/") ? prefix : prefix + "/"
        guard path.hasPrefix(base) else { return .failure(.notOCPP) }
        let raw = String(path.dropFirst(base.count))
        guard !raw.isEmpty else { return .failure(.invalidIdentity("the URL has no charge point identity after \(base)")) }
        guard let decoded = raw.removingPercentEncoding else {
            return .failure(.invalidIdentity("the identity is not valid percent-encoding"))
        }
        guard decoded.count <= 48 else { return .failure(.invalidIdentity("the identity is longer than 48 characters")) }
        guard !decoded.contains("/"), !decoded.contains(":"), decoded.unicodeScalars.allSatisfy({ $0.value >= 0x20 }) else {
            return .failure(.invalidIdentity("the identity contains '/', ':' or a control character"))
        }
        return .success(decoded)
    }

    /// Splits `Sec-WebSocket-Protocol` values into tokens; nil when the header is absent.
    public static func subprotocols(in headers: HTTPHeaders) -> [String]? {
        let values = headers[canonicalForm: "Sec-WebSocket-Protocol"]
        guard !values.isEmpty else { return nil }
        return values.map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

