/// A vehicle model: battery, pack voltage and DC charging curve. `Simulators/vehicles/`.
public struct VehicleProfile: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// Usable (net) capacity, kWh.
    public var batteryKWh: Double
    /// Nominal pack voltage, V.
    public var packVoltageV: Double
    /// DC charging curve: (state of charge %, kW) points, interpolated linearly.
    public var curve: [CurvePoint]
    /// Onboard charger for AC, kW.
    public var acOnboardKW: Double = 7
    /// VIN template; `{n}` is replaced by a serial.
    public var vinPattern: String = "LXMVIN{n}"

    public struct CurvePoint: Codable, Sendable, Equatable {
        public var soc: Double
        public var kW: Double
        public init(soc: Double, kW: Double) {
            self.soc = soc
            self.kW = kW
        }
    }
}


extension VehicleProfile {
    enum CodingKeys: String, CodingKey {
        case id, name, batteryKWh, packVoltageV, curve, acOnboardKW, vinPattern
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id),
            name: try c.decode(String.self, forKey: .name),
            batteryKWh: try c.decode(Double.self, forKey: .batteryKWh),
            packVoltageV: try c.decode(Double.self, forKey: .packVoltageV),
            curve: try c.decode([CurvePoint].self, forKey: .curve))
        acOnboardKW = try c.decodeIfPresent(Double.self, forKey: .acOnboardKW) ?? acOnboardKW
        vinPattern = try c.decodeIfPresent(String.self, forKey: .vinPattern) ?? vinPattern
    }
}

extension VehicleProfile {
    /// What is wrong with the profile, if anything: the physics needs a positive battery
    /// and voltage and a curve of increasing states of charge.
    public var problem: String? {
        if !(batteryKWh > 0 && packVoltageV > 0) { return "batteryKWh and packVoltageV must be positive" }
        if curve.count < 2 { return "the curve needs at least two points" }
        if !zip(curve, curve.dropFirst()).allSatisfy({ $0.soc < $1.soc }) { return "curve points must have increasing soc" }
        if !curve.allSatisfy({ (0...100).contains($0.soc) && $0.kW >= 0 }) { return "curve soc must be 0–100 and kW not negative" }
        return nil
    }
}
