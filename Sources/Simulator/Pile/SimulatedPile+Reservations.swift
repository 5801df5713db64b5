import Foundation
import OCPP

/// A connector held for one driver (OCPP 1.6 Reservation profile, §5.13 and §5.3).
public struct Reservation: Sendable, Equatable {
    public let id: Int
    public let connector: Int
    public let idTag: String
    public let parentIdTag: String?
    /// On the pile's (simulated) clock.
    public let expiry: Date

    /// Only the reserved tag, or a tag of the same group (parent id tag), may start under it.
    func admits(_ tag: String, parent: String?) -> Bool {
        if tag.caseInsensitiveCompare(idTag) == .orderedSame { return true }
        guard let parentIdTag, let parent else { return false }
        return parent.caseInsensitiveCompare(parentIdTag) == .orderedSame
    }
}

extension SimulatedPile {
    public func reservation(on connector: Int) -> Reservation? { reservations[connector] }

    /// ReserveNow: Accepted on a free connector, which then reports Reserved; Occupied when
    /// a car, a transaction or another reservation is on it; Faulted / Unavailable as the
    /// connector is. Connector 0 only with ReserveConnectorZeroSupported: the reservation
    /// then holds the pile's first free connector (a simplification of "keep one free"),
    /// Rejected when every connector is reserved. The same reservation id replaces the old one.
    func reserveNow(_ request: V16.ReserveNow.Request) -> V16.ReserveNow.Response {
        if let forced = scripted(V16.ReserveNow.name, V16.ReservationStatus.self) { return .init(status: forced) }
        let now = context.clock.now()
        let expiry = context.clock.unstamp(request.expiryDate)
        guard expiry > now else { return .init(status: .Rejected) }
        let previous = reservations.values.first { $0.id == request.reservationId }
        let target: Int
        if request.connectorId == 0 {
            guard configuration.bool("ReserveConnectorZeroSupported") else { return .init(status: .Rejected) }
            let answers = connectors.map { (id: $0.id, status: reservable($0.id, replacing: request.reservationId)) }
            if let free = answers.first(where: { $0.status == .Accepted }) {
                target = previous?.connector ?? free.id
            } else if connectors.allSatisfy({ reservations[$0.id] != nil }) {
                return .init(status: .Rejected)
            } else {
                let statuses = Set(answers.map(\.status))
                return .init(status: statuses.count == 1 ? statuses.first! : .Occupied)
            }
        } else {
            guard index(of: request.connectorId) != nil else { return .init(status: .Rejected) }
            let status = reservable(request.connectorId, replacing: request.reservationId)
            guard status == .Accepted else { return .init(status: status) }
            target = request.connectorId
        }
        if let previous, previous.connector != target { endReservation(on: previous.connector) }
        let reservation = Reservation(id: request.reservationId, connector: target, idTag: request.idTag, parentIdTag: request.parentIdTag, expiry: expiry)
        reservations[target] = reservation
        after(.milliseconds(1)) { $0.move(target, to: .Reserved) }
        after(context.clock.wallDelay(expiry.timeIntervalSince(now))) { pile in
            // Expired unless used, cancelled or replaced meanwhile.
            guard pile.reservations[target] == reservation else { return }
            pile.endReservation(on: target)
        }
        return .init(status: .Accepted)
    }

    /// What ReserveNow would answer for `connector`.
    func reservable(_ connector: Int, replacing id: Int) -> V16.ReservationStatus {
        guard let i = index(of: connector) else { return .Rejected }
        if let held = reservations[connector] { return held.id == id ? .Accepted : .Occupied }
        if pileStatus.status == .Unavailable { return .Unavailable }
        let c = connectors[i]
        switch c.machine.status {
        case .Faulted: return .Faulted
        case .Unavailable: return .Unavailable
        case .Available where c.vehicle == nil && c.transaction == nil && c.pendingIdTag == nil: return .Accepted
        default: return .Occupied
        }
    }

    func cancelReservation(_ request: V16.CancelReservation.Request) -> V16.CancelReservation.Response {
        if let forced = scripted(V16.CancelReservation.name, V16.CancelReservationStatus.self) { return .init(status: forced) }
        guard let held = reservations.values.first(where: { $0.id == request.reservationId }) else { return .init(status: .Rejected) }
        let connector = held.connector
        reservations[connector] = nil
        after(.milliseconds(1)) { $0.freeReservedConnector(connector) }
        return .init(status: .Accepted)
    }

    /// Drops the reservation on `connector` (expired or cancelled); the connector is free again.
    func endReservation(on connector: Int) {
        reservations[connector] = nil
        freeReservedConnector(connector)
    }

    func freeReservedConnector(_ connector: Int) {
        guard let i = index(of: connector), connectors[i].machine.status == .Reserved, reservations[connector] == nil else { return }
        move(connector, to: connectors[i].vehicle == nil ? .Available : .Preparing)
    }

    /// Whether a start by `idTag` may go ahead on `connector`, and the reservation it uses.
    /// `nil` refuses: another driver's reservation holds the connector.
    func reservationCheck(connector: Int, idTag: String, parent: String?) -> Int?? {
        guard let held = reservations[connector] else { return .some(nil) }
        return held.admits(idTag, parent: parent) ? .some(held.id) : nil
    }
}
