import Foundation
import Gateway
import OCPP
import SessionStore

/// Sessions, receipts and the app's scan to charge.
extension APIRoute {
    public static let listSessions = APIRoute(
        .GET, "/api/sessions", "listSessions", "Sessions, newest first, with live figures.", access: .read,
        parameters: [
            .words("status", SessionRecord.Status.self, "Only sessions in this state."), .query("chargePoint", .text, "Only this pile's sessions."), .limit(),
        ],
        replies: [.ok("Sessions", .list("Session"))]
    ) { call in
        let status = try call.choice("status", SessionRecord.Status.self)
        let found = try await call.store.sessions(chargePointId: call.text("chargePoint"), status: status, limit: try call.limit)
        return .json(try await SessionViews(gateway: call.gateway).list(found, now: call.now))
    }

    public static let getSession = APIRoute(
        .GET, "/api/sessions/{id}", "getSession", "A session with live figures, samples, findings and its message timeline.", access: .read,
        parameters: [.sessionId], replies: [.ok("The session", .one("SessionDetail"))]
    ) { call in .json(SessionViews(gateway: call.gateway).detail(try await call.session(), now: call.now)) }

    static let getReceipt = APIRoute(
        .GET, "/api/sessions/{id}/receipt", "getReceipt", "The itemised cost: energy per tariff period, fees, idle fee, discount, total.",
        access: .read, parameters: [.sessionId], replies: [.ok("The receipt", .one("Receipt"))]
    ) { call in
        let detail = try await call.session()
        guard let receipt = call.gateway.receipt(for: detail.session, samples: detail.samples, now: call.now) else {
            throw APIError(.notFound, "receipt_not_available", "session \(call["id"]) is \(detail.session.status.rawValue) or no tariff applies to its pile")
        }
        return .json(encodeJSON(receipt))
    }

    static let closeSession = APIRoute(
        .POST, "/api/sessions/{id}/close", "closeSession",
        """
        Close a session the pile will never end (an operator's word): active ones end as abandoned at the last known register, \
        starting ones as failed. The pile is not asked.
        """,
        access: .write, parameters: [.sessionId], replies: [.ok("The session as closed", .one("Session"))] + Reply.fails(404, 409)
    ) { call in
        let id = try call.sessionId()
        do throws(ScanFailure) {
            return .json(SessionViews.view(try await call.gateway.closeSession(id), live: nil))
        } catch {
            throw APIError(error)
        }
    }

    public static let stopSession = APIRoute(
        .POST, "/api/sessions/{id}/stop", "stopSession",
        "Stop charging: sends RemoteStopTransaction; the session ends with the pile's StopTransaction.",
        access: .write, parameters: [.sessionId], replies: [.ok("The pile accepted", .one("StopAccepted"), status: 202)] + Reply.fails(404, 409, 504)
    ) { call in
        let id = try call.sessionId()
        do throws(ScanFailure) {
            try await call.gateway.stopSession(id, issuedBy: call.request.issuedBy)
        } catch {
            throw APIError(error)
        }
        return .json(["sessionId": .integer(id), "status": "Accepted"], status: .accepted)
    }

    public static let scan = APIRoute(
        .POST, "/api/scan", "scan",
        "The app's scan: resolves the QR code, checks the account, sends RemoteStartTransaction and returns the session once the pile accepts.",
        access: .write, body: .json("ScanRequest", example: ["qr": "pilegate://charge/v1/NIO/NIO-000001/1", "account": "mi-driver-1"]),
        replies: [.ok("Started: the session in status starting", .one("Session"), status: 201)] + Reply.fails(400, 403, 404, 409, 504)
    ) { call in
        let body = try call.request.jsonObject()
        guard let qr = body["qr"]?.stringValue, let account = body["account"]?.stringValue else {
            throw APIError(.badRequest, "invalid_request", "the body needs \"qr\" and \"account\" strings")
        }
        do throws(ScanFailure) {
            return .json(SessionViews.view(try await call.gateway.scan(qr: qr, accountId: account), live: nil), status: .created)
        } catch {
            throw APIError(error)
        }
    }

    static let sessions: [APIRoute] = [listSessions, getSession, getReceipt, closeSession, stopSession, scan]
}

extension Parameter {
    static let sessionId = Parameter.path("id", .positiveInteger, "The session id.")
}

extension RouteCall {
    /// The session the path names.
    func session() async throws -> SessionDetail {
        guard let detail = try await store.session(id: try sessionId()) else {
            throw APIError(.notFound, "session_not_found", "no session \(self["id"])")
        }
        return detail
    }
}
