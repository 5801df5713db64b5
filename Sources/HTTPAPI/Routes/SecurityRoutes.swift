import Foundation
import Gateway
import NIOHTTP1
import OCPP
import OCPPWebSocket

/// `/api/chargepoints/{id}/security…`: a pile's security profile and password
/// (docs/security.md). Passwords go in, never out.
enum SecurityRoutes {
    static func show(_ gateway: Gateway, chargePointId: String) -> HTTPResponse {
        .json(view(gateway.securityState(chargePointId)))
    }

    /// PUT `{"securityProfile"?, "password"?, "allowDowngrade"?}`.
    static func put(_ request: HTTPRequest, _ gateway: Gateway, chargePointId: String) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        try onlyKnown(body, ["securityProfile", "password", "allowDowngrade"])
        var profile: Int?
        if let value = body["securityProfile"] {
            guard case .integer(let n) = value, (0...3).contains(n) else {
                throw APIError(.badRequest, "invalid_request", "securityProfile must be 0, 1, 2 or 3")
            }
            profile = Int(n)
        }
        let password = try string(body, "password")
        var allowDowngrade = false
        if let value = body["allowDowngrade"] {
            guard case .bool(let b) = value else { throw APIError(.badRequest, "invalid_request", "allowDowngrade must be true or false") }
            allowDowngrade = b
        }
        guard profile != nil || password != nil else {
            throw APIError(.badRequest, "invalid_request", "give securityProfile, password or both")
        }
        do {
            return .json(
                view(try await gateway.setSecurity(chargePointId, profile: profile, password: password, allowDowngrade: allowDowngrade, issuedBy: request.issuedBy)))
        } catch {
            throw apiError(error)
        }
    }

    /// POST …/rotate-password, body optional `{"password"}` (else one is made).
    static func rotate(_ request: HTTPRequest, _ gateway: Gateway, chargePointId: String) async throws -> HTTPResponse {
        var password: String?
        if !request.body.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) {
            let body = try request.jsonObject()
            try onlyKnown(body, ["password"])
            password = try string(body, "password")
        }
        do {
            let rotation = try await gateway.rotatePassword(chargePointId, password: password, issuedBy: request.issuedBy)
            var o = view(rotation.state).objectValue ?? JSONObject()
            o["status"] = .string(rotation.status)
            o["applied"] = .bool(rotation.applied)
            return .json(.object(o))
        } catch {
            throw apiError(error)
        }
    }

    /// POST …/renew-certificate and …/install-root-certificate: the pile's answer.
    static func certificates(_ gateway: Gateway, chargePointId: String, install: Bool, issuedBy: String) async throws -> HTTPResponse {
        do {
            let status =
                install
                ? try await gateway.installRootCertificate(chargePointId, issuedBy: issuedBy)
                : try await gateway.renewCertificate(chargePointId, issuedBy: issuedBy)
            return .json(["chargePointId": .string(chargePointId), "status": .string(status)])
        } catch {
            throw apiError(error)
        }
    }

    static func view(_ state: PileSecurityState) -> JSON {
        [
            "chargePointId": .string(state.chargePointId), "securityProfile": .integer(Int64(state.securityProfile)),
            "hasPassword": .bool(state.hasPassword),
        ]
    }

    private static func onlyKnown(_ body: JSONObject, _ known: Set<String>) throws(APIError) {
        if let extra = body.keys.first(where: { !known.contains($0) }) {
            throw APIError(.badRequest, "invalid_request", "unknown field \(extra); the body takes \(known.sorted().joined(separator: ", "))")
        }
    }

    private static func string(_ body: JSONObject, _ key: String) throws(APIError) -> String? {
        guard let value = body[key] else { return nil }
        guard let text = value.stringValue else { throw APIError(.badRequest, "invalid_request", "\(key) must be a string") }
        return text
    }

    static func apiError(_ error: SecurityFailure) -> APIError {
        switch error {
        case .invalid(let why): APIError(.badRequest, "invalid_request", why)
        case .downgrade: APIError(.conflict, "downgrade_refused", error.description)
        case .command(let failure): APIError(failure)
        case .storeUnavailable: APIError(.serviceUnavailable, "store_unavailable", error.description)
        case .noCertificateAuthority: APIError(.conflict, "no_certificate_authority", error.description)
        }
    }
}

extension APIRoute {
    static let pileSecurity = APIRoute(
        .GET, "/api/chargepoints/{id}/security", "pileSecurity",
        "The pile's security profile (0–3) and whether it has a password; never the password.",
        access: .read, parameters: [.chargePointId], replies: [.ok("The pile's security", .one("PileSecurity"))]
    ) { call in SecurityRoutes.show(call.gateway, chargePointId: call["id"]) }

    static let setPileSecurity = APIRoute(
        .PUT, "/api/chargepoints/{id}/security", "setPileSecurity",
        """
        Sets the pile's profile and/or password (stored as a salted hash) without asking the pile: for provisioning. A lower \
        profile than the pile has takes allowDowngrade.
        """,
        access: .write, parameters: [.chargePointId], body: .json("PileSecurityChange"),
        replies: [.ok("The pile's security", .one("PileSecurity"))] + Reply.fails(400, 409, 503)
    ) { call in try await SecurityRoutes.put(call.request, call.gateway, chargePointId: call["id"]) }

    static let rotatePilePassword = APIRoute(
        .POST, "/api/chargepoints/{id}/security/rotate-password", "rotatePilePassword",
        """
        Gives the connected pile a new password (the one given, else 40 random hex digits): 1.6 ChangeConfiguration \
        AuthorizationKey, 2.0.1 SetVariables SecurityCtrlr.BasicAuthPassword. It takes effect only if the pile says Accepted.
        """,
        access: .write, parameters: [.chargePointId], body: .json("PasswordRotationRequest", required: false),
        replies: [.ok("The pile's answer and whether the new password is in force", .one("PasswordRotation"))] + Reply.fails(400, 409, 502, 503, 504)
    ) { call in try await SecurityRoutes.rotate(call.request, call.gateway, chargePointId: call["id"]) }

    static let renewPileCertificate = APIRoute(
        .POST, "/api/chargepoints/{id}/security/renew-certificate", "renewPileCertificate",
        """
        Asks the connected pile for a new client certificate: 1.6 ExtendedTriggerMessage SignChargePointCertificate, 2.0.1 \
        TriggerMessage SignChargingStationCertificate. The pile's CSR then comes as SignCertificate and is signed by the \
        gateway's CA (security.ca) when its CN is the pile; the chain follows in CertificateSigned.
        """,
        access: .write, parameters: [.chargePointId],
        replies: [.ok("The pile's answer to the trigger", .one("CertificateCommand"))] + Reply.fails(409, 502, 504)
    ) { call in try await SecurityRoutes.certificates(call.gateway, chargePointId: call["id"], install: false, issuedBy: call.request.issuedBy) }

    static let installPileRootCertificate = APIRoute(
        .POST, "/api/chargepoints/{id}/security/install-root-certificate", "installPileRootCertificate",
        """
        Installs the gateway's CA certificate (security.ca) on the connected pile as the root it verifies its CSMS with: \
        InstallCertificate CentralSystemRootCertificate (1.6) or CSMSRootCertificate (2.0.1).
        """,
        access: .write, parameters: [.chargePointId],
        replies: [.ok("The pile's answer", .one("CertificateCommand"))] + Reply.fails(409, 502, 504)
    ) { call in try await SecurityRoutes.certificates(call.gateway, chargePointId: call["id"], install: true, issuedBy: call.request.issuedBy) }

    static let security: [APIRoute] = [pileSecurity, setPileSecurity, rotatePilePassword, renewPileCertificate, installPileRootCertificate]
}
