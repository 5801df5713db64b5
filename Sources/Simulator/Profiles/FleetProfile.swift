/// A fleet: which piles of which models, grouped into stations in cities, and which
/// vehicles arrive how often. `Simulators/fleets/`.
public struct FleetProfile: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    /// Seed for identities, coordinates, arrivals and vehicles; `--seed` overrides it.
    public var seed: UInt64 = 1
    public var groups: [Group]
    public var arrivals: Arrivals

    /// `count` piles of one model spread over `stations` stations around a city.
    public struct Group: Codable, Sendable, Equatable {
        public var pile: String
        public var count: Int
        public var stations: Int = 1
        public var city: String
        public var latitude: Double
        public var longitude: Double
        /// Stations are scattered within this radius of the city centre.
        public var radiusKm: Double = 15
    }

    public struct Arrivals: Codable, Sendable, Equatable {
        /// Mean vehicle arrivals per connector per simulated hour (Poisson).
        public var perConnectorPerHour: Double
        public var vehicles: [VehicleShare]
        /// Range of state of charge on arrival, percent.
        public var arrivalSoC: [Double] = [10, 40]
        /// Range of the driver's target state of charge, percent (100 = until the car stops).
        public var targetSoC: [Double] = [80, 100]
        /// Minutes a car stays plugged after charging ends, before unplugging.
        public var dwellMinutes: Double = 3
        /// Id tags handed out to drivers; `{n}` is a serial.
        public var idTagPattern: String = "XIAOMI-{n}"
    }

    public struct VehicleShare: Codable, Sendable, Equatable {
        public var vehicle: String
        public var share: Double
    }

    public var pileCount: Int { groups.reduce(0) { $0 + $1.count } }

    /// The same fleet shrunk (or grown) by `factor`; every group keeps at least one pile.
    public func scaled(by factor: Double) -> FleetProfile {
        var copy = self
        copy.groups = groups.map { group in
            var g = group
            g.count = max(1, Int((Double(group.count) * factor).rounded()))
            g.stations = max(1, min(g.count, Int((Double(group.stations) * factor).rounded())))
            return g
        }
        return copy
    }
}
