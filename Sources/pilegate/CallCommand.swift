import ArgumentParser
import Foundation
import Gateway
import HTTPAPI
import Lab
import OCPP

struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send an OCPP command to a pile through a running gateway (POST /api/chargepoints/{id}/commands/{action}).",
        discussion: """
            Examples:
              pilegate call NIO-000001 Reset '{"type":"Soft"}'
              pilegate call NIO-000001 GetConfiguration
              pilegate call NIO2-000001 GetVariables '{"getVariableData":[{"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}}]}'
              pilegate call --list --ocpp 2.0.1
            The payload is the action's request payload as JSON (default {}); the gateway checks it
            against the action's schema for the OCPP version the pile speaks, sends it, and the
            pile's answer is printed on standard output. Every command is recorded by the gateway
            (GET /api/chargepoints/{id}/commands).
            Exit status 0 when the pile answered, 1 when it answered CALLERROR, did not answer in
            time, answered outside the schema or is offline, 2 when the command was not sent
            (unknown action, a payload the schema refuses, a gateway that does not answer or
            refuses the token).
            """)

    @Argument(help: "The pile's identity.")
    var chargePointId: String?

    @Argument(help: "The OCPP action, e.g. Reset.")
    var action: String?

    @Argument(help: "The action's request payload as JSON (default {}).")
    var payload: String?

    @Option(help: "The gateway's HTTP base URL.")
    var gateway = "http://127.0.0.1:8180"

    @Option(help: "Bearer token for the gateway's API; default $PILEGATE_API_TOKEN.")
    var token: String?

    @Flag(help: "List the actions a central system sends to a pile of the --ocpp version (or of the named pile's version).")
    var list = false

    @Option(name: .customLong("ocpp"), help: "With --list: 1.6 or 2.0.1 (default 1.6).", transform: Arguments.ocppVersion)
    var version: OCPPVersion?

    func validate() throws {
        if list { return }
        guard chargePointId != nil, action != nil else { throw ValidationError("give a pile id and an action (or --list)") }
        if let payload, (try? JSONParser.parse(payload))?.objectValue == nil {
            throw ValidationError("the payload must be a JSON object, e.g. '{\"type\":\"Soft\"}'; got \(payload)")
        }
        guard URL(string: gateway)?.host != nil, gateway.lowercased().hasPrefix("http") else {
            throw ValidationError("--gateway must be a gateway's HTTP base URL such as http://127.0.0.1:8180, got \(gateway)")
        }
    }

    func run() async throws {
        let http = GatewayHTTP(base: gateway, token: token ?? ProcessInfo.processInfo.environment["PILEGATE_API_TOKEN"])
        if list {
            var listed = version ?? .v16
            if version == nil, let id = chargePointId {
                let (status, body) = try await reach { try await http.get(APIRoute.getChargePoint.path(id)) }
                guard status == 200 else { throw failure(status, body, exit: 2) }
                listed = OCPPVersion.allCases.first { $0.label == body["ocppVersion"]?.stringValue } ?? .v16
            }
            for name in Gateway.commandActions(listed) { print(name) }
            return
        }
        guard let chargePointId, let action else { throw ExitCode(2) }
        let body = (payload.flatMap { try? JSONParser.parse($0) }) ?? .object(JSONObject())
        let (status, answer) = try await reach {
            try await http.post(APIRoute.sendCommand.path(chargePointId, action), body)
        }
        guard status == 200 else { throw failure(status, answer, exit: [502, 504, 409].contains(status) ? 1 : 2) }
        print(answer.text)
    }

    /// Runs the request; a gateway that cannot be reached is exit status 2 with the reason.
    private func reach(_ request: () async throws -> (status: Int, body: JSON)) async throws -> (status: Int, body: JSON) {
        do {
            return try await request()
        } catch {
            Console.error("cannot reach the gateway at \(gateway): \(error.localizedDescription)")
            throw ExitCode(2)
        }
    }

    private func failure(_ status: Int, _ body: JSON, exit: Int32) -> ExitCode {
        if status == 401 {
            Console.error(GatewayHTTP.tokenRefused)
        } else {
            var line = "HTTP \(status) \(body.errorCode ?? ""): \(body["error"]?["message"]?.stringValue ?? body.text)"
            if let details = body["error"]?["details"] { line += "\n  details: \(details.text)" }
            Console.error(line)
        }
        return ExitCode(exit)
    }
}
