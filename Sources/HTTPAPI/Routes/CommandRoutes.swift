import Gateway
import OCPP
import SessionStore

/// Operator commands: any action of the pile's version, and the shortcuts people expect
/// (docs/api.md, "Operator commands").
extension APIRoute {
    public static let sendCommand = APIRoute(
        .POST, "/api/chargepoints/{id}/commands/{action}", "sendCommand",
        """
        Sends any action of the pile's OCPP version that a central system sends (Reset, UnlockConnector, GetConfiguration, \
        TriggerMessage, RequestStartTransaction …) with the body as its payload, once the payload passes the action's schema; \
        answers with the pile's response payload. Whether a connector or reservation exists is for the pile to say. Every command \
        is recorded (GET …/commands).
        """,
        access: .write, parameters: [.chargePointId, .path("action", .text, "The OCPP action name, e.g. Reset.")],
        body: .json("CommandPayload", required: false),
        replies: [
            .ok("The pile's answer (its CALLRESULT payload)", .anyObject),
            .fails(400, "invalid_payload: the payload breaks the action's schema (error.details.path names the field), or the body is not a JSON object"),
            .fails(404, "unknown_action: not an action of the pile's version that the central system sends (error.details.actions lists them)"),
            .fails(409, "pile_offline: the pile is not connected to this gateway"),
            .fails(502, "pile_error: the pile answered CALLERROR (error.details.ocppErrorCode, ocppErrorDescription); invalid_response: its answer broke the schema (error.details.response)"),
            .fails(503, "store_unavailable: the command could not be recorded"),
            .fails(504, "pile_timeout: the pile did not answer within the call timeout"),
        ]
    ) { call in
        // No body is the empty payload (ClearCache and the like).
        let blank = call.request.body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        let payload = blank ? JSON.object(JSONObject()) : .object(try call.request.jsonObject())
        return .json(try await call.operate { issuedBy throws(CommandFailure) in
            try await call.gateway.command(call["id"], action: call["action"], payload: payload, issuedBy: issuedBy)
        })
    }

    public static let chargePointCommands = APIRoute(
        .GET, "/api/chargepoints/{id}/commands", "chargePointCommands",
        "The operator commands sent to the pile, newest first, each with its payload, how the pile answered and how long it took.",
        access: .read, parameters: [.chargePointId, .limit()], replies: [.ok("Commands, newest first", .list("Command"))] + Reply.fails(400)
    ) { call in .json(encodeJSON(try await call.store.commands(chargePointId: call["id"], limit: try call.limit))) }

    static let remoteStart = APIRoute(
        .POST, "/api/chargepoints/{id}/remote-start", "remoteStart",
        """
        Starts charging remotely in the pile's version: RemoteStartTransaction (1.6) or RequestStartTransaction with a fresh \
        remoteStartId (2.0.1); recorded in the command history.
        """,
        access: .write, parameters: [.chargePointId], body: .json("RemoteStartRequest"),
        replies: [.ok("The pile's answer", .one("CommandAnswer"))] + Reply.commandFailures
    ) { call in
        let body = try call.request.jsonObject()
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
        let (version, answer) = try await call.operate { issuedBy throws(CommandFailure) in
            try await call.gateway.remoteStart(call["id"], idTag: idTag, connectorId: connector, chargingProfile: body["chargingProfile"], issuedBy: issuedBy)
        }
        return .json(["ocppVersion": .string(version.label), "response": answer])
    }

    static let readConfiguration = APIRoute(
        .GET, "/api/chargepoints/{id}/configuration", "readConfiguration",
        """
        Asks the pile for its configuration: GetConfiguration (1.6; all keys or key=A,B), GetVariables (2.0.1; \
        key=Component.Variable,…). Sends a command, so it needs the token.
        """,
        access: .asksThePile, parameters: [.chargePointId, .query("key", .text, "Comma-separated keys (2.0.1: Component.Variable)")],
        replies: [.ok("The keys as the pile answered", .one("ConfigurationRead"))] + Reply.commandFailures
    ) { call in
        let keys = (call.text("key") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let entries = try await call.operate { issuedBy throws(CommandFailure) in
            try await call.gateway.readConfiguration(call["id"], keys: keys, issuedBy: issuedBy)
        }
        return .json(["ocppVersion": .string(await call.gateway.commandVersion(call["id"]).label), "keys": encodeJSON(entries)])
    }

    static let changeConfiguration = APIRoute(
        .PUT, "/api/chargepoints/{id}/configuration/{key}", "changeConfiguration",
        "Changes one key: ChangeConfiguration (1.6) or SetVariables of Component.Variable (2.0.1).",
        access: .write, parameters: [.chargePointId, .path("key", .text, "The key (2.0.1: Component.Variable).")],
        body: .json("ConfigurationChange"), replies: [.ok("The pile's status word", .one("ConfigurationChanged"))] + Reply.commandFailures
    ) { call in
        guard let value = try call.request.jsonObject()["value"]?.stringValue else {
            throw APIError(.badRequest, "invalid_request", "the body needs \"value\" as a string")
        }
        let status = try await call.operate { issuedBy throws(CommandFailure) in
            try await call.gateway.changeConfiguration(call["id"], key: call["key"], value: value, issuedBy: issuedBy)
        }
        return .json(["key": .string(call["key"]), "status": .string(status)])
    }

    static let commands: [APIRoute] = [chargePointCommands, sendCommand, remoteStart, readConfiguration, changeConfiguration]
}

extension RouteCall {
    /// Runs an operation that sends a command, with who asked, and words its failure for HTTP.
    func operate<T>(_ body: (String) async throws(CommandFailure) -> T) async throws(APIError) -> T {
        do throws(CommandFailure) {
            return try await body(request.issuedBy)
        } catch {
            throw APIError(error)
        }
    }
}
