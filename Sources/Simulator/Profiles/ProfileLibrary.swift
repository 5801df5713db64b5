import EVModel
import Foundation
import YAMLConfig

/// Pile, vehicle and fleet profiles, loaded strictly: a mistake names the file, the line
/// and the key.
///
/// `ProfileLibrary.standard(adding:)` is what the command line uses: the profiles built
/// into the binary (the repository's `Simulators/` at build time), then each folder given
/// with `--library` on top, a profile there replacing a built-in (or an earlier folder's)
/// of the same id. `ProfileLibrary(root:)` reads one folder alone.
public struct ProfileLibrary: Sendable {
    public var piles: [String: PileProfile] = [:]
    public var vehicles: [String: VehicleProfile] = [:]
    public var fleets: [String: FleetProfile] = [:]
    /// Gateway configurations by name (`gateway/demo.yaml` is `demo`), as text: the gateway
    /// module reads them, the simulator only carries them.
    public var gatewayConfigurations: [String: ProfileSource] = [:]
    /// Where the profiles came from, in order: `built-in`, then folders.
    public private(set) var layers: [String] = []
    /// Profiles a later layer replaced: `pile nio-640: ./mine/piles/nio-640.yaml replaces built-in:piles/nio-640.yaml`.
    public private(set) var overrides: [String] = []
    /// The last folder layered on (or the one folder of `init(root:)`); nil for the built-ins alone.
    public var root: String? { layers.last == Self.builtInLayer ? nil : layers.last }

    public static let builtInLayer = "built-in"

    public enum LoadError: Error, CustomStringConvertible {
        case missingFolder(String)
        /// A `--library` folder with none of `piles/`, `vehicles/`, `fleets/`, `gateway/`.
        case emptyLibrary(String)
        case duplicate(kind: String, id: String, file: String)
        /// A fleet names a pile or vehicle the library does not have; `key` is where (`groups[2].pile`).
        case unknownReference(file: String, line: Int?, key: String, kind: String, id: String, known: [String])
        case invalid(file: String, reason: String)

        public var description: String {
            switch self {
            case .missingFolder(let path): "\(path): no such folder (expected a profile folder with piles/, vehicles/ and fleets/)"
            case .emptyLibrary(let path):
                "\(path): no piles/, vehicles/, fleets/ or gateway/ folder in it (a profile library holds its YAML files in those, like the repository's Simulators/)"
            case .duplicate(let kind, let id, let file): "\(file): \(kind) id \"\(id)\" is defined twice"
            case .unknownReference(let file, let line, let key, let kind, let id, let known):
                "\(file)\(line.map { ":\($0)" } ?? ""): \(key): unknown \(kind) \"\(id)\" (known: \(known.sorted().joined(separator: ", ")))"
            case .invalid(let file, let reason): "\(file): \(reason)"
            }
        }
    }

    /// The YAML files of one layer, by kind.
    struct Layer {
        var name: String
        var piles: [ProfileSource] = []
        var vehicles: [ProfileSource] = []
        var fleets: [ProfileSource] = []
        var gateway: [ProfileSource] = []
    }

    /// Loads `root/piles/*.yaml`, `root/vehicles/*.yaml` and `root/fleets/*.yaml`, and nothing else.
    public init(root: String) throws {
        try self.init(layers: [try Self.folderLayer(root, requireContent: false)])
    }

    /// The built-in profiles, then each of `folders` on top (`--library`, in order).
    public static func standard(adding folders: [String] = []) throws -> ProfileLibrary {
        var layers = [builtInLayerFiles()]
        for folder in folders { layers.append(try folderLayer(folder, requireContent: true)) }
        return try ProfileLibrary(layers: layers)
    }

    init(layers: [Layer]) throws {
        var origin: [String: String] = [:]
        var replaced: [String] = []
        // A file equal to the one it replaces (a copy of Simulators/ given as --library) is no news.
        func place(_ kind: String, _ id: String, _ file: String, changed: Bool, seen: inout Set<String>) throws {
            guard seen.insert(id).inserted else { throw LoadError.duplicate(kind: kind, id: id, file: file) }
            if let earlier = origin["\(kind) \(id)"], changed { replaced.append("\(kind) \(id): \(file) replaces \(earlier)") }
            origin["\(kind) \(id)"] = file
        }
        var fleetFiles: [String: ProfileSource] = [:]
        for layer in layers {
            self.layers.append(layer.name)
            var seen: Set<String> = []
            for file in layer.piles {
                let pile = try YAMLConfig.decode(PileProfile.self, from: file.text, file: file.name)
                try Self.validate(pile, file: file.name)
                try place("pile", pile.id, file.name, changed: piles[pile.id] != pile, seen: &seen)
                piles[pile.id] = pile
            }
            seen = []
            for file in layer.vehicles {
                let vehicle = try YAMLConfig.decode(VehicleProfile.self, from: file.text, file: file.name)
                try Self.validate(vehicle, file: file.name)
                try place("vehicle", vehicle.id, file.name, changed: vehicles[vehicle.id] != vehicle, seen: &seen)
                vehicles[vehicle.id] = vehicle
            }
            seen = []
            for file in layer.fleets {
                // A fleet's references are checked once every layer's piles and vehicles are in.
                let fleet = try YAMLConfig.decode(FleetProfile.self, from: file.text, file: file.name)
                try place("fleet", fleet.name, file.name, changed: fleetFiles[fleet.name]?.text != file.text, seen: &seen)
                fleetFiles[fleet.name] = file
            }
            seen = []
            for file in layer.gateway {
                let name = URL(fileURLWithPath: file.name).deletingPathExtension().lastPathComponent
                try place("gateway configuration", name, file.name, changed: gatewayConfigurations[name]?.text != file.text, seen: &seen)
                gatewayConfigurations[name] = file
            }
        }
        for (name, file) in fleetFiles.sorted(by: { $0.key < $1.key }) { fleets[name] = try checkedFleet(file) }
        overrides = replaced
    }

    /// Loads a fleet file (inside or outside the library) and checks its references.
    public func loadFleet(_ file: String) throws -> FleetProfile {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw YAMLConfigError(file: file, line: nil, message: "cannot read the file: \(error.localizedDescription)")
        }
        return try checkedFleet(ProfileSource(name: file, text: text))
    }

    func checkedFleet(_ file: ProfileSource) throws -> FleetProfile {
        let name = file.name
        let fleet = try YAMLConfig.decode(FleetProfile.self, from: file.text, file: name)
        for (index, group) in fleet.groups.enumerated() where piles[group.pile] == nil {
            throw LoadError.unknownReference(
                file: name, line: Self.line(of: "pile", value: group.pile, in: file.text), key: "groups[\(index)].pile", kind: "pile",
                id: group.pile, known: Array(piles.keys))
        }
        for (index, share) in fleet.arrivals.vehicles.enumerated() where vehicles[share.vehicle] == nil {
            throw LoadError.unknownReference(
                file: name, line: Self.line(of: "vehicle", value: share.vehicle, in: file.text), key: "arrivals.vehicles[\(index)].vehicle",
                kind: "vehicle", id: share.vehicle, known: Array(vehicles.keys))
        }
        guard !fleet.groups.isEmpty, fleet.groups.allSatisfy({ $0.count > 0 && $0.stations > 0 }) else {
            throw LoadError.invalid(file: name, reason: "every group needs count > 0 and stations > 0")
        }
        guard fleet.arrivals.arrivalSoC.count == 2, fleet.arrivals.targetSoC.count == 2 else {
            throw LoadError.invalid(file: name, reason: "arrivalSoC and targetSoC are [low, high] ranges")
        }
        return fleet
    }

    // MARK: Layers

    /// The profiles compiled into the binary.
    static func builtInLayerFiles() -> Layer {
        var layer = Layer(name: builtInLayer)
        layer.vehicles = BuiltinFile.vehicles.map { ProfileSource($0) }
        for file in BuiltinFile.simulatorProfiles {
            if file.path.hasPrefix("piles/") {
                layer.piles.append(ProfileSource(file))
            } else if file.path.hasPrefix("fleets/") {
                layer.fleets.append(ProfileSource(file))
            } else if file.path.hasPrefix("gateway/") {
                layer.gateway.append(ProfileSource(file))
            }
        }
        return layer
    }

    /// A folder's YAML files; its files are named by their paths (`mine/piles/x.yaml`).
    static func folderLayer(_ root: String, requireContent: Bool) throws -> Layer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LoadError.missingFolder(root)
        }
        if requireContent {
            let present = ["piles", "vehicles", "fleets", "gateway"].filter { sub in
                var folder: ObjCBool = false
                return FileManager.default.fileExists(atPath: "\(root)/\(sub)", isDirectory: &folder) && folder.boolValue
            }
            if present.isEmpty { throw LoadError.emptyLibrary(root) }
        }
        func read(_ sub: String) throws -> [ProfileSource] {
            try yamlFiles(in: "\(root)/\(sub)").map { path in
                do {
                    return ProfileSource(name: path, text: try String(contentsOfFile: path, encoding: .utf8))
                } catch {
                    throw YAMLConfigError(file: path, line: nil, message: "cannot read the file: \(error.localizedDescription)")
                }
            }
        }
        var layer = Layer(name: root)
        layer.piles = try read("piles")
        layer.vehicles = try read("vehicles")
        layer.fleets = try read("fleets")
        layer.gateway = try read("gateway")
        return layer
    }

    // MARK: Checks

    /// The first line (1-based) of `text` where `key` has the scalar `value`, block or flow
    /// style, quoted or not: where a person looks to fix an unknown reference.
    static func line(of key: String, value: String, in text: String) -> Int? {
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

/// One YAML file's text and the name its errors show: a path, or `built-in:piles/nio-640.yaml`.
public struct ProfileSource: Sendable, Equatable {
    public let name: String
    public let text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }

    init(_ file: BuiltinFile) { self.init(name: file.displayName, text: file.text) }
}
