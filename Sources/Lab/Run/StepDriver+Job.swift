import Foundation
import HTTPAPI
import OCPP
import Simulator

/// The `job` step: a firmware update, diagnostics or log upload through the gateway's job
/// endpoints, followed until the job ends (bounded), then checked.
extension StepDriver {
    /// What each kind's configured failure is set on (`setOutcome`).
    static let outcomeActions = ["firmware": "UpdateFirmware", "diagnostics": "GetDiagnostics", "log": "LogStatusNotification"]

    func job(_ job: Step.Job) async throws {
        guard try await poll(wall(120), { $0.isConnected && $0.registration == .Accepted }) else { throw Failure(message: "the pile is not connected") }
        let outcome = job.outcome
        let action = Self.outcomeActions[job.kind] ?? job.kind
        try await pile.run { $0.setOutcome(action, outcome) }
        var body = job.body?.objectValue ?? JSONObject()
        let route: APIRoute
        switch job.kind {
        case "firmware":
            let file = job.file ?? "firmware.bin"
            // A small file whose first line names it; the same name in another case is the same file.
            let bytes = Array("PileGate lab firmware \(file)\n".utf8) + (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let stored = try await view.http.post(APIRoute.uploadFirmware.path() + "?name=\(GatewayHTTP.segment(file))", bytes: bytes, contentType: "application/octet-stream")
            if stored.status == 404 || stored.status == 405 { throw ScenarioRunner.Skip(reason: "the gateway has no POST /api/firmware (answered \(stored.status))") }
            guard stored.status == 201 || stored.body.errorCode == "firmware_exists" else {
                throw Failure(message: "POST /api/firmware: HTTP \(stored.status) \(stored.body.text)")
            }
            body["fileName"] = .string(file)
            route = .firmwareUpdate
        case "diagnostics": route = .diagnostics
        default:
            if body["logType"] == nil { body["logType"] = "DiagnosticsLog" }
            route = .logs
        }
        let started = try await view.http.post(route.path(identity), .object(body))
        guard started.status == 201, let id = started.body["id"]?.intValue else {
            throw Failure(message: "POST \(route.path): HTTP \(started.status) \(started.body.text)")
        }
        // Until it ends: an hour of simulated time at most.
        var last = started.body
        let deadline = Date().addingTimeInterval(wall(3600))
        while Date() < deadline, ["requested", "accepted", "running"].contains(last["status"]?.stringValue ?? "") {
            try await Task.sleep(for: .milliseconds(50))
            last = try await view.http.get(APIRoute.job.path(String(id))).body
        }
        // A diagnostics job may end before its upload is listed: give the upload a moment.
        if let uploads = job.expectUploads {
            let until = Date().addingTimeInterval(wall(60))
            while Date() < until, (last["uploads"]?.arrayValue?.count ?? 0) < uploads {
                try await Task.sleep(for: .milliseconds(50))
                last = try await view.http.get(APIRoute.job.path(String(id))).body
            }
        }
        try await pile.run { $0.setOutcome(action, nil) }
        let status = last["status"]?.stringValue ?? "?"
        if let expected = job.expectStatus, status != expected {
            throw Failure(message: "job \(id) is \(status), expected \(expected): \(last.text)")
        }
        if let expected = job.expectPileStatuses {
            let words = (last["history"]?.arrayValue ?? []).filter { $0["source"]?.stringValue == "pile" }.compactMap { $0["status"]?.stringValue }
            guard words == expected else { throw Failure(message: "job \(id): the pile reported \(words), expected \(expected)") }
        }
        if let expected = job.expectUploads, (last["uploads"]?.arrayValue?.count ?? 0) != expected {
            throw Failure(message: "job \(id) has \(last["uploads"]?.arrayValue?.count ?? 0) uploads, expected \(expected): \(last.text)")
        }
        if let version = job.expectFirmware {
            // The pile reboots after installing: wait for it to boot again, then read the gateway's record.
            _ = try await poll(wall(600)) { $0.profile.firmware == version && $0.isConnected && $0.registration == .Accepted }
            var recorded: String?
            let until = Date().addingTimeInterval(wall(60))
            repeat {
                recorded = try await view.http.get(APIRoute.getChargePoint.path(identity)).body["firmwareVersion"]?.stringValue
                if recorded == version { break }
                try await Task.sleep(for: .milliseconds(50))
            } while Date() < until
            guard recorded == version else { throw Failure(message: "the gateway records firmware \(recorded ?? "none"), expected \(version)") }
        }
    }
}
