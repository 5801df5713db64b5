import Foundation
import OCPP

/// The code printed on every connector, which the driver scans in the app:
/// `pilegate://charge/v1/{network}/{chargePointId}/{connectorId}`, each part
/// percent-encoded (RFC 3986 unreserved characters stay as they are). The `v1` is the
/// format's version: a later format gets a new one, so printed codes keep working.
public struct QRCode: Sendable, Equatable, CustomStringConvertible {
    public static let prefix = "pilegate://charge/v1/"

    public var network: String
    public var chargePointId: String
    public var connectorId: Int

    public init(network: String, chargePointId: String, connectorId: Int) {
        self.network = network
        self.chargePointId = chargePointId
        self.connectorId = connectorId
    }

    public init(parsing text: String) throws(ScanFailure) {
        guard text.hasPrefix(Self.prefix) else {
            throw .invalidQR("a PileGate code starts with \(Self.prefix)")
        }
        let parts = text.dropFirst(Self.prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let network = parts[0].removingPercentEncoding, let pile = parts[1].removingPercentEncoding,
            !network.isEmpty, !pile.isEmpty
        else {
            throw .invalidQR("expected \(Self.prefix){network}/{chargePointId}/{connectorId}")
        }
        guard let connector = Int(parts[2]), connector >= 1 else {
            throw .invalidQR("the connector must be a number from 1, got \"\(parts[2])\"")
        }
        self.init(network: network, chargePointId: pile, connectorId: connector)
    }

    public var description: String {
        "\(Self.prefix)\(Self.encode(network))/\(Self.encode(chargePointId))/\(connectorId)"
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func encode(_ part: String) -> String {
        part.addingPercentEncoding(withAllowedCharacters: unreserved) ?? part
    }
}

/// Every way a scan or a remote stop can fail, each with a stable code the app can act on.
public enum ScanFailure: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidQR(String)
    case unknownQR(String)
    case accountUnknown(String)
    case accountBlocked(String)
    case accountExpired(String)
    case accountAlreadyCharging(sessionId: Int64)
    case pileOffline(String)
    case connectorOccupied(status: String)
    case connectorFaulted(errorCode: String?)
    case connectorUnavailable
    /// Reserved for another driver until `until`.
    case connectorReserved(until: Date)
    case pileRejected(String)
    case pileTimeout(String)
    case sessionNotFound(Int64)
    case sessionNotActive(Int64, status: String)
    case storeUnavailable(String)

    public var code: String {
        switch self {
        case .invalidQR: "invalid_qr"
        case .unknownQR: "unknown_qr"
        case .accountUnknown: "account_unknown"
        case .accountBlocked: "account_blocked"
        case .accountExpired: "account_expired"
        case .accountAlreadyCharging: "account_already_charging"
        case .pileOffline: "pile_offline"
        case .connectorOccupied: "connector_occupied"
        case .connectorFaulted: "connector_faulted"
        case .connectorUnavailable: "connector_unavailable"
        case .connectorReserved: "connector_reserved"
        case .pileRejected: "pile_rejected"
        case .pileTimeout: "pile_timeout"
        case .sessionNotFound: "session_not_found"
        case .sessionNotActive: "session_not_active"
        case .storeUnavailable: "store_unavailable"
        }
    }

    public var description: String {
        switch self {
        case .invalidQR(let why): "not a charging code: \(why)"
        case .unknownQR(let why): "the code names no pile here: \(why)"
        case .accountUnknown(let id): "no account \(id)"
        case .accountBlocked(let id): "account \(id) is blocked"
        case .accountExpired(let id): "account \(id) has expired"
        case .accountAlreadyCharging(let id): "the account already has session \(id) running"
        case .pileOffline(let id): "pile \(id) is not connected"
        case .connectorOccupied(let status): "the connector is in use (\(status))"
        case .connectorFaulted(let code): "the connector is faulted (\(code ?? "no error code"))"
        case .connectorUnavailable: "the connector is out of service"
        case .connectorReserved(let until): "the connector is reserved for another driver until \(OCPPTimestamp.format(until))"
        case .pileRejected(let why): "the pile refused: \(why)"
        case .pileTimeout(let why): "the pile did not answer in time: \(why)"
        case .sessionNotFound(let id): "no session \(id)"
        case .sessionNotActive(let id, let status): "session \(id) is \(status), not active"
        case .storeUnavailable(let why): "the store could not be used: \(why)"
        }
    }
}
