import CoreMetrics
import OCPP

/// The gateway's metrics (swift-metrics; `pilegate serve` exports them to Prometheus at
/// /metrics). Handles are made once, so the per-frame cost is an atomic increment: the
/// counters for every known action are looked up in a table built at start, never
/// created (or locked for) on the frame path.
final class GatewayMetrics: Sendable {
    private let incoming: [String: Counter]
    private let outgoing: [String: Counter]
    private let otherIn: Counter
    private let otherOut: Counter
    private let latency: [String: Timer]
    private let otherLatency: Timer
    let activeSessions: Meter

    init() {
        // Every action name of both versions gets its own series; anything else counts as "other".
        let actions = Set(V16.catalog.names + V16.unsupportedActions + V201.catalog.names).sorted()
        func counter(_ action: String, _ direction: String) -> Counter {
            Counter(label: "pilegate_ocpp_messages_total", dimensions: [("action", action), ("direction", direction)])
        }
        incoming = Dictionary(actions.map { ($0, counter($0, "in")) }, uniquingKeysWith: { a, _ in a })
        outgoing = Dictionary(actions.map { ($0, counter($0, "out")) }, uniquingKeysWith: { a, _ in a })
        otherIn = counter("other", "in")
        otherOut = counter("other", "out")
        func timer(_ action: String) -> Timer {
            Timer(label: "pilegate_ocpp_request_duration_seconds", dimensions: [("action", action)])
        }
        latency = Dictionary(actions.map { ($0, timer($0)) }, uniquingKeysWith: { a, _ in a })
        otherLatency = timer("other")
        activeSessions = Meter(label: "pilegate_active_sessions")
    }

    /// A frame in either direction; a reply we sent also records how long we took.
    func frame(action: String?, incoming isIncoming: Bool, messageType: Int, latencySeconds: Double?) {
        let key = action ?? "other"
        if isIncoming {
            (incoming[key] ?? otherIn).increment()
        } else {
            (outgoing[key] ?? otherOut).increment()
            if messageType != 2, let seconds = latencySeconds {
                (latency[key] ?? otherLatency).recordNanoseconds(Int64(saturating: seconds * 1e9) ?? 0)
            }
        }
    }

    /// Piles connected to this process, by network and OCPP version.
    func connected(network: String?, version: OCPPVersion) -> Meter {
        Meter(label: "pilegate_connected_chargepoints", dimensions: [("network", network ?? "unknown"), ("ocpp_version", version.label)])
    }

    /// The security event types both versions' appendices name (1.6 security whitepaper,
    /// 2.0.1 Part 2 appendix); any other type a pile sends counts as "other", so a pile
    /// cannot grow the series without bound.
    static let securityEventTypes: Set<String> = [
        "FirmwareUpdated", "FailedToAuthenticateAtCsms", "FailedToAuthenticateAtCentralSystem", "CsmsFailedToAuthenticate",
        "CentralSystemFailedToAuthenticate", "SettingSystemTime", "StartupOfTheDevice", "ResetOrReboot", "SecurityLogWasCleared",
        "ReconfigurationOfSecurityParameters", "MemoryExhaustion", "InvalidMessages", "AttemptedReplayAttacks",
        "TamperDetectionActivated", "InvalidFirmwareSignature", "InvalidFirmwareSigningCertificate", "InvalidCsmsCertificate",
        "InvalidCentralSystemCertificate", "InvalidChargingStationCertificate", "InvalidChargePointCertificate", "InvalidTLSVersion",
        "InvalidTLSCipherSuite", "MaintenanceLoginAccepted", "MaintenanceLoginFailed",
    ]

    /// A security event a pile reported, by type.
    func securityEvent(_ type: String) {
        let name = Self.securityEventTypes.contains(type) ? type : "other"
        Counter(label: "pilegate_security_events_total", dimensions: [("type", name)]).increment()
    }

    /// A CALLERROR we sent (`direction: out`) or received.
    func callError(_ code: String, direction: String) {
        Counter(label: "pilegate_ocpp_callerrors_total", dimensions: [("code", code), ("direction", direction)]).increment()
    }
}
