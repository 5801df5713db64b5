import Foundation
import Gateway
import Simulator
import YAMLConfig
import Yams

/// A scenario file read and checked against the profile library, ready to expand.
public struct LoadedScenario: Sendable {
    public let file: String
    public let scenario: Scenario
    public let steps: [PlannedStep]
    /// The gateway configuration the scenario asks for (embedded runs), already loaded.
    public let gatewayConfiguration: GatewayConfiguration?
    public let gatewayConfigurationFile: String?
}

/// Reads scenario files strictly: every mistake names the file, the line and what is
/// wrong, and all of them are found before anything runs.
public struct ScenarioLoader: Sendable {
    public let library: ProfileLibrary

    public init(library: ProfileLibrary) { self.library = library }

    /// Scenario files under `paths` (files, or folders searched recursively), sorted.
    public static func files(in paths: [String]) throws(YAMLConfigError) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw YAMLConfigError(file: path, line: nil, message: "no such file or folder")
            }
            if !isDirectory.boolValue {
                files.append(path)
                continue
            }
            let base = URL(fileURLWithPath: path)
            let enumerator = FileManager.default.enumerator(atPath: path)
            var found: [String] = []
            while let item = enumerator?.nextObject() as? String {
                guard item.hasSuffix(".yaml") || item.hasSuffix(".yml") else { continue }
                // Gateway configurations used by scenarios live beside them, under a `gateway` folder.
                guard !item.split(separator: "/").contains("gateway") else { continue }
                found.append(base.appendingPathComponent(item).path)
            }
            files += found.sorted()
        }
        return files
    }

    /// Loads every file; throws every error found (one per file at most), not just the first.
    public func load(paths: [String]) throws(ScenarioLoadErrors) -> [LoadedScenario] {
        let files: [String]
        do {
            files = try Self.files(in: paths)
        } catch {
            throw ScenarioLoadErrors(errors: [error])
        }
        var loaded: [LoadedScenario] = []
        var errors: [YAMLConfigError] = []
        for file in files {
            do {
                loaded.append(try load(file: file))
            } catch {
                errors.append(error)
            }
        }
        if !errors.isEmpty { throw ScenarioLoadErrors(errors: errors) }
        if loaded.isEmpty { throw ScenarioLoadErrors(errors: [YAMLConfigError(file: paths.joined(separator: " "), line: nil, message: "no scenario files (*.yaml) found")]) }
        return loaded
    }

    public func load(file: String) throws(YAMLConfigError) -> LoadedScenario {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw YAMLConfigError(file: file, line: nil, message: "cannot read the file: \(error.localizedDescription)")
        }
        return try load(text: text, file: file)
    }

    public func load(text: String, file: String) throws(YAMLConfigError) -> LoadedScenario {
        let composed: Node?
        do {
            composed = try Yams.compose(yaml: text)
        } catch {
            // YAMLConfig words syntax errors with their line.
            _ = try YAMLConfig.decode(Scenario.self, from: text, file: file)
            throw YAMLConfigError(file: file, line: nil, message: "not valid YAML: \(error)")
        }
        guard let root = composed else { throw YAMLConfigError(file: file, line: nil, message: "the file is empty") }
        if let problem = ScenarioShape.scenario.check(root, path: "") {
            throw YAMLConfigError(file: file, line: problem.line, message: problem.message)
        }
        let scenario = try YAMLConfig.decode(Scenario.self, from: text, file: file)
        let locate = NodeLocator(root: root)
        func fail(_ path: [NodeLocator.Key], _ message: String) -> YAMLConfigError {
            YAMLConfigError(file: file, line: locate.line(path), message: message)
        }

        if scenario.replay == nil {
            guard let matrix = scenario.matrix else { throw fail([], "missing required key \"matrix\" (piles to run on)") }
            guard scenario.steps?.isEmpty == false else { throw fail([], "missing required key \"steps\" (or a recorded \"replay\")") }
            guard !matrix.piles.isEmpty else { throw fail(["matrix", "piles"], "matrix.piles is empty") }
            for (i, pile) in matrix.piles.enumerated() where pile != "all" && library.piles[pile] == nil {
                throw fail(["matrix", "piles", .index(i)], "unknown pile profile \"\(pile)\" (known: all, \(library.piles.keys.sorted().joined(separator: ", ")))")
            }
            for (i, vehicle) in (matrix.vehicles ?? []).enumerated() where library.vehicles[vehicle] == nil {
                throw fail(["matrix", "vehicles", .index(i)], "unknown vehicle \"\(vehicle)\" (known: \(library.vehicles.keys.sorted().joined(separator: ", ")))")
            }
            for (i, soc) in (matrix.soc ?? []).enumerated() where !(0...100).contains(soc) {
                throw fail(["matrix", "soc", .index(i)], "state of charge \(soc) is outside 0–100")
            }
            if let versions = matrix.versions {
                guard !versions.isEmpty else { throw fail(["matrix", "versions"], "matrix.versions is empty (leave it out to run each pile at its own version)") }
                // A raw frame is written in one version's words; on the other it tests nothing.
                if Set(versions).count > 1, let i = scenario.steps?.firstIndex(where: { $0.raw != nil }) {
                    throw fail(["steps", .index(i)], "steps[\(i)].raw: a raw frame is written for one OCPP version; matrix.versions lists \(versions.count) (write one scenario per version)")
                }
            }
        } else if scenario.steps != nil || scenario.matrix != nil {
            throw fail([], "a replay scenario has no matrix or steps: it plays its recorded frames")
        }

        var planned: [PlannedStep] = []
        let stepNodes = root["steps"]?.sequence.map(Array.init) ?? []
        for (i, step) in (scenario.steps ?? []).enumerated() {
            let keys = i < stepNodes.count ? (stepNodes[i].mapping?.keys.compactMap(\.string) ?? []) : []
            guard keys.count == 1, let kind = keys.first else {
                throw fail(["steps", .index(i)], "steps[\(i)] must have exactly one of \(Step.kinds.joined(separator: ", ")); found \(keys.isEmpty ? "none" : keys.joined(separator: ", "))")
            }
            let action = try PlannedStep.Action(kind: kind, step: step) { message in fail(["steps", .index(i), .key(kind)], "steps[\(i)].\(kind): \(message)") }
            if case .plugIn(let plug) = action {
                if plug.vehicle == nil && (scenario.matrix?.vehicles ?? []).isEmpty {
                    throw fail(["steps", .index(i)], "steps[\(i)].plugIn: no vehicle (set plugIn.vehicle or matrix.vehicles)")
                }
                if let vehicle = plug.vehicle, library.vehicles[vehicle] == nil {
                    throw fail(["steps", .index(i), "plugIn", "vehicle"], "unknown vehicle \"\(vehicle)\"")
                }
                if plug.soc == nil && (scenario.matrix?.soc ?? []).isEmpty {
                    throw fail(["steps", .index(i)], "steps[\(i)].plugIn: no state of charge (set plugIn.soc or matrix.soc)")
                }
            }
            planned.append(PlannedStep(index: i, line: locate.line(["steps", .index(i)]), kind: kind, action: action))
        }
        for (key, session) in [("session", scenario.expect?.session), ("eachSession", scenario.expect?.eachSession)] {
            if let energy = session?.energy, (energy.kWh == nil) == (energy.delivered != true) {
                throw fail(["expect", .key(key), "energy"], "expect.\(key).energy needs either kWh or delivered: true")
            }
            if let status = session?.status, !["completed", "active", "starting", "failed"].contains(status) {
                throw fail(["expect", .key(key), "status"], "expect.\(key).status must be completed, active, starting or failed")
            }
        }

        if let site = scenario.site {
            if scenario.replay != nil { throw fail(["site"], "a replay scenario has no site: it plays one recorded pile") }
            if let problem = site.problems().first { throw fail(["site"] + problem.key, problem.message) }
            if site.quirkyPiles != nil, scenario.pile?.quirks == nil { throw fail(["site", "quirkyPiles"], "site.quirkyPiles needs pile.quirks (the quirks those piles have)") }
        }
        if let expectation = scenario.expect?.site, let problem = expectation.problems(site: scenario.site).first {
            throw fail(["expect", "site"] + problem.key, problem.message)
        }
        if let maxSpeed = scenario.simulation?.maxSpeed, !(maxSpeed > 0 && maxSpeed <= 1_000_000) {
            throw fail(["simulation", "maxSpeed"], "simulation.maxSpeed must be more than 0 and at most 1000000")
        }

        var configuration: GatewayConfiguration?
        var configurationFile: String?
        if let gateway = scenario.gateway {
            let path = gateway.hasPrefix("/") ? gateway : URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(gateway).standardized.path
            guard FileManager.default.fileExists(atPath: path) else { throw fail(["gateway"], "gateway configuration \(path) does not exist") }
            configuration = try GatewayConfiguration.load(path: path)
            configurationFile = path
        }
        return LoadedScenario(
            file: file, scenario: scenario, steps: planned, gatewayConfiguration: configuration, gatewayConfigurationFile: configurationFile)
    }
}

/// Every file's first mistake.
public struct ScenarioLoadErrors: Error, CustomStringConvertible {
    public let errors: [YAMLConfigError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Finds the line of a key path in a composed YAML document.
struct NodeLocator {
    enum Key: ExpressibleByStringLiteral {
        case key(String)
        case index(Int)
        init(stringLiteral value: String) { self = .key(value) }
    }

    let root: Node

    func line(_ path: [Key]) -> Int? {
        var node: Node? = root
        var line = root.mark?.line
        for key in path {
            switch key {
            case .key(let name): node = node?[name]
            case .index(let i):
                if let sequence = node?.sequence, i < sequence.count { node = sequence[i] } else { node = nil }
            }
            if let mark = node?.mark { line = mark.line }
        }
        return line
    }
}
