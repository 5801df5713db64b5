import Foundation
import Gateway
import OCPP
import SessionStore

/// The map's view of piles: what the store knows (identity, connection, live connector
/// status) joined with what the registry knows (station, position, power) and the price now.
struct ChargePointViews {
    let gateway: Gateway

    enum PowerClass: String, CaseIterable {
        case slow, fast, ultra

        /// slow ≤ 22 kW (AC wallboxes) < fast ≤ 150 kW < ultra.
        init(kW: Double) {
            self = kW <= 22 ? .slow : kW <= 150 ? .fast : .ultra
        }
    }

    struct Filter {
        var network: String?
        var status: String?
        var powerClass: PowerClass?
        var near: (latitude: Double, longitude: Double)?
        var radiusKm: Double?
        var limit: Int
    }

    func list(_ piles: [ChargePointDetail], filter: Filter, now: Date) -> JSON {
        var rows: [(distance: Double?, json: JSON)] = []
        for pile in piles {
            let known = gateway.knownChargePoint(pile.chargePoint.id)
            let network = gateway.network(ofChargePoint: pile.chargePoint.id, stored: pile.chargePoint.network)
            if let wanted = filter.network, network?.lowercased() != wanted.lowercased() { continue }
            if let status = filter.status {
                guard pile.chargePoint.connected, pile.connectors.contains(where: { $0.connectorId > 0 && $0.status.lowercased() == status.lowercased() })
                else { continue }
            }
            if let wanted = filter.powerClass {
                guard let kW = known?.maxPowerKW, PowerClass(kW: kW) == wanted else { continue }
            }
            var distance: Double?
            if let near = filter.near {
                guard let lat = known?.latitude, let lon = known?.longitude else { continue }
                distance = Geo.distanceKm((near.latitude, near.longitude), (lat, lon))
                if let radius = filter.radiusKm, let d = distance, d > radius { continue }
            }
            rows.append((distance, view(pile, now: now, distance: distance)))
        }
        if filter.near != nil { rows.sort { ($0.distance ?? 0) < ($1.distance ?? 0) } }
        return .array(rows.prefix(filter.limit).map(\.json))
    }

    func view(_ detail: ChargePointDetail, now: Date, distance: Double? = nil) -> JSON {
        let record = detail.chargePoint
        let known = gateway.knownChargePoint(record.id)
        var o = encodeJSON(record).objectValue ?? JSONObject()
        let network = gateway.network(ofChargePoint: record.id, stored: record.network)
        if let network { o["network"] = .string(network) }
        if let station = known?.station { o["station"] = .string(station) }
        if let city = known?.city { o["city"] = .string(city) }
        if let lat = known?.latitude, let lon = known?.longitude {
            o["latitude"] = .number(lat)
            o["longitude"] = .number(lon)
        }
        if let current = known?.current { o["current"] = .string(current.rawValue) }
        if let kW = known?.maxPowerKW {
            o["maxPowerKW"] = .number(kW)
            o["powerClass"] = .string(PowerClass(kW: kW).rawValue)
        }
        if let distance { o["distanceKm"] = .number((distance * 1000).rounded() / 1000) }
        o["price"] = gateway.tariffPlan(forChargePoint: record.id).map { Self.price($0, at: now) } ?? .null
        o["connectors"] = .array(
            detail.connectors.map { c in
                var connector = JSONObject()
                connector["connectorId"] = .integer(Int64(c.connectorId))
                connector["status"] = .string(c.status)
                if let e = c.errorCode { connector["errorCode"] = .string(e) }
                if let i = c.info { connector["info"] = .string(i) }
                if let v = c.vendorErrorCode { connector["vendorErrorCode"] = .string(v) }
                connector["since"] = .string(OCPPTimestamp.format(c.since))
                if c.connectorId > 0 {
                    let code = QRCode(network: network ?? Gateway.unknownNetwork, chargePointId: record.id, connectorId: c.connectorId)
                    connector["qr"] = .string(code.description)
                }
                return .object(connector)
            })
        return .object(o)
    }

    /// The price now and until when it holds.
    static func price(_ plan: TariffPlan, at now: Date) -> JSON {
        let tier = plan.tier(at: now)
        var until = plan.nextBoundary(after: now)
        for _ in 0..<48 where plan.tier(at: until) == tier { until = plan.nextBoundary(after: until) }
        let price = plan.tariff.tiers[tier] ?? Tariff.Price(electricity: 0, service: 0)
        return [
            "tier": .string(tier.rawValue), "electricityFenPerKWh": .number(price.electricity),
            "serviceFenPerKWh": .number(price.service), "totalFenPerKWh": .number(price.electricity + price.service),
            "until": .string(OCPPTimestamp.format(until)),
        ]
    }
}
