import CoreMetrics
import Foundation
import Gateway
import NIOHTTP1
import OCPP
import OCPPWebSocket
import Prometheus
import SessionStore

/// The gateway's HTTP API (docs/api.md, described in /openapi.json): the live map, scan
/// to charge, sessions with receipts, events, recommendations, metrics and the dashboard.
/// Reads come from the store, so every gateway process sharing it answers the same.
public struct APIResponder: HTTPResponder {
    let store: any SessionStore
    let gateway: Gateway
    let access: APIAccess
    let metrics: PrometheusCollectorRegistry?

    public init(store: any SessionStore, gateway: Gateway, access: APIAccess, metrics: PrometheusCollectorRegistry? = nil) {
        self.store = store
        self.gateway = gateway
        self.access = access
        self.metrics = metrics
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        let started = ContinuousClock.now
        var route = ["{invalid-path}"]
        var response: HTTPResponse
        do {
            let segments = try request.pathSegments()
            // /api/{collection}/{id}[/{aspect}]: the route pattern names the metric, not the id.
            route = segments.count >= 3 && segments[0] == "api" ? Array(segments.prefix(2)) + ["{id}"] + segments.dropFirst(3) : segments
            let id = segments.count >= 3 ? segments[2] : (segments.count == 2 ? segments[1] : "")
            // …/commands/{action} and …/configuration/{key}: the last segment, too, is a parameter.
            var action = ""
            if route.count == 2 && route[0] == "piles" { route[1] = "{id}" }
            if (3...4).contains(route.count) && route[0] == "files" { route = Array(route.prefix(2)) + ["{id}"] + (route.count > 3 ? ["{name}"] : []) }
            if route.count == 5 && route.starts(with: ["api", "chargepoints", "{id}"]), let name = Self.itemParameters[route[3]] {
                action = route[4]
                route[4] = name
            }
            response = try await dispatch(request, route: route, id: id, action: action)
        } catch let error as APIError {
            response = error.response
        } catch {
            response = .error(.serviceUnavailable, code: "store_unavailable", message: "\(error)")
        }
        let elapsed = ContinuousClock.now - started
        Timer(label: "pilegate_http_request_duration_seconds", dimensions: [("route", "/" + route.joined(separator: "/"))])
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        if request.method == .HEAD { response.body = [] }
        return response
    }

    private func dispatch(_ request: HTTPRequest, route: [String], id: String, action: String) async throws -> HTTPResponse {
        let method = request.method == .HEAD ? .GET : request.method
        let mutating = method != .GET
        guard let allowed = Self.methods(route) else {
            throw APIError(.notFound, "not_found", "no route for \(request.path)")
        }
        guard allowed.contains(method), request.method != .HEAD || allowed.contains(.HEAD) else {
            var response = HTTPResponse.error(.methodNotAllowed, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.path)")
            response.headers.add(name: "Allow", value: allowed.map(\.rawValue).joined(separator: ", "))
            return response
        }
        if route.first == "api" && (mutating || access.protectReads || Self.reachesThePile.contains(route)) {
            guard let token = request.bearerToken, access.accepts(token) else {
                var response = HTTPResponse.error(.unauthorized, code: "unauthorized", message: "this endpoint needs Authorization: Bearer TOKEN")
                response.headers.add(name: "WWW-Authenticate", value: "Bearer realm=\"PileGate\"")
                return response
            }
        }
        let now = Date()
        let sessions = SessionViews(gateway: gateway)
        switch route {
        case []:
            return HTTPResponse(status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"], body: Array(DashboardPage.html.utf8))
        case ["piles", "{id}"]:
            return HTTPResponse(status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"], body: Array(PilePage.html.utf8))
        case ["health"]:
            return .json(["status": "ok", "connectedChargePoints": .integer(Int64(gateway.connectedCount))])
        case ["metrics"]:
            var body: [UInt8] = []
            metrics?.emit(into: &body)
            return HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: body)
        case ["openapi.json"]:
            return HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: Array(OpenAPIDocument.json.utf8))
        case ["api", "chargepoints"]:
            return .json(ChargePointViews(gateway: gateway).list(try await store.chargePoints(), filter: try Self.mapFilter(request), now: now))
        case ["api", "chargepoints", "{id}"]:
            guard let detail = try await store.chargePoint(id: id) else {
                throw APIError(.notFound, "charge_point_not_found", "no charge point \(id)")
            }
            return .json(ChargePointViews(gateway: gateway).view(detail, now: now))
        case ["api", "chargepoints", "{id}", "findings"]:
            return .json(encodeJSON(try await store.findings(chargePointId: id, limit: try request.integer("limit", in: 1...10_000, default: 100))))
        case ["api", "chargepoints", "{id}", "messages"]:
            let frames = try await store.frames(chargePointId: id, limit: try request.integer("limit", in: 1...10_000, default: 100))
            return .json(.array(frames.map(SessionViews.frame)))
        case ["api", "chargepoints", "{id}", "device-model"]:
            return .json(encodeJSON(try await store.deviceModel(chargePointId: id)))
        case ["api", "chargepoints", "{id}", "notices"]:
            let kind = try request.choice("kind", PileNoticeRecord.Kind.self)
            let limit = try request.integer("limit", in: 1...10_000, default: 100)
            return .json(encodeJSON(try await store.notices(chargePointId: id, kind: kind, limit: limit)))
        case ["api", "chargepoints", "{id}", "commands"]:
            return .json(encodeJSON(try await store.commands(chargePointId: id, limit: try request.integer("limit", in: 1...10_000, default: 100))))
        case ["api", "chargepoints", "{id}", "commands", "{action}"]:
            return try await command(request, chargePointId: id, action: action)
        case ["api", "chargepoints", "{id}", "remote-start"]:
            let body = try request.jsonObject()
            guard let idTag = body["idTag"]?.stringValue, !idTag.isEmpty else {
                throw APIError(.badRequest, "invalid_request", "the body needs \"idTag\" (a string); \"connectorId\" and \"chargingProfile\" are optional")
            }
            var connector: Int?
            if let value = body["connectorId"] {
                guard let number = value.intValue, (0...1000).contains(number) else {
                    throw APIError(.badRequest, "invalid_request", "connectorId must be a whole number from 0 to 1000")
                }
                connector = Int(number)
            }
            let (version, answer) = try await operate { issuedBy throws(CommandFailure) in
                try await gateway.remoteStart(id, idTag: idTag, connectorId: connector, chargingProfile: body["chargingProfile"], issuedBy: issuedBy)
            }(request)
            return .json(["ocppVersion": .string(version.label), "response": answer])
        case ["api", "chargepoints", "{id}", "configuration"]:
            let keys = (request.query["key"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let entries = try await operate { issuedBy throws(CommandFailure) in try await gateway.readConfiguration(id, keys: keys, issuedBy: issuedBy) }(request)
            return .json(["ocppVersion": .string(await gateway.commandVersion(id).label), "keys": encodeJSON(entries)])
        case ["api", "chargepoints", "{id}", "configuration", "{key}"]:
            guard let value = try request.jsonObject()["value"]?.stringValue else {
                throw APIError(.badRequest, "invalid_request", "the body needs \"value\" as a string")
            }
            let status = try await operate { issuedBy throws(CommandFailure) in
                try await gateway.changeConfiguration(id, key: action, value: value, issuedBy: issuedBy)
            }(request)
            return .json(["key": .string(action), "status": .string(status)])
        case ["api", "compatibility"]:
            return .json(CompatibilityRoute.body(try await store.compatibility()))
        case ["api", "findings"]:
            return .json(encodeJSON(try await store.findings(chargePointId: nil, limit: try request.integer("limit", in: 1...10_000, default: 100))))
        case ["api", "sessions"]:
            let status = try request.choice("status", SessionRecord.Status.self)
            let limit = try request.integer("limit", in: 1...10_000, default: 100)
            let found = try await store.sessions(chargePointId: request.query["chargePoint"], status: status, limit: limit)
            return .json(try await sessions.list(found, now: now))
        case ["api", "sessions", "{id}"]:
            guard let detail = try await store.session(id: try Self.sessionId(id)) else {
                throw APIError(.notFound, "session_not_found", "no session \(id)")
            }
            return .json(sessions.detail(detail, now: now))
        case ["api", "sessions", "{id}", "receipt"]:
            let sessionId = try Self.sessionId(id)
            guard let detail = try await store.session(id: sessionId) else {
                throw APIError(.notFound, "session_not_found", "no session \(id)")
            }
            guard let receipt = gateway.receipt(for: detail.session, samples: detail.samples, now: now) else {
                throw APIError(.notFound, "receipt_not_available", "session \(id) is \(detail.session.status.rawValue) or no tariff applies to its pile")
            }
            return .json(encodeJSON(receipt))
        case ["api", "sessions", "{id}", "stop"]:
            let sessionId = try Self.sessionId(id)
            do {
                try await gateway.stopSession(sessionId)
            } catch {
                throw Self.apiError(error)
            }
            return .json(["sessionId": .integer(sessionId), "status": "Accepted"], status: .accepted)
        case ["api", "sessions", "{id}", "close"]:
            let sessionId = try Self.sessionId(id)
            do {
                return .json(SessionViews.view(try await gateway.closeSession(sessionId), live: nil))
            } catch {
                throw Self.apiError(error)
            }
        case ["api", "scan"]:
            let body = try request.jsonObject()
            guard let qr = body["qr"]?.stringValue, let account = body["account"]?.stringValue else {
                throw APIError(.badRequest, "invalid_request", "the body needs \"qr\" and \"account\" strings")
            }
            do {
                let session = try await gateway.scan(qr: qr, accountId: account)
                return .json(SessionViews.view(session, live: nil), status: .created)
            } catch {
                throw Self.apiError(error)
            }
        case ["api", "reservations"] where request.method == .POST:
            let body = try request.jsonObject()
            guard let pile = body["chargePointId"]?.stringValue, let expiryText = body["expiryDate"]?.stringValue,
                let expiry = OCPPTimestamp.parse(expiryText)?.date
            else {
                throw APIError(.badRequest, "invalid_request", "the body needs \"chargePointId\", \"expiryDate\" (RFC 3339) and \"idTag\" or \"account\"; \"connectorId\" defaults to 0 (any)")
            }
            let connector = body["connectorId"]?.intValue ?? 0
            do {
                let record = try await gateway.reserve(
                    pile, connectorId: Int(clamping: connector), idTag: body["idTag"]?.stringValue, account: body["account"]?.stringValue,
                    expiry: expiry, issuedBy: request.issuedBy, now: now)
                return .json(encodeJSON(record), status: .created)
            } catch {
                throw Self.apiError(error)
            }
        case ["api", "reservations"]:
            let found = try await store.reservations(chargePointId: request.query["chargePoint"], limit: try request.integer("limit", in: 1...10_000, default: 100))
            return .json(encodeJSON(found.map { $0.seen(at: now) }))
        case ["api", "reservations", "{id}"]:
            guard let number = Int64(id), number > 0 else { throw APIError(.badRequest, "invalid_reservation_id", "reservation ids are positive integers, got \(id)") }
            do {
                if request.method == .DELETE {
                    return .json(encodeJSON(try await gateway.cancelReservation(number, issuedBy: request.issuedBy, now: now)))
                }
                return .json(encodeJSON(try await gateway.storedReservation(number, now: now)))
            } catch {
                throw Self.apiError(error)
            }
        case ["api", "recommend"]:
            return try await recommend(request)
        case ["api", "firmware"] where method == .POST: return try await FileRoutes.postFirmware(request, gateway: gateway)
        case ["api", "firmware"]: return try await FileRoutes.listFirmware(request, gateway: gateway)
        case ["api", "firmware", "{id}"]: return try await FileRoutes.firmware(id, gateway: gateway)
        case ["files", "firmware", "{id}"]: return try await FileRoutes.serveFirmware(id, gateway: gateway)
        case ["files", "uploads", "{id}"], ["files", "uploads", "{id}", "{name}"]: return try await FileRoutes.receiveUpload(request, jobId: id, gateway: gateway)
        case ["api", "uploads", "{id}"]: return try await FileRoutes.download(id, gateway: gateway)
        case ["api", "chargepoints", "{id}", "firmware-update"]: return try await JobRoutes.firmwareUpdate(request, chargePointId: id, gateway: gateway)
        case ["api", "chargepoints", "{id}", "diagnostics"]: return try await JobRoutes.diagnostics(request, chargePointId: id, gateway: gateway)
        case ["api", "chargepoints", "{id}", "logs"]: return try await JobRoutes.logs(request, chargePointId: id, gateway: gateway)
        case ["api", "chargepoints", "{id}", "jobs"]: return try await JobRoutes.list(request, chargePointId: id, store: store)
        case ["api", "jobs", "{id}"]: return try await JobRoutes.job(id, gateway: gateway)
        case ["api", "events"]:
            return EventStream.response(gateway)
        default:
            throw APIError(.notFound, "not_found", "no route for \(request.path)")
        }
    }

    /// Which methods a route takes; nil for no such route.
    static func methods(_ route: [String]) -> [HTTPMethod]? {
        switch route {
        case ["api", "scan"], ["api", "sessions", "{id}", "stop"], ["api", "sessions", "{id}", "close"],
            ["api", "chargepoints", "{id}", "commands", "{action}"], ["api", "chargepoints", "{id}", "remote-start"]:
            [.POST]
        case ["api", "chargepoints", "{id}", "configuration", "{key}"]: [.PUT]
        case ["api", "firmware"]: [.GET, .HEAD, .POST]
        case ["api", "chargepoints", "{id}", "firmware-update"], ["api", "chargepoints", "{id}", "diagnostics"], ["api", "chargepoints", "{id}", "logs"]: [.POST]
        case ["files", "uploads", "{id}"], ["files", "uploads", "{id}", "{name}"]: [.PUT, .POST]
        case ["api", "firmware", "{id}"], ["files", "firmware", "{id}"], ["api", "uploads", "{id}"], ["api", "jobs", "{id}"], ["api", "chargepoints", "{id}", "jobs"]: [.GET, .HEAD]
        case ["api", "reservations"]: [.GET, .HEAD, .POST]
        case ["api", "reservations", "{id}"]: [.GET, .HEAD, .DELETE]
        // A read that asks the pile: no HEAD, which would ask it for nothing.
        case ["api", "chargepoints", "{id}", "configuration"]: [.GET]
        case [], ["piles", "{id}"], ["health"], ["metrics"], ["openapi.json"], ["api", "chargepoints"], ["api", "chargepoints", "{id}"],
            ["api", "chargepoints", "{id}", "findings"], ["api", "chargepoints", "{id}", "messages"],
            ["api", "chargepoints", "{id}", "device-model"], ["api", "chargepoints", "{id}", "commands"],
            ["api", "chargepoints", "{id}", "notices"], ["api", "findings"],
            ["api", "compatibility"],
            ["api", "sessions"], ["api", "sessions", "{id}"], ["api", "sessions", "{id}", "receipt"], ["api", "recommend"],
            ["api", "events"]:
            [.GET, .HEAD]
        default: nil
        }
    }

    static func sessionId(_ text: String) throws(APIError) -> Int64 {
        guard let id = Int64(text), id > 0 else { throw APIError(.badRequest, "invalid_session_id", "session ids are positive integers, got \(text)") }
        return id
    }

    static func mapFilter(_ request: HTTPRequest) throws(APIError) -> ChargePointViews.Filter {
        var powerClass: ChargePointViews.PowerClass?
        if let text = request.query["powerClass"] {
            guard let parsed = ChargePointViews.PowerClass(rawValue: text) else {
                throw APIError(.badRequest, "invalid_powerClass", "powerClass must be slow (≤ 22 kW), fast (≤ 150 kW) or ultra")
            }
            powerClass = parsed
        }
        let near = try request.coordinates("near")
        let radius = try request.number("radiusKm", in: 0...20_000)
        if radius != nil && near == nil { throw APIError(.badRequest, "invalid_radiusKm", "radiusKm needs near=LAT,LON") }
        return ChargePointViews.Filter(
            network: request.query["network"], status: request.query["status"], powerClass: powerClass, near: near, radiusKm: radius,
            limit: try request.integer("limit", in: 1...100_000, default: 100_000))
    }

    private func recommend(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let vehicle = request.query["vehicle"], !vehicle.isEmpty else {
            throw APIError(.badRequest, "invalid_vehicle", "vehicle=ID is required (a vehicle profile id, e.g. su7-max)")
        }
        guard let soc = try request.number("soc", in: 0...100), let target = try request.number("target", in: 0...100) else {
            throw APIError(.badRequest, "invalid_soc", "soc=N and target=M (percent) are required")
        }
        let near = try request.coordinates("near")
        let limit = try request.integer("limit", in: 1...1000, default: 10)
        do {
            let ranked = try await gateway.recommend(vehicleId: vehicle, soc: soc, target: target, near: near, limit: limit)
            var answer = JSONObject()
            answer["vehicle"] = gateway.vehicles.vehicles[vehicle].map(encodeJSON) ?? .null
            answer["recommendations"] = encodeJSON(ranked)
            return .json(.object(answer))
        } catch .unknownVehicle(let id, let known) {
            throw APIError(.notFound, "vehicle_not_found", RecommendError.unknownVehicle(id, known: known).description)
        } catch .invalid(let why) {
            throw APIError(.badRequest, "invalid_request", why)
        } catch .store(let why) {
            throw APIError(.serviceUnavailable, "store_unavailable", why)
        }
    }

    /// Routes whose last segment is a parameter: `commands/{action}`, `configuration/{key}`.
    static let itemParameters = ["commands": "{action}", "configuration": "{key}"]
    /// Reads that send a command to the pile: they need the token like any command.
    static let reachesThePile: Set<[String]> = [["api", "chargepoints", "{id}", "configuration"]]

    /// POST /api/chargepoints/{id}/commands/{action}: the body is the action's request payload.
    private func command(_ request: HTTPRequest, chargePointId: String, action: String) async throws -> HTTPResponse {
        // No body is the empty payload (ClearCache, Heartbeat-like actions).
        let payload = request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) ? JSON.object(JSONObject()) : .object(try request.jsonObject())
        return .json(try await operate { issuedBy throws(CommandFailure) in
            try await gateway.command(chargePointId, action: action, payload: payload, issuedBy: issuedBy)
        }(request))
    }

    /// Runs an operation that sends a command, with who asked, and words its failure for HTTP.
    private func operate<T>(_ body: @escaping (String) async throws(CommandFailure) -> T) -> (HTTPRequest) async throws -> T {
        { request in
            do throws(CommandFailure) {
                return try await body(request.issuedBy)
            } catch {
                throw Self.apiError(error)
            }
        }
    }

    /// The HTTP status, code and details for each way a command fails (docs/api.md).
    static func apiError(_ error: CommandFailure) -> APIError {
        let status: HTTPResponseStatus
        var details: JSON?
        switch error {
        case .unknownAction(_, let version, let known):
            status = .notFound
            details = ["ocppVersion": .string(version.label), "actions": .array(known.map(JSON.string))]
        case .invalidPayload(let problem):
            status = .badRequest
            details = ["path": .string(problem.path), "rule": .string(problem.rule)]
        case .pileOffline:
            status = .conflict
        case .pileTimeout(_, let seconds):
            status = .gatewayTimeout
            details = ["timeoutSeconds": .number(seconds)]
        case .pileError(let code, let description):
            status = .badGateway
            details = ["ocppErrorCode": .string(code), "ocppErrorDescription": .string(description)]
        case .invalidResponse(let problem, let response):
            status = .badGateway
            details = ["path": .string(problem.path), "rule": .string(problem.rule), "response": response]
        case .storeUnavailable:
            status = .serviceUnavailable
        }
        return APIError(status, error.code, error.description, details: details)
    }

    /// The HTTP status for each way a reservation fails.
    static func apiError(_ error: ReservationFailure) -> APIError {
        switch error {
        case .invalid(let why): APIError(.badRequest, "invalid_request", why)
        case .notFound: APIError(.notFound, "reservation_not_found", error.description)
        case .notCancellable: APIError(.conflict, "reservation_not_active", error.description)
        case .accountUnknown: APIError(.notFound, "account_unknown", error.description)
        case .command(let failure): apiError(failure)
        case .storeUnavailable: APIError(.serviceUnavailable, "store_unavailable", error.description)
        }
    }

    /// The HTTP status for each way a scan or stop fails.
    static func apiError(_ error: ScanFailure) -> APIError {
        let status: HTTPResponseStatus
        switch error {
        case .invalidQR: status = .badRequest
        case .unknownQR, .accountUnknown, .sessionNotFound: status = .notFound
        case .accountBlocked, .accountExpired: status = .forbidden
        case .accountAlreadyCharging, .connectorOccupied, .connectorFaulted, .connectorUnavailable, .connectorReserved, .pileRejected,
            .sessionNotActive, .pileOffline:
            status = .conflict
        case .pileTimeout: status = .gatewayTimeout
        case .storeUnavailable: status = .serviceUnavailable
        }
        return APIError(status, error.code, error.description)
    }
}

/// Who may call the API: a bearer token for mutating endpoints (and for reads when
/// `protectReads` is set).
public struct APIAccess: Sendable {
    public let token: String
    public let protectReads: Bool

    public init(token: String, protectReads: Bool = false) {
        self.token = token
        self.protectReads = protectReads
    }

    /// Compares in constant time, so the token cannot be guessed byte by byte.
    func accepts(_ given: String) -> Bool {
        let a = Array(given.utf8)
        let b = Array(token.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A label for who used a token, for the command history: 8 hex digits of a hash,
    /// which cannot give the token back.
    static func fingerprint(_ token: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in token.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "token:" + String(format: "%08x", UInt32(truncatingIfNeeded: hash >> 32))
    }

    /// A random token for a gateway started without one.
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
