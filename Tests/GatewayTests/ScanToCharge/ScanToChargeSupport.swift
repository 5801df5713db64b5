import EVModel
import Foundation
import Gateway
import HTTPAPI
import OCPP
import OCPPWebSocket
import SessionStore
import XCTest

/// The repository root: Tests/GatewayTests/ScanToCharge/ScanToChargeSupport.swift → ../../..
let scanToChargeRepositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// An API answer, with the body parsed as JSON when it is JSON.
struct APIReply {
    let status: Int
    let headers: [(name: String, value: String)]
    let text: String
    let json: JSON

    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    var errorCode: String? { json[path: "error.code"]?.stringValue }
}

extension APIResponder {
    /// Calls the responder as the HTTP server would; `token` nil sends no Authorization.
    func call(_ method: String, _ uri: String, json body: JSON? = nil, token: String? = GatewayHarness.apiToken) async -> APIReply {
        var request = HTTPRequest(method: .GET, uri: uri, body: body?.bytes ?? [])
        switch method {
        case "POST": request.method = .POST
        case "HEAD": request.method = .HEAD
        case "PUT": request.method = .PUT
        case "DELETE": request.method = .DELETE
        default: request.method = .GET
        }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if body != nil { request.headers.add(name: "Content-Type", value: "application/json") }
        let response = await respond(to: request)
        let text = String(decoding: response.body, as: UTF8.self)
        return APIReply(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, text: text,
            json: (try? JSONParser.parse(text)) ?? .string(text))
    }
}

extension GatewayHarness {
    /// The harness's API, called in-process (the bearer token is sent unless `token` is nil).
    func api(_ method: String, _ uri: String, json body: JSON? = nil, token: String? = GatewayHarness.apiToken) async -> APIReply {
        await http.call(method, uri, json: body, token: token)
    }

    /// A session as GET /api/sessions/{id} shows it.
    func sessionView(_ id: Int64) async -> JSON { await api("GET", "/api/sessions/\(id)").json }

    /// Polls GET /api/sessions/{id} until `condition` holds (at most `timeout` s); returns the last view.
    func waitForSession(_ id: Int64, timeout: TimeInterval = 8, _ condition: (JSON) -> Bool) async throws -> JSON {
        var last: JSON = .null
        _ = try await eventually(timeout) {
            last = await sessionView(id)
            return condition(last)
        }
        return last
    }

    /// Waits until the store shows `status` on a pile's connector.
    @discardableResult
    func waitForConnector(_ chargePointId: String, _ connectorId: Int, _ status: String, timeout: TimeInterval = 8) async throws -> Bool {
        try await eventually(timeout) {
            try await store.chargePoint(id: chargePointId)?.connectors.first { $0.connectorId == connectorId }?.status == status
        }
    }

    /// Sessions in the store with `status` (all piles).
    func storedSessions(_ status: SessionRecord.Status? = nil, chargePoint: String? = nil) async throws -> [SessionRecord] {
        try await store.sessions(chargePointId: chargePoint, status: status, limit: 1000)
    }

    /// A test pile that boots and reports its connectors (status per connector, 1-based),
    /// with the store caught up.
    func bootedPile(_ identity: String, statuses: [V16.ChargePointStatus] = [.Available], errorCode: V16.ChargePointErrorCode = .NoError)
        async throws -> TestChargePoint
    {
        let pile = try await connect(identity)
        _ = try await pile.boot()
        for (i, status) in statuses.enumerated() {
            _ = try await pile.call(
                V16.StatusNotification.self, .init(connectorId: i + 1, errorCode: status == .Faulted ? errorCode : .NoError, status: status))
        }
        try await store.flush()
        return pile
    }
}

/// Configurations for the scan-to-charge tests: the demo's tariffs and accounts
/// (Simulators/gateway/demo.yaml) plus a registry of piles.
enum ScanFixtures {
    static var vehiclesDirectory: String { scanToChargeRepositoryRoot.appendingPathComponent("Simulators/vehicles").path }
    static var demoConfigurationPath: String { scanToChargeRepositoryRoot.appendingPathComponent("Simulators/gateway/demo.yaml").path }

    /// A registry entry with everything the map and the estimates use.
    static func pile(
        _ id: String, network: String, station: String, city: String, latitude: Double, longitude: Double, current: CurrentKind = .dc,
        kW: Double, amps: Double? = nil, volts: Double = 1000, connectors: Int = 1
    ) -> GatewayConfiguration.KnownChargePoint {
        var known = GatewayConfiguration.KnownChargePoint(id: id, network: network, model: "test")
        known.station = station
        known.city = city
        known.latitude = latitude
        known.longitude = longitude
        known.current = current
        known.maxPowerKW = kW
        known.maxCurrentA = amps ?? kW * 1000 / volts
        known.maxVoltageV = volts
        known.connectors = connectors
        return known
    }

    /// demo.yaml's tariffs and accounts with `piles` as the registry.
    static func configuration(_ piles: [GatewayConfiguration.KnownChargePoint]) throws -> GatewayConfiguration {
        var configuration = try GatewayConfiguration.load(path: demoConfigurationPath)
        configuration.chargePoints = piles
        configuration.vehicles = vehiclesDirectory
        configuration.callTimeout = 5
        configuration.scanStartTimeout = 30
        return configuration
    }

    static func qr(_ network: String, _ pile: String, _ connector: Int = 1) -> String {
        QRCode(network: network, chargePointId: pile, connectorId: connector).description
    }
}

/// Reads the Prometheus text: the value of the first sample named `name` whose labels
/// include every pair in `labels`.
func prometheusValue(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        let parts = line.split(separator: " ")
        guard parts.count >= 2 else { continue }
        let series = String(parts[0])
        let metric = series.split(separator: "{", maxSplits: 1).first.map(String.init) ?? series
        guard metric == name else { continue }
        guard labels.allSatisfy({ series.contains("\($0.key)=\"\($0.value)\"") }) else { continue }
        return Double(parts[1])
    }
    return nil
}
