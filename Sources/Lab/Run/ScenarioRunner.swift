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
        let site = testCase.scenario.scenario.site
        // One clock for all of a site's piles: their readings add up on one time line.
        let now = Date()
        let clock = VirtualClock(speed: speed, simulatedStart: now, wallStart: now)
        var running: [(member: CaseMember, pile: PileHandle, observer: CaseObserver)] = []
        if let replay = testCase.scenario.scenario.replay {
            do {
                failures += try await ReplayPlayer(replay: replay, identity: identity, endpoint: view.ocppEndpoint, eventLoop: eventLoop).play()
            } catch {
                failures.append("replay: \(error)")
            }
        } else {
            let simulation = testCase.scenario.scenario.simulation
            for member in testCase.members(identity: identity, serial: serial) {
                let observer = CaseObserver()
                var context = SimulationContext(endpoint: view.ocppEndpoint, clock: clock, observer: observer)
                context.callTimeout = .milliseconds(Int64((simulation?.callTimeoutSeconds ?? 10) * 1000))
                if let slow = simulation?.slowReplySeconds { context.slowReplySeconds = slow }
                let seed = seed &+ UInt64(member.index - 1) &* 0x2545_F491
                let handle = PileHandle(identity: member.identity, profile: member.profile, context: context, eventLoop: eventLoop, seed: seed)
                running.append((member, handle, observer))
            }
            // A site's piles go through the steps side by side, as cars arrive at a busy station.
            let outcomes = await withTaskGroup(of: (Int, [String], String?).self) { tasks in
                for (position, entry) in running.enumerated() {
                    let driver = StepDriver(
                        pile: entry.pile, testCase: testCase, view: view, library: library, speed: speed, identity: entry.member.identity,
                        serial: entry.member.serial, pileIndex: entry.member.index)
                    let steps = testCase.scenario.steps
                    let delay = Double(entry.member.index - 1) * (site?.staggerSeconds ?? 0) / speed
                    tasks.addTask {
                        if delay > 0 { try? await Task.sleep(for: .milliseconds(Int64(delay * 1000))) }
                        let (failures, skip) = await Self.perform(steps, with: driver)
                        return (position, failures, skip)
                    }
                }
                var outcomes: [(Int, [String], String?)] = []
                for await outcome in tasks { outcomes.append(outcome) }
                return outcomes.sorted { $0.0 < $1.0 }
            }
            for (position, pileFailures, skip) in outcomes {
                let prefix = site == nil ? "" : "pile \(running[position].member.index) (\(running[position].member.identity)): "
                failures += pileFailures.map { prefix + $0 }
                if skipReason == nil, let skip { skipReason = prefix + skip }
            }
        }
        let identities = running.isEmpty ? [identity] : running.map(\.member.identity)
        var found: [LabFinding] = []
        var evidence: [SessionEvidence] = []
        do {
            try await view.settle()
            var recorded: [SitePileRecord] = []
            for (position, id) in identities.enumerated() {
                let sessions = try await view.sessions(chargePointId: id)
                var pileFound = try await view.findings(chargePointId: id)
                // The frames of the first few findings' messages, so the report shows what broke the rule.
                for index in pileFound.indices.prefix(max(Self.findingsWithFrames - found.count, 0)) {
                    guard let messageId = pileFound[index].messageId else { continue }
                    pileFound[index].frames = try await view.frames(chargePointId: id, messageId: messageId)
                }
                found += pileFound
                var details: [LabSessionDetail] = []
                for session in sessions {
                    guard let detail = try await view.session(id: session.id) else { continue }
                    details.append(detail)
                    evidence.append(
                        SessionEvidence(
                            session: detail.session, apiLink: (view.embedded ? "" : view.apiBase) + APIRoute.getSession.path(String(session.id)),
                            trace: detail.timeline, findings: Array(Set(detail.findings)).sorted(), curve: SessionEvidence.curve(detail.samples)))
                }
                let observer = running.indices.contains(position) ? running[position].observer : CaseObserver()
                let member = running.indices.contains(position) ? running[position].member : nil
                recorded.append(SitePileRecord(member: member, sessions: sessions, details: details, findings: pileFound, observer: observer))
            }
            if skipReason == nil, failures.isEmpty, let expect = testCase.scenario.scenario.expect {
                failures += try await check(expect, recorded: recorded, clock: clock)
            }
        } catch {
            failures.append("reading what the gateway recorded: \(error)")
        }
        for entry in running { entry.pile.stop() }
        let scenario = testCase.scenario.scenario
        var result = CaseResult(
            scenario: scenario.name, file: testCase.scenario.file, caseName: testCase.name, tags: scenario.tags ?? [],
            network: testCase.network, model: testCase.model, firmware: testCase.firmware, ocppVersion: testCase.version.label,
            profile: testCase.profileId,
            vehicle: testCase.vehicle?.id, soc: testCase.soc, chargePointId: identities.joined(separator: ", "),
            outcome: skipReason != nil && failures.isEmpty ? .skipped : (failures.isEmpty ? .passed : .failed),
            failures: failures, skipReason: skipReason, findings: [], sessions: evidence,
            wallSeconds: Date().timeIntervalSince(started))
        result.judge(found, expected: Set(scenario.expect?.findings?.present ?? []))
        return result
    }

    /// One pile's steps in order, until one fails or cannot run: its failures and skip reason.
    static func perform(_ steps: [PlannedStep], with driver: StepDriver) async -> ([String], String?) {
        var failures: [String] = []
        var skip: String?
        for step in steps {
            do {
                try await driver.perform(step)
            } catch let reason as Skip {
                skip = "step \(step.index + 1) (\(step.kind)): \(reason.reason)"
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
        return (failures, skip)
    }

    /// The expectations: per pile as written (a site's piles each), findings over the whole
    /// site (a rule recorded on any of its piles), and the site's own.
    func check(_ expect: Expectations, recorded: [SitePileRecord], clock: VirtualClock) async throws -> [String] {
        let site = testCase.scenario.scenario.site
        var perPile = expect
        if site != nil {
            perPile.findings = nil
            perPile.site = nil
        }
        var failures: [String] = []
        for pile in recorded {
            let id = pile.member?.identity ?? identity
            let checker = ExpectationChecker(view: view, identity: id, delivered: pile.observer.stopped, serial: pile.member?.serial ?? serial)
            let prefix = site == nil ? "" : "pile \(pile.member?.index ?? 1) (\(id)): "
            failures += try await checker.check(perPile, sessions: pile.sessions, findings: Array(Set(pile.findings.map(\.rule))).sorted()).map { prefix + $0 }
        }
        guard let site else { return failures }
        let all = Array(Set(recorded.flatMap { $0.findings.map(\.rule) })).sorted()
        let union = ExpectationChecker(view: view, identity: identity, delivered: [], serial: serial)
        failures += try await union.check(Expectations(findings: expect.findings), sessions: [], findings: all)
        if let want = expect.site, let settings = testCase.siteSettings(identity: identity, serial: serial, speed: speed) {
            let history = try await SitePushHistory.read(view: view, siteId: settings.id)
            let checker = SiteChecker(settings: settings, spec: site, testCase: testCase, library: library, clock: clock, pushes: history)
            failures += checker.check(want, piles: recorded)
        }
        return failures
    }
}
