/// A fleet: which piles of which models, grouped into stations in cities, and which
/// vehicles arrive how often. `Simulators/fleets/`.
public struct FleetProfile: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    /// Seed for identities, coordinates, arrivals and vehicles; `--seed` overrides it.
    public var seed: UInt64 = 1
    public var groups: [Group]
    public var arrivals: Arrivals
    /// What the piles log in with (security profiles 1–3); `pilegate sim`'s options override it.
    public var credentials: Credentials?

    /// Passwords (one for every pile, or per identity) and TLS files: `ca` is the PEM CA
    /// the CSMS's certificate must verify against, `certificates` a folder of `ID.pem` and
    /// `ID-key.pem` client certificates (what `pilegate certs` writes into `piles/`).
    public struct Credentials: Codable, Sendable, Equatable {
        public var password: String?
        public var passwords: [String: String]?
        public var ca: String?
        public var certificates: String?
        /// What the piles get wrong when they log in (LoginQuirk).
        public var loginQuirks: [LoginQuirk]?
        /// Where a pile with the `plain-fallback` quirk goes when TLS fails: a `ws://` URL.
        public var plainFallback: String?

        public init(
            password: String? = nil, passwords: [String: String]? = nil, ca: String? = nil, certificates: String? = nil,
            loginQuirks: [LoginQuirk]? = nil, plainFallback: String? = nil
        ) {
            self.password = password
            self.passwords = passwords
            self.ca = ca
            self.certificates = certificates
            self.loginQuirks = loginQuirks
            self.plainFallback = plainFallback
        }
    }

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

// Decoding with defaults: a fleet file only needs the required keys. Encoding stays
// synthesized under the same keys (YAMLConfig's unknown-key check re-encodes). The
// memberwise inits apply the property defaults; present keys override them.
extension FleetProfile {
    enum CodingKeys: String, CodingKey {
        case name, description, seed, groups, arrivals
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            description: try c.decodeIfPresent(String.self, forKey: .description),
            groups: try c.decode([Group].self, forKey: .groups),
            arrivals: try c.decode(Arrivals.self, forKey: .arrivals))
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
    }
}

extension FleetProfile.Group {
    enum CodingKeys: String, CodingKey {
        case pile, count, stations, city, latitude, longitude, radiusKm
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            pile: try c.decode(String.self, forKey: .pile),
            count: try c.decode(Int.self, forKey: .count),
            city: try c.decode(String.self, forKey: .city),
            latitude: try c.decode(Double.self, forKey: .latitude),
            longitude: try c.decode(Double.self, forKey: .longitude))
        stations = try c.decodeIfPresent(Int.self, forKey: .stations) ?? stations
        radiusKm = try c.decodeIfPresent(Double.self, forKey: .radiusKm) ?? radiusKm
    }
}

extension FleetProfile.Arrivals {
    enum CodingKeys: String, CodingKey {
        case perConnectorPerHour, vehicles, arrivalSoC, targetSoC, dwellMinutes, idTagPattern
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            perConnectorPerHour: try c.decode(Double.self, forKey: .perConnectorPerHour),
            vehicles: try c.decode([FleetProfile.VehicleShare].self, forKey: .vehicles))
        arrivalSoC = try c.decodeIfPresent([Double].self, forKey: .arrivalSoC) ?? arrivalSoC
        targetSoC = try c.decodeIfPresent([Double].self, forKey: .targetSoC) ?? targetSoC
        dwellMinutes = try c.decodeIfPresent(Double.self, forKey: .dwellMinutes) ?? dwellMinutes
        idTagPattern = try c.decodeIfPresent(String.self, forKey: .idTagPattern) ?? idTagPattern
    }
}
