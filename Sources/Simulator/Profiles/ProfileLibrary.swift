import EVModel
import Foundation
import YAMLConfig

/// Every pile, vehicle and fleet profile under a `Simulators/` folder, loaded strictly:
/// a mistake names the file, the line and the key.
public struct ProfileLibrary: Sendable {
    public var piles: [String: PileProfile] = [:]
    public var vehicles: [String: VehicleProfile] = [:]
    public var fleets: [String: FleetProfile] = [:]
    public let root: String

    public enum LoadError: Error, CustomStringConvertible {
        case missingFolder(String)
        case duplicate(kind: String, id: String, file: String)
        /// A fleet names a pile or vehicle the library does not have; `key` is where (`groups[2].pile`).
        case unknownReference(file: String, line: Int?, key: String, kind: String, id: String, known: [String])
        case invalid(file: String, reason: String)

        public var description: String {
            switch self {
            case .missingFolder(let path): "\(path): no such folder (expected Simulators/ with piles/, vehicles/ and fleets/)"
            case .duplicate(let kind, let id, let file): "\(file): \(kind) id \"\(id)\" is defined twice"
            case .unknownReference(let file, let line, let key, let kind, let id, let known):
                "\(file)\(line.map { ":\($0)" } ?? ""): \(key): unknown \(kind) \"\(id)\" (known: \(known.sorted().joined(separator: ", ")))"
            case .invalid(let file, let reason): "\(file): \(reason)"
            }
        }
    }

    /// Loads `root/piles/*.yaml`, `root/vehicles/*.yaml` and `root/fleets/*.yaml`.
    public init(root: String) throws {
        self.root = root
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LoadError.missingFolder(root)
        }
        for file in Self.yamlFiles(in: "\(root)/piles") {
            let pile = try YAMLConfig.load(PileProfile.self, fromFile: file)
            try Self.validate(pile, file: file)
            guard piles[pile.id] == nil else { throw LoadError.duplicate(kind: "pile", id: pile.id, file: file) }
            piles[pile.id] = pile
        }
        for file in Self.yamlFiles(in: "\(root)/vehicles") {
            let vehicle = try YAMLConfig.load(VehicleProfile.self, fromFile: file)
            try Self.validate(vehicle, file: file)
            guard vehicles[vehicle.id] == nil else { throw LoadError.duplicate(kind: "vehicle", id: vehicle.id, file: file) }
            vehicles[vehicle.id] = vehicle
        }
        for file in Self.yamlFiles(in: "\(root)/fleets") {
            let fleet = try loadFleet(file)
            fleets[fleet.name] = fleet
        }
    }

    /// Loads a fleet file (inside or outside the library) and checks its references.
    public func loadFleet(_ file: String) throws -> FleetProfile {
        let fleet = try YAMLConfig.load(FleetProfile.self, fromFile: file)
        for (index, group) in fleet.groups.enumerated() where piles[group.pile] == nil {
            throw LoadError.unknownReference(
                file: file, line: Self.line(of: "pile", value: group.pile, in: file), key: "groups[\(index)].pile", kind: "pile",
                id: group.pile, known: Array(piles.keys))
        }
        for (index, share) in fleet.arrivals.vehicles.enumerated() where vehicles[share.vehicle] == nil {
            throw LoadError.unknownReference(
                file: file, line: Self.line(of: "vehicle", value: share.vehicle, in: file), key: "arrivals.vehicles[\(index)].vehicle",
                kind: "vehicle", id: share.vehicle, known: Array(vehicles.keys))
        }
        guard !fleet.groups.isEmpty, fleet.groups.allSatisfy({ $0.count > 0 && $0.stations > 0 }) else {
            throw LoadError.invalid(file: file, reason: "every group needs count > 0 and stations > 0")
        }
        guard fleet.arrivals.arrivalSoC.count == 2, fleet.arrivals.targetSoC.count == 2 else {
            throw LoadError.invalid(file: file, reason: "arrivalSoC and targetSoC are [low, high] ranges")
        }
        return fleet
    }

    /// The first line (1-based) of `file` where `key` has the scalar `value`, block or flow
    /// style, quoted or not: where a person looks to fix an unknown reference.
    static func line(of key: String, value: String, in file: String) -> Int? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let separators: Set<Character> = [" ", "\t", "{", ",", "-"]
        let terminators: Set<Character> = [" ", "\t", ",", "}", "\"", "'", "\r"]
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let content = line.prefix { $0 != "#" }
            var search = content.startIndex
            while let found = content[search...].range(of: "\(key):") {
                search = found.upperBound
                guard found.lowerBound == content.startIndex || separators.contains(content[content.index(before: found.lowerBound)]) else { continue }
                var rest = content[found.upperBound...].drop { $0 == " " || $0 == "\t" }
                if let quote = rest.first, quote == "\"" || quote == "'" { rest = rest.dropFirst() }
                guard rest.hasPrefix(value) else { continue }
                guard let after = rest.dropFirst(value.count).first else { return number + 1 }
                if terminators.contains(after) { return number + 1 }
            }
        }
        return nil
    }

    static func yamlFiles(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "\(folder)/\($0)" }
    }

    static func validate(_ pile: PileProfile, file: String) throws {
        func check(_ ok: Bool, _ reason: String) throws { if !ok { throw LoadError.invalid(file: file, reason: "pile \(pile.id): \(reason)") } }
        try check(pile.connectors >= 1, "connectors must be at least 1")
        try check(pile.maxPowerKW > 0 && pile.maxCurrentA > 0 && pile.maxVoltageV > 0, "maxPowerKW, maxCurrentA and maxVoltageV must be positive")
        try check(pile.heartbeatInterval > 0 && pile.meterValueSampleInterval >= 0, "intervals must not be negative")
        try check(pile.vendor.count <= 20 && pile.model.count <= 20, "vendor and model are at most 20 characters (BootNotification)")
        try check(pile.identityPattern.contains("{n}"), "identityPattern needs {n}")
    }

    static func validate(_ vehicle: VehicleProfile, file: String) throws {
        if let problem = vehicle.problem { throw LoadError.invalid(file: file, reason: "vehicle \(vehicle.id): \(problem)") }
    }
}
