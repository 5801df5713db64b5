import EVModel
import Foundation
import SessionStore
import YAMLConfig

/// The vehicle profiles `/api/recommend` estimates with (the simulator's YAML files).
public struct VehicleCatalog: Sendable {
    public let vehicles: [String: VehicleProfile]
    /// Why the catalogue is empty or partial, for the API's error message.
    public let problem: String?

    public init(vehicles: [VehicleProfile], problem: String? = nil) {
        self.vehicles = Dictionary(vehicles.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.problem = problem
    }

    /// The vehicle profiles built into the binary (EVModel's `BuiltinFile.vehicles`), then
    /// every `*.yaml` in `directory` on top (same id: the file wins). A bad file is reported,
    /// not fatal; a missing default folder (`Simulators/vehicles` outside a checkout) is no problem.
    public static func load(directory: String) -> VehicleCatalog {
        var vehicles = Dictionary(builtIn.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            let problem = directory == GatewayConfiguration().vehicles ? nil : "cannot read vehicle profiles from \(directory) (`vehicles` in the configuration); using the built-in ones"
            return VehicleCatalog(vehicles: Array(vehicles.values), problem: problem)
        }
        var problems: [String] = []
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            do {
                let vehicle = try YAMLConfig.load(VehicleProfile.self, fromFile: "\(directory)/\(name)")
                if let problem = vehicle.problem { problems.append("\(directory)/\(name): \(problem)") } else { vehicles[vehicle.id] = vehicle }
            } catch {
                problems.append(error.description)
            }
        }
        return VehicleCatalog(vehicles: Array(vehicles.values), problem: problems.isEmpty ? nil : problems.joined(separator: "; "))
    }

    /// The built-in vehicle profiles, decoded once.
    static let builtIn: [VehicleProfile] = BuiltinFile.vehicles.compactMap { file in
        (try? YAMLConfig.decode(VehicleProfile.self, from: file.text, file: file.displayName)).flatMap { $0.problem == nil ? $0 : nil }
    }
}

/// One pile ranked for a driver: how long the charge takes there, what it costs, how far it is.
public struct Recommendation: Codable, Sendable, Equatable {
    public var chargePointId: String
    public var connectorId: Int
    public var network: String?
    public var station: String?
    public var city: String?
    public var maxPowerKW: Double
    public var minutes: Double
    public var energyKWh: Double
    public var averageKW: Double
    public var costFen: Int64?
    public var distanceKm: Double?
    public var driveMinutes: Double?
    /// Minutes until the car is charged: driving there plus charging.
    public var score: Double
    public var explanation: String
}

public enum RecommendError: Error, Equatable, CustomStringConvertible {
    case unknownVehicle(String, known: [String])
    case invalid(String)
    case store(String)

    public var description: String {
        switch self {
        case .unknownVehicle(let id, let known): "no vehicle \(id) (known: \(known.sorted().joined(separator: ", ")))"
        case .invalid(let why): why
        case .store(let why): "the store could not be read: \(why)"
        }
    }
}

/// A registry entry's electrical limits, with the gaps filled conservatively.
struct RegisteredElectrics: PileElectrics, Hashable {
    let current: CurrentKind
    let maxPowerKW: Double
    let maxCurrentA: Double
    let maxVoltageV: Double
    let minVoltageV: Double

    init?(_ known: GatewayConfiguration.KnownChargePoint) {
        guard let power = known.maxPowerKW, power > 0 else { return nil }
        current = known.current ?? .dc
        maxPowerKW = power
        maxVoltageV = known.maxVoltageV ?? (current == .ac ? 400 : 1000)
        maxCurrentA = known.maxCurrentA ?? power * 1000 / maxVoltageV
        minVoltageV = known.minVoltageV ?? 0
    }
}

public enum Geo {
    /// Great-circle distance, km.
    public static func distanceKm(_ a: (Double, Double), _ b: (Double, Double)) -> Double {
        let r = 6371.0
        let dLat = (b.0 - a.0) * .pi / 180
        let dLon = (b.1 - a.1) * .pi / 180
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(a.0 * .pi / 180) * cos(b.0 * .pi / 180) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, sqrt(h)))
    }
}
