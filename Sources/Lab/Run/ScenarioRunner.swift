import Foundation
import HTTPAPI
import NIOCore
import OCPP
import Simulator

/// Runs one case: a simulated pile driven step by step against the gateway, then the
/// expectations checked against what the gateway recorded.
struct ScenarioRunner {
    let testCase: ScenarioCase
    let view: any GatewayView
    let library: ProfileLibrary
    let speed: Double
    let eventLoop: any EventLoop
    let identity: String
    let serial: String
    let seed: UInt64
    /// Findings whose message frames a case's report carries.
    static let findingsWithFrames = 10

    /// A step that cannot run here (the gateway lacks an endpoint): the case is skipped.
    struct Skip: Error { let reason: String }
    /// A step that did not do what it should: the case fails.
    struct StepFailure: Error { let message: String }

    /// A case not run at all, and why.
    static func skipped(_ testCase: ScenarioCase, identity: String, reason: String) -> CaseResult {
        let scenario = testCase.scenario.scenario
        return CaseResult(
            scenario: scenario.name, file: testCase.scenario.file, caseName: testCase.name, tags: scenario.tags ?? [],
            network: testCase.network, model: testCase.model, firmware: testCase.firmware, ocppVersion: testCase.version.label,
            profile: testCase.profileId,
            vehicle: testCase.vehicle?.id, soc: testCase.soc, chargePointId: identity, outcome: .skipped,
            failures: [], skipReason: reason, findings: [], sessions: [], wallSeconds: 0)
    }

    func run() async -> CaseResult {
        let started = Date()
        var failures: [String] = []
        var skipReason: String?
        let observer = CaseObserver()
        var pile: PileHandle?
        if let replay = testCase.scenario.scenario.replay {
            do {
                failures += try await ReplayPlayer(replay: replay, identity: identity, endpoint: view.ocppEndpoint, eventLoop: eventLoop).play()
            } catch {
                failures.append("replay: \(error)")
            }
        } else if let profile = testCase.profile {
            var context = SimulationContext(endpoint: view.ocppEndpoint, clock: VirtualClock(speed: speed), observer: observer)
            let simulation = testCase.scenario.scenario.simulation
            context.callTimeout = .milliseconds(Int64((simulation?.callTimeoutSeconds ?? 10) * 1000))
            if let slow = simulation?.slowReplySeconds { context.slowReplySeconds = slow }
            let handle = PileHandle(identity: identity, profile: profile, context: context, eventLoop: eventLoop, seed: seed)
            pile = handle
            let driver = StepDriver(pile: handle, testCase: testCase, view: view, library: library, speed: speed, identity: identity, serial: serial)
            for step in testCase.scenario.steps {
                do {
                    try await driver.perform(step)
                } catch let skip as Skip {
                    skipReason = "step \(step.index + 1) (\(step.kind)): \(skip.reason)"
                    break
                } catch let failure as StepFailure {
                    failures.append("step \(step.index + 1) (\(step.kind), line \(step.line.map(String.init) ?? "?")): \(failure.message)")
                    break
                } catch {
                    failures.append("step \(step.index + 1) (\(step.kind)): \(error)")
                    break
                }
            }
            await driver.settle()
        }
        var found: [LabFinding] = []
        var evidence: [SessionEvidence] = []
        do {
            try await view.settle()
            let sessions = try await view.sessions(chargePointId: identity)
            found = try await view.findings(chargePointId: identity)
            // The frames of the first few findings' messages, so the report shows what broke the rule.
            for index in found.indices.prefix(Self.findingsWithFrames) {
                guard let messageId = found[index].messageId else { continue }
                found[index].frames = try await view.frames(chargePointId: identity, messageId: messageId)
            }
            let findings = Array(Set(found.map(\.rule))).sorted()
            for session in sessions {
                guard let detail = try await view.session(id: session.id) else { continue }
                evidence.append(
                    SessionEvidence(
                        session: detail.session, apiLink: (view.embedded ? "" : view.apiBase) + APIRoute.getSession.path(String(session.id)),
                        trace: detail.timeline, findings: Array(Set(detail.findings)).sorted(), curve: SessionEvidence.curve(detail.samples)))
            }
            if skipReason == nil, failures.isEmpty, let expect = testCase.scenario.scenario.expect {
                let checker = ExpectationChecker(view: view, identity: identity, delivered: observer.stopped, serial: serial)
                failures += try await checker.check(expect, sessions: sessions, findings: findings)
            }
        } catch {
            failures.append("reading what the gateway recorded: \(error)")
        }
        pile?.stop()
        let scenario = testCase.scenario.scenario
        var result = CaseResult(
            scenario: scenario.name, file: testCase.scenario.file, caseName: testCase.name, tags: scenario.tags ?? [],
            network: testCase.network, model: testCase.model, firmware: testCase.firmware, ocppVersion: testCase.version.label,
            profile: testCase.profileId,
            vehicle: testCase.vehicle?.id, soc: testCase.soc, chargePointId: identity,
            outcome: skipReason != nil && failures.isEmpty ? .skipped : (failures.isEmpty ? .passed : .failed),
            failures: failures, skipReason: skipReason, findings: [], sessions: evidence,
            wallSeconds: Date().timeIntervalSince(started))
        result.judge(found, expected: Set(scenario.expect?.findings?.present ?? []))
        return result
    }
}
