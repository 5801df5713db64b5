import Foundation

/// Relay mode (`pilegate relay`, or `upstream:` in the configuration): the operator's own
/// backend that every pile's connection is passed on to, under the pile's identity.
public struct UpstreamSettings: Codable, Sendable, Equatable {
    /// The backend's OCPP endpoint without the identity: `wss://csms.example.com/ocpp`.
    public var url: String
    /// PEM bundle of the CAs that verify the backend's TLS certificate (default: the system's).
    public var ca: String?
    /// The relay's client certificate and key for a backend that asks for one (profile 3).
    public var certificate: String?
    public var key: String?
    /// Read-only copies: the same pile traffic sent to these backends, their answers ignored.
    public var mirrors: [String] = []
    /// Back-off between reconnects to the backend: doubling from the first to the last,
    /// each with up to half of it again as random jitter.
    public var reconnectMinSeconds: Double = 1
    public var reconnectMaxSeconds: Double = 30
    /// Connects to the backend this process starts per second at most, all piles together:
    /// thousands of piles coming back after an outage reach the backend paced.
    public var connectsPerSecond: Double = 200

    public init(url: String) { self.url = url }

    enum CodingKeys: String, CodingKey {
        case url, ca, certificate, key, mirrors, reconnectMinSeconds, reconnectMaxSeconds, connectsPerSecond
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = UpstreamSettings(url: "")
        url = try c.decode(String.self, forKey: .url)
        ca = try c.decodeIfPresent(String.self, forKey: .ca)
        certificate = try c.decodeIfPresent(String.self, forKey: .certificate)
        key = try c.decodeIfPresent(String.self, forKey: .key)
        mirrors = try c.decodeIfPresent([String].self, forKey: .mirrors) ?? []
        reconnectMinSeconds = try c.decodeIfPresent(Double.self, forKey: .reconnectMinSeconds) ?? d.reconnectMinSeconds
        reconnectMaxSeconds = try c.decodeIfPresent(Double.self, forKey: .reconnectMaxSeconds) ?? d.reconnectMaxSeconds
        connectsPerSecond = try c.decodeIfPresent(Double.self, forKey: .connectsPerSecond) ?? d.connectsPerSecond
    }

    /// What is wrong with these settings, worded for the configuration file.
    var problems: [String] {
        var problems: [String] = []
        for (key, url) in [("upstream.url", url)] + mirrors.enumerated().map({ ("upstream.mirrors[\($0)]", $1) })
        where !(url.hasPrefix("ws://") || url.hasPrefix("wss://")) {
            problems.append("\(key) must be a ws:// or wss:// URL, e.g. wss://csms.example.com/ocpp (got \"\(url)\")")
        }
        if (certificate == nil) != (key == nil) { problems.append("upstream.certificate and upstream.key go together") }
        if !(reconnectMinSeconds > 0 && reconnectMinSeconds <= 3_600) { problems.append("upstream.reconnectMinSeconds must be between 0 and 3600") }
        if !(reconnectMaxSeconds >= reconnectMinSeconds && reconnectMaxSeconds <= 86_400) {
            problems.append("upstream.reconnectMaxSeconds must be between reconnectMinSeconds and 86400")
        }
        if !(connectsPerSecond >= 1 && connectsPerSecond <= 100_000) { problems.append("upstream.connectsPerSecond must be between 1 and 100000") }
        return problems
    }
}
