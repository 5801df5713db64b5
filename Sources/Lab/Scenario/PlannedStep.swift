import Gateway
import OCPP
import Simulator
import YAMLConfig

/// A step with its kind resolved and its values checked, and where it was written.
public struct PlannedStep: Sendable {
    public let index: Int
    public let line: Int?
    public let kind: String
    public let action: Action

    public enum Action: Sendable {
        case boot(Step.Boot)
        case plugIn(Step.PlugIn)
        case authorize(Step.Authorize)
        case scan(Step.Scan)
        case waitStatus(Step.WaitStatus)
        case chargeTo(Step.ChargeTo)
        case wait(seconds: Double)
        case remoteStop(Step.RemoteStop)
        case unplug(connector: Int?)
        case dropConnection(offlineSeconds: Double)
        case reboot
        case injectQuirk([Quirk])
        case fault(Step.Fault)
        case recover(connector: Int?)
        case raw(Step.Raw)
        case command(Step.Command)
        case api(Step.PileAPI)
        case job(Step.Job)

        /// The API's error codes of a command (docs/api.md).
        static let commandErrors = ["pile_error", "pile_timeout", "pile_offline", "invalid_response", "invalid_payload", "unknown_action"]

        /// Resolves `kind` (the single key written) against the decoded step.
        init(kind: String, step: Step, fail: (String) -> YAMLConfigError) throws(YAMLConfigError) {
            func need<T>(_ value: T?) throws(YAMLConfigError) -> T {
                guard let value else { throw fail("needs its settings") }
                return value
            }
            switch kind {
            case "boot": self = .boot(step.boot ?? .init())
            case "plugIn": self = .plugIn(step.plugIn ?? .init())
            case "authorize": self = .authorize(try need(step.authorize))
            case "scan": self = .scan(try need(step.scan))
            case "waitStatus": self = .waitStatus(try need(step.waitStatus))
            case "chargeTo":
                let charge = try need(step.chargeTo)
                guard (0...100).contains(charge.soc) else { throw fail("soc must be 0–100") }
                self = .chargeTo(charge)
            case "chargeFor", "wait":
                let duration = try need(kind == "wait" ? step.wait : step.chargeFor)
                guard duration.total > 0 else { throw fail("give minutes or seconds, more than 0") }
                self = .wait(seconds: duration.total)
            case "remoteStop":
                let stop = step.remoteStop ?? .init()
                if let expect = stop.expect, !["Accepted", "pile_timeout", "pile_offline", "pile_rejected"].contains(expect) {
                    throw fail("expect is Accepted, pile_timeout, pile_offline or pile_rejected")
                }
                self = .remoteStop(stop)
            case "unplug": self = .unplug(connector: step.unplug?.connector)
            case "dropConnection": self = .dropConnection(offlineSeconds: (step.dropConnection?.offlineMinutes ?? 0) * 60)
            case "reboot": self = .reboot
            case "injectQuirk": self = .injectQuirk(try need(step.injectQuirk).quirks)
            case "fault": self = .fault(step.fault ?? .init())
            case "recover": self = .recover(connector: step.recover?.connector)
            case "raw":
                let raw = try need(step.raw)
                guard (try? JSONParser.parse(raw.frame)) != nil || raw.expectCallError != nil else {
                    throw fail("frame is not JSON; say which CALLERROR (expectCallError) the gateway should answer")
                }
                if let code = raw.expectCallError, RPCErrorCode(wireName: code) == nil {
                    let allowed = RPCErrorCode.allCases.flatMap { code in OCPPVersion.allCases.map(code.wireName) }
                    throw fail("expectCallError: \"\(code)\" is not a CALLERROR code; allowed: \(Array(Set(allowed)).sorted().joined(separator: ", "))")
                }
                self = .raw(raw)
            case "command":
                let command = try need(step.command)
                if let payload = command.payload, payload.objectValue == nil { throw fail("payload must be a mapping (the action's request payload)") }
                if let code = command.expectError, !Self.commandErrors.contains(code) {
                    throw fail("expectError is one of \(Self.commandErrors.joined(separator: ", "))")
                }
                if command.expect != nil && command.expectError != nil { throw fail("give expect or expectError, not both") }
                self = .command(command)
            case "api":
                let call = try need(step.api)
                guard ["GET", "POST", "PUT", "DELETE"].contains(call.method ?? "GET") else { throw fail("method is GET, POST, PUT or DELETE") }
                guard !call.path.isEmpty, !call.path.hasPrefix("/"), !call.path.contains("..") else {
                    throw fail("path is what follows /api/chargepoints/{id}/, e.g. local-list/sync")
                }
                if let body = call.body, body.objectValue == nil { throw fail("body must be a mapping") }
                if call.body != nil && (call.method ?? "GET") == "GET" { throw fail("a GET has no body") }
                if (call.expect != nil || call.expectCount != nil) && call.expectError != nil { throw fail("give expect or expectError, not both") }
                if let count = call.expectCount, !(0...100_000).contains(count) { throw fail("expectCount is 0 to 100000") }
                if let within = call.withinSeconds, !(0...600).contains(within) { throw fail("withinSeconds is 0 to 600") }
                self = .api(call)
            case "job":
                let job = try need(step.job)
                guard ["firmware", "diagnostics", "log"].contains(job.kind) else { throw fail("kind is firmware, diagnostics or log") }
                if job.kind == "firmware" && job.file == nil { throw fail("a firmware job needs file (the name it is uploaded under)") }
                if let file = job.file, !Gateway.isValidFileName(file) { throw fail("file must be 1–128 characters of A–Z a–z 0–9 . _ -") }
                if let body = job.body, body.objectValue == nil { throw fail("body must be a mapping") }
                if let status = job.expectStatus, !["succeeded", "failed", "refused"].contains(status) { throw fail("expectStatus is succeeded, failed or refused") }
                self = .job(job)
            default: throw fail("unknown step")
            }
        }
    }
}
