import EVModel
import Foundation
import OCPP

/// Drivers arriving at a pile: when, in what car, with how much charge, until when.
public struct ArrivalPlan: Sendable {
    public var perConnectorPerHour: Double
    public var vehicles: [(profile: VehicleProfile, share: Double)]
    public var arrivalSoC: ClosedRange<Double>
    public var targetSoC: ClosedRange<Double>
    public var dwellMinutes: Double
    public var idTagPattern: String

    public init(
        perConnectorPerHour: Double, vehicles: [(profile: VehicleProfile, share: Double)], arrivalSoC: ClosedRange<Double>,
        targetSoC: ClosedRange<Double>, dwellMinutes: Double, idTagPattern: String
    ) {
        self.perConnectorPerHour = perConnectorPerHour
        self.vehicles = vehicles
        self.arrivalSoC = arrivalSoC
        self.targetSoC = targetSoC
        self.dwellMinutes = dwellMinutes
        self.idTagPattern = idTagPattern
    }
}

/// The autopilot of fleet mode: vehicles arrive by a Poisson process per connector,
/// charge (swiping an id tag, or by VIN on plug-and-charge piles), and leave after a dwell.
extension SimulatedPile {
    public func startArrivals(_ plan: ArrivalPlan) {
        self.plan = plan
        for connector in connectors { scheduleArrival(connector.id) }
    }

    func scheduleArrival(_ connector: Int) {
        guard let plan, plan.perConnectorPerHour > 0, running else { return }
        // Exponential gap between arrivals, in simulated seconds.
        let u = max(random.uniform(0, 1), 1e-9)
        let gap = -log(u) * 3600 / plan.perConnectorPerHour
        after(context.clock.wallDelay(gap)) { $0.arrive(connector) }
    }

    func arrive(_ connector: Int) {
        guard let plan, let i = index(of: connector) else { return }
        defer { scheduleArrival(connector) }
        // A busy or broken connector turns the driver away.
        guard isConnected, registration == .Accepted, connectors[i].vehicle == nil, connectors[i].machine.status == .Available else { return }
        guard let vehicle = pickVehicle(plan) else { return }
        let soc = random.uniform(plan.arrivalSoC.lowerBound, plan.arrivalSoC.upperBound)
        let target = random.uniform(max(plan.targetSoC.lowerBound, soc + 1), max(plan.targetSoC.upperBound, soc + 1))
        let serial = Int(random.next() % 1_000_000)
        let idTag = plan.idTagPattern.replacingOccurrences(of: "{n}", with: String(format: "%06d", serial))
        let vin = vehicle.vinPattern.replacingOccurrences(of: "{n}", with: String(format: "%06d", serial))
        if profile.plugAndCharge {
            plugIn(connector: connector, vehicle: vehicle, soc: soc, targetSoC: target, vin: vin)
        } else {
            plugIn(connector: connector, vehicle: vehicle, soc: soc, targetSoC: target, idTag: idTag)
        }
        if connectors[i].vehicle != nil { connectors[i].fleetDriver = true }
    }

    func pickVehicle(_ plan: ArrivalPlan) -> VehicleProfile? {
        let total = plan.vehicles.reduce(0) { $0 + $1.share }
        guard total > 0 else { return plan.vehicles.first?.profile }
        var x = random.uniform(0, total)
        for (profile, share) in plan.vehicles {
            if x < share { return profile }
            x -= share
        }
        return plan.vehicles.last?.profile
    }

    /// Called when a connector reaches Finishing or SuspendedEV with a car on it: the
    /// driver comes back after the dwell and unplugs.
    func scheduleDeparture(_ connector: Int) {
        guard let plan, let i = index(of: connector), connectors[i].fleetDriver else { return }
        after(context.clock.wallDelay(plan.dwellMinutes * 60)) { pile in
            guard let i = pile.index(of: connector), pile.connectors[i].vehicle != nil, pile.connectors[i].fleetDriver,
                [.Finishing, .SuspendedEV].contains(pile.connectors[i].machine.status)
            else { return }
            pile.unplug(connector: connector)
        }
    }
}
