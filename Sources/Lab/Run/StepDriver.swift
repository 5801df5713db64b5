import Foundation
import HTTPAPI
import OCPP
import Simulator

/// Performs scenario steps on a simulated pile. Waits are bounded: a simulated timeout
/// becomes wall time at the run's speed, plus a margin for the network.
struct StepDriver {
    let pile: PileHandle
    let testCase: ScenarioCase
    let view: any GatewayView
    let library: ProfileLibrary
    let speed: Double
    let identity: String
    /// The case's serial: `{n}` in an id tag becomes it, so cases running at once use different tags.
    let serial: String
    /// The pile's place at a site, 1-based (`{k}` in an id tag: a tag the gateway's accounts can name).
    var pileIndex = 1

    func tag(_ text: String) -> String {
        text.replacingOccurrences(of: "{n}", with: serial).replacingOccurrences(of: "{k}", with: String(pileIndex))
    }

    typealias Failure = ScenarioRunner.StepFailure

    /// Wall seconds for `simulated` seconds, with a margin for real latency.
    func wall(_ simulated: Double) -> Double { simulated / speed + 5 }

    /// Polls `condition` every 10 ms for at most `seconds` of wall time.
    func poll(_ seconds: Double, _ condition: @escaping @Sendable (SimulatedPile) -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await pile.run(condition) { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await pile.run(condition)
    }

    func perform(_ step: PlannedStep) async throws {
        switch step.action {
        case .boot(let boot):
            pile.start()
            let expected = boot.expect ?? .Accepted
            guard try await poll(15, { $0.registration == expected && $0.isConnected }) else {
                let got = try await pile.run { "\($0.registration?.rawValue ?? "no answer"), connected: \($0.isConnected)" }
                throw Failure(message: "no \(expected.rawValue) boot within 15 s (got \(got))")
            }
        case .plugIn(let plug):
            let connector = plug.connector ?? 1
            guard let vehicle = plug.vehicle.flatMap({ library.vehicles[$0] }) ?? testCase.vehicle, let soc = plug.soc ?? testCase.soc else {
                throw Failure(message: "no vehicle or state of charge")
            }
            let target = plug.target ?? 100
            let idTag = plug.idTag.map(tag)
            let plugged = try await pile.run { pile -> Bool in
                pile.plugIn(connector: connector, vehicle: vehicle, soc: soc, targetSoC: target, idTag: idTag)
                return pile.session(on: connector)?.vehicle != nil
            }
            guard plugged else { throw Failure(message: "connector \(connector) refused the plug (status \(try await status(connector)))") }
        case .authorize(let authorize):
            let connector = authorize.connector ?? 1
            pile.execute { $0.swipe(connector: connector, idTag: tag(authorize.idTag)) }
        case .scan(let scan):
            try await self.scan(scan)
        case .waitStatus(let wait):
            let connector = wait.connector ?? 1
            let status = wait.status
            let minutes = wait.timeoutMinutes ?? 30
            guard try await poll(wall(minutes * 60), { $0.status(of: connector) == status }) else {
                throw Failure(message: "connector \(connector) not \(status.rawValue) within \(minutes) simulated minutes (it is \(try await self.status(connector)))")
            }
        case .chargeTo(let charge):
            let connector = charge.connector ?? 1
            let target = charge.soc
            let minutes = charge.timeoutMinutes ?? 240
            let reached = try await poll(wall(minutes * 60)) { pile in
                guard let state = pile.session(on: connector) else { return true }
                return state.soc >= target || state.transaction == nil
            }
            let (soc, charging) = try await pile.run { pile in (pile.session(on: connector)?.soc ?? 0, pile.session(on: connector)?.transaction != nil) }
            guard reached, soc >= target - 0.01 else {
                throw Failure(message: String(format: "state of charge %.1f %% on connector %d, not %.0f %% (%@)", soc, connector, target, charging ? "still charging" : "charging stopped"))
            }
        case .wait(let seconds):
            try await Task.sleep(for: .milliseconds(Int64(max(seconds / speed, 0.001) * 1000)))
        case .remoteStop(let stop):
            let connector = stop.connector ?? 1
            guard let session = try await activeSession(on: connector, within: wall(60)) else {
                throw Failure(message: "no active session on connector \(connector) recorded by the gateway to stop")
            }
            let answer = try await view.remoteStop(chargePointId: identity, sessionId: session)
            if ["method_not_allowed", "not_found"].contains(answer) {
                throw ScenarioRunner.Skip(reason: "the gateway has no POST /api/sessions/{id}/stop (answered \(answer))")
            }
            let expected = stop.expect ?? "Accepted"
            guard answer == expected else { throw Failure(message: "RemoteStopTransaction: expected \(expected), got \(answer)") }
        case .unplug(let connector):
            pile.execute { $0.unplug(connector: connector ?? 1) }
        case .dropConnection(let offline):
            pile.execute { $0.dropConnection(offlineFor: offline) }
            _ = try await poll(5) { !$0.isConnected }
        case .reboot:
            pile.execute { $0.reboot() }
            _ = try await poll(5) { !$0.isConnected }
            guard try await poll(wall(300), { $0.registration == .Accepted && $0.isConnected }) else {
                throw Failure(message: "the pile did not boot again after the reboot")
            }
        case .injectQuirk(let quirks):
            pile.execute { $0.setQuirks(quirks) }
        case .fault(let fault):
            let connector = fault.connector ?? 1
            pile.execute { $0.fault(connector: connector, code: fault.errorCode ?? .GroundFailure) }
        case .recover(let connector):
            pile.execute { $0.recover(connector: connector ?? 1) }
        case .raw(let raw):
            try await send(raw)
        case .command(let command):
            try await self.command(command)
        case .api(let call):
            try await self.api(call)
        case .job(let job):
            try await self.job(job)
        }
    }

    /// The gateway's active session on `connector` (polled, bounded), whichever version opened it:
    /// a 1.6 StartTransaction or a 2.0.1 TransactionEvent.
    func activeSession(on connector: Int, within seconds: Double) async throws -> Int64? {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            try await view.settle()
            if let session = try await view.sessions(chargePointId: identity).last(where: { $0.connectorId == connector && $0.status == "active" }) {
                return session.id
            }
            try await Task.sleep(for: .milliseconds(20))
        } while Date() < deadline
        return nil
    }

    func status(_ connector: Int) async throws -> String {
        try await pile.run { $0.status(of: connector)?.rawValue ?? "no such connector" }
    }

    /// Waits (bounded: an hour of simulated time) until the pile is back online and has
    /// delivered its queued transaction messages (a pile not Accepted delivers none).
    func settle() async {
        _ = try? await poll(wall(3600)) { ($0.queuedMessages == 0 || $0.registration != .Accepted) && $0.isConnected }
        try? await Task.sleep(for: .milliseconds(50))
    }

    func scan(_ scan: Step.Scan) async throws {
        let connector = scan.connector ?? 1
        var qr = scan.qr
        if qr == nil {
            // The connector's code appears once the gateway has stored its first status, which
            // may lag the pile's: ask again for a moment (bounded) before concluding there is none.
            for attempt in 0..<20 where qr == nil {
                if attempt > 0 { try await Task.sleep(for: .milliseconds(100)) }
                let pileJSON = try await GatewayHTTP(base: view.apiBase, token: nil).get(APIRoute.getChargePoint.path(identity)).body
                qr = pileJSON["connectors"]?.arrayValue?.first { $0["connectorId"]?.intValue == Int64(connector) }?["qr"]?.stringValue
            }
            // A central system other than PileGate (--gateway URL) may have no QR codes or scan endpoint.
            guard qr != nil else { throw ScenarioRunner.Skip(reason: "the gateway shows no QR code for connector \(connector) (GET /api/chargepoints/{id})") }
        }
        // `{pile}`: one account per pile model, so cases running at once do not collide
        // (an account charges at one connector at a time: account_already_charging).
        let account = scan.account.replacingOccurrences(of: "{pile}", with: testCase.profileId)
        let (status, body) = try await view.scan(qr: qr ?? "", account: account)
        if [404, 405].contains(status), ["not_found", "method_not_allowed"].contains(body.errorCode ?? "") {
            throw ScenarioRunner.Skip(reason: "the gateway has no POST /api/scan (answered \(status) \(body.errorCode ?? ""))")
        }
        let expected = scan.expectStatus ?? (scan.expectError == nil ? 201 : nil)
        if let expected, status != expected {
            throw Failure(message: "POST /api/scan answered \(status) \(body.errorCode ?? ""), expected \(expected)")
        }
        if let code = scan.expectError, body.errorCode != code {
            throw Failure(message: "POST /api/scan error code \(body.errorCode ?? "none") (status \(status)), expected \(code)")
        }
    }

    /// Sends an operator's command through the gateway and checks the pile's answer.
    func command(_ command: Step.Command) async throws {
        if command.expectError != "pile_offline" {
            guard try await poll(wall(120), { $0.isConnected && $0.registration == .Accepted }) else { throw Failure(message: "the pile is not connected") }
        }
        let (status, body) = try await view.command(chargePointId: identity, action: command.action, payload: command.payload ?? .object(JSONObject()))
        if status == 404 || status == 405, ["not_found", "method_not_allowed"].contains(body.errorCode ?? "") {
            throw ScenarioRunner.Skip(reason: "the gateway has no POST /api/chargepoints/{id}/commands/{action} (answered \(status))")
        }
        if let code = command.expectError {
            guard body.errorCode == code else { throw Failure(message: "\(command.action): expected \(code), the gateway answered \(status) \(body.text)") }
            return
        }
        guard status == 200 else { throw Failure(message: "\(command.action): HTTP \(status) \(body.text)") }
        if let expected = command.expect, let mismatch = Self.mismatch(expected, in: body, at: "") {
            throw Failure(message: "\(command.action): the pile answered \(body.text); \(mismatch)")
        }
    }

    /// Calls the gateway's API about the pile and checks the answer, again every 0.2 s
    /// until it matches when `withinSeconds` is given.
    func api(_ call: Step.PileAPI) async throws {
        let method = call.method ?? "GET"
        let path = APIRoute.getChargePoint.path(identity) + "/" + call.path
        let deadline = Date().addingTimeInterval(call.withinSeconds ?? 0)
        while true {
            let (status, body) = try await view.http.request(method, path, body: call.body)
            if status == 401 { throw GatewayHTTP.Failure(description: GatewayHTTP.tokenRefused) }
            if status == 404 || status == 405, ["not_found", "method_not_allowed"].contains(body.errorCode ?? "") {
                throw ScenarioRunner.Skip(reason: "the gateway has no \(method) /api/chargepoints/{id}/\(call.path) (answered \(status))")
            }
            let problem: String? =
                if let code = call.expectError {
                    body.errorCode == code ? nil : "expected \(code), the gateway answered \(status) \(body.text)"
                } else if !(200..<300).contains(status) {
                    "HTTP \(status) \(body.text)"
                } else if let expected = call.expect, let mismatch = Self.mismatch(expected, in: body, at: "") {
                    "answered \(body.text); \(mismatch)"
                } else if let count = call.expectCount, body.arrayValue?.count != count {
                    "answered \(body.text); expected a list of \(count)"
                } else {
                    nil
                }
            guard let problem else { return }
            guard Date() < deadline else { throw Failure(message: "\(method) \(call.path): \(problem)") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Where `answer` lacks what `expected` says, or nil: every key of an object, every
    /// element of a list (in order), equal scalars.
    static func mismatch(_ expected: JSON, in answer: JSON, at path: String) -> String? {
        switch expected {
        case .object(let object):
            for (key, value) in object {
                let place = path.isEmpty ? key : "\(path).\(key)"
                guard let found = answer[key] else { return "\(place) is missing" }
                if let problem = mismatch(value, in: found, at: place) { return problem }
            }
            return nil
        case .array(let items):
            guard let found = answer.arrayValue, found.count >= items.count else { return "\(path) has fewer than \(items.count) elements" }
            for (i, item) in items.enumerated() {
                if let problem = mismatch(item, in: found[i], at: "\(path)[\(i)]") { return problem }
            }
            return nil
        default:
            // 40000 and 40000.0 are one number on the wire.
            let same = expected.doubleValue.map { $0 == answer.doubleValue } ?? (expected == answer)
            return same ? nil : "\(path) is \(answer.text), expected \(expected.text)"
        }
    }

    /// Sends a raw frame and checks the gateway's recorded answer to it.
    func send(_ raw: Step.Raw) async throws {
        guard try await poll(wall(120), { $0.isConnected }) else { throw Failure(message: "the pile is not connected") }
        let sentAt = Date()
        // The id as written, even in a frame that is not valid JSON (the gateway reads it the same way).
        let messageId = raw.frame.firstMatch(of: /^\s*\[\s*\d+\s*,\s*"([^"]*)"/).map { String($0.1) }
        guard try await pile.run({ $0.sendRaw(raw.frame) }) else { throw Failure(message: "the connection closed before the frame went out") }
        guard raw.expectCallError != nil || raw.expectResult == true else { return }
        var reply: LabFrame?
        let deadline = Date().addingTimeInterval(10)
        while reply == nil && Date() < deadline {
            try await view.settle()
            reply = try await view.frames(chargePointId: identity).first { frame in
                frame.direction == "out" && frame.time >= sentAt.addingTimeInterval(-0.01)
                    && (messageId.map { frame.messageId == $0 && (frame.messageType == 3 || frame.messageType == 4) } ?? (frame.messageType == 4))
            }
            if reply == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        guard let reply else { throw Failure(message: "no answer from the gateway to \(raw.frame) within 10 s") }
        if let code = raw.expectCallError {
            let got = reply.messageType == 4 ? (try? JSONParser.parse(reply.text))?.arrayValue.flatMap { $0.count > 2 ? $0[2].stringValue : nil } : nil
            guard got == code else { throw Failure(message: "expected CALLERROR \(code), the gateway answered \(reply.text)") }
        } else if reply.messageType != 3 {
            throw Failure(message: "expected a CALLRESULT, the gateway answered \(reply.text)")
        }
    }
}
