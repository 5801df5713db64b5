import EVModel
import Foundation
import SessionStore

extension Gateway {
    /// Average urban driving speed for the drive-time part of the ranking, km/h.
    static let urbanSpeedKmh = 30.0

    /// Ranks the connected piles with a free connector for a vehicle going from `soc` to
    /// `target` percent: by minutes until charged (driving there, when `near` is given,
    /// plus charging by the car's curve against the pile's limits), then by price, then
    /// by distance. Each answer explains its estimate.
    public func recommend(
        vehicleId: String, soc: Double, target: Double, near: (latitude: Double, longitude: Double)?, limit: Int, now: Date = Date()
    ) async throws(RecommendError) -> [Recommendation] {
        guard let vehicle = vehicles.vehicles[vehicleId] else {
            if let problem = vehicles.problem, vehicles.vehicles.isEmpty { throw .invalid(problem) }
            throw .unknownVehicle(vehicleId, known: Array(vehicles.vehicles.keys))
        }
        guard (0..<100).contains(soc), soc < target, target <= 100 else {
            throw .invalid("need 0 ≤ soc < target ≤ 100, got soc \(soc) and target \(target)")
        }
        let piles: [ChargePointDetail]
        do {
            piles = try await store.chargePoints()
        } catch {
            throw .store("\(error)")
        }
        // Piles of one model on one tariff give the same estimate: compute it once.
        var estimates: [EstimateKey: Estimate] = [:]
        var ranked: [Recommendation] = []
        for pile in piles where pile.chargePoint.connected && peer(pile.chargePoint.id) != nil {
            guard let known = knownChargePoint(pile.chargePoint.id), let electrics = RegisteredElectrics(known),
                let free = pile.connectors.first(where: { $0.connectorId > 0 && $0.status == "Available" })
            else { continue }
            let plan = tariffPlan(forChargePoint: known.id)
            let key = EstimateKey(electrics: electrics, network: known.network, station: known.station)
            let estimate = estimates[key] ?? Self.estimate(vehicle: vehicle, pile: electrics, soc: soc, target: target, plan: plan, now: now)
            estimates[key] = estimate
            guard estimate.minutes.isFinite else { continue }
            var distance: Double?
            if let near, let lat = known.latitude, let lon = known.longitude {
                distance = Geo.distanceKm((near.latitude, near.longitude), (lat, lon))
            }
            let drive = distance.map { $0 / Self.urbanSpeedKmh * 60 }
            var explanation = estimate.explanation
            if let distance, let drive { explanation += String(format: " %.1f km away, about %.0f min by car.", distance, drive) }
            ranked.append(
                Recommendation(
                    chargePointId: known.id, connectorId: free.connectorId, network: known.network, station: known.station, city: known.city,
                    maxPowerKW: electrics.maxPowerKW, minutes: estimate.minutes, energyKWh: estimate.energyKWh,
                    averageKW: estimate.averageKW, costFen: estimate.costFen, distanceKm: distance, driveMinutes: drive,
                    score: estimate.minutes + (drive ?? 0), explanation: explanation))
        }
        ranked.sort {
            if $0.score != $1.score { return $0.score < $1.score }
            if ($0.costFen ?? .max) != ($1.costFen ?? .max) { return ($0.costFen ?? .max) < ($1.costFen ?? .max) }
            return ($0.distanceKm ?? 0) < ($1.distanceKm ?? 0)
        }
        return Array(ranked.prefix(limit))
    }

    struct EstimateKey: Hashable {
        let electrics: RegisteredElectrics
        let network: String?
        let station: String?
    }

    struct Estimate {
        let minutes: Double
        let energyKWh: Double
        let averageKW: Double
        let costFen: Int64?
        let explanation: String
    }

    /// Charges the vehicle on the pile with the simulator's physics, in 10 s steps,
    /// pricing each minute's energy by the tariff slot it falls in.
    static func estimate(vehicle: VehicleProfile, pile: RegisteredElectrics, soc: Double, target: Double, plan: TariffPlan?, now: Date) -> Estimate {
        let startKW = ChargingPhysics.power(vehicle: vehicle, pile: pile, soc: soc, grantedKW: pile.maxPowerKW)
        let kind = pile.current == .ac ? "AC" : "DC"
        let limits = String(format: "%@ pile: up to %.0f kW, %.0f A, %.0f V", kind, pile.maxPowerKW, pile.maxCurrentA, pile.maxVoltageV)
        guard startKW > 0 else {
            let why =
                pile.current == .dc && vehicle.packVoltageV > pile.maxVoltageV
                ? String(format: "the %.0f V pack is above the pile's %.0f V", vehicle.packVoltageV, pile.maxVoltageV)
                : pile.current == .dc && vehicle.packVoltageV < pile.minVoltageV
                    ? String(format: "the %.0f V pack is below the pile's %.0f V floor", vehicle.packVoltageV, pile.minVoltageV) : "no power flows"
            return Estimate(minutes: .infinity, energyKWh: 0, averageKW: 0, costFen: nil, explanation: "\(limits); cannot charge: \(why).")
        }
        var ledger = plan.map { EnergyLedger(plan: $0) }
        ledger?.add(time: now, registerWh: 0)
        var current = soc
        var energy = 0.0
        var seconds = 0.0
        while current < target && seconds < 24 * 3600 {
            let step = ChargingPhysics.advance(
                vehicle: vehicle, pile: pile, soc: current, grantedKW: pile.maxPowerKW, seconds: 60, targetSoC: target, step: 10)
            guard step.energyKWh > 0 else { break }
            current = step.soc
            energy += step.energyKWh
            seconds += step.seconds
            ledger?.add(time: now.addingTimeInterval(seconds), registerWh: energy * 1000)
        }
        let minutes = seconds / 60
        let average = seconds > 0 ? energy / (seconds / 3600) : 0
        let curveKW = ChargingPhysics.curvePower(vehicle.curve, soc: soc)
        let limiter = pile.current == .ac ? "the car's \(Int(vehicle.acOnboardKW)) kW onboard charger"
            : curveKW <= startKW + 0.5 ? "the car's charging curve" : "the pile"
        let cost = ledger.map { Receipt(sessionId: 0, network: nil, ledger: $0, stopTime: nil, unpluggedAt: nil, now: now, group: nil).totalFen }
        var text = String(
            format: "%.1f kWh to go from %.0f %% to %.0f %% of %.1f kWh. %@; at %.0f %% the car takes %.0f kW here, limited by %@; average %.0f kW, %.0f min.",
            energy, soc, target, vehicle.batteryKWh, limits, soc, startKW, limiter, average, minutes)
        if let cost { text += String(format: " About %.2f CNY at the tariff from now.", Double(cost) / 100) }
        return Estimate(minutes: current >= target - 1e-6 ? minutes : .infinity, energyKWh: energy, averageKW: average, costFen: cost, explanation: text)
    }
}
