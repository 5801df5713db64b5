import Foundation
import OCPP
import SessionStore

/// Why a reservation could not be made or cancelled.
public enum ReservationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(String)
    case notFound(Int64)
    case notCancellable(Int64, status: String)
    case accountUnknown(String)
    case command(CommandFailure)
    case storeUnavailable(String)

    public var description: String {
        switch self {
        case .invalid(let why): why
        case .notFound(let id): "no reservation \(id)"
        case .notCancellable(let id, let status): "reservation \(id) is \(status), not one the pile holds"
        case .accountUnknown(let id): "no account \(id)"
        case .command(let failure): failure.description
        case .storeUnavailable(let why): "the store could not be used: \(why)"
        }
    }
}

/// Reservations (1.6 Reservation profile, 2.0.1 H): a record per request, ReserveNow sent
/// under the record's id as the reservationId, the pile's word kept; a start under that id
/// uses it up (the store links the session), an accepted one past its expiry reads as
/// expired. A reserved connector is scanned only by the account it is reserved for.
extension Gateway {
    /// Reserves `connectorId` (0: any, where the pile allows it) for `idTag` or an account's tag until `expiry`.
    public func reserve(
        _ chargePointId: String, connectorId: Int, idTag: String?, account: String?, expiry: Date, issuedBy: String, now: Date = Date()
    ) async throws(ReservationFailure) -> ReservationRecord {
        guard (0...1000).contains(connectorId) else { throw .invalid("connectorId must be a whole number from 0 to 1000") }
        guard expiry > now, expiry < now.addingTimeInterval(366 * 86_400) else { throw .invalid("expiryDate must lie between now and a year from now") }
        var tag = idTag
        if let account {
            guard let known = accounts[account] else { throw .accountUnknown(account) }
            tag = known.idTag
        }
        guard let tag, !tag.isEmpty, tag.count <= 36 else { throw .invalid("give an idTag (1–36 characters) or a known account") }
        let version = await commandVersion(chargePointId)
        var record = ReservationRecord(
            chargePointId: chargePointId, connectorId: connectorId, idTag: tag, account: account, expiry: expiry, status: .requested,
            createdAt: now, ocppVersion: version.label)
        record.id = try await saveReservation(record)
        // The tag's group goes with it (1.6 parentIdTag, 2.0.1 groupIdToken), so another card
        // of the same group may use the reservation (1.6 §5.13, OCA TC_053_CSMS).
        let group = services.authorizer.authorize(tag, now: now).group
        var object = JSONObject()
        switch version {
        case .v16:
            object["connectorId"] = .integer(Int64(connectorId))
            object["expiryDate"] = .string(OCPPTimestamp.format(expiry))
            object["idTag"] = .string(tag)
            object["reservationId"] = .integer(record.id)
            if let group { object["parentIdTag"] = .string(group) }
        case .v201:
            object["id"] = .integer(record.id)
            object["expiryDateTime"] = .string(OCPPTimestamp.format(expiry))
            object["idToken"] = ["idToken": .string(tag), "type": "Central"]
            if let group { object["groupIdToken"] = ["idToken": .string(group), "type": "Central"] }
            if connectorId > 0 { object["evseId"] = .integer(Int64(connectorId)) }
        }
        let payload = JSON.object(object)
        do {
            let answer = try await command(chargePointId, action: "ReserveNow", payload: payload, issuedBy: issuedBy)
            let word = answer["status"]?.stringValue ?? "Rejected"
            record.answer = word
            record.status = word == "Accepted" ? .accepted : .refused
        } catch {
            record.status = .failed
            record.answer = error.code
            _ = try? await saveReservation(record)
            throw .command(error)
        }
        _ = try await saveReservation(record)
        return try await storedReservation(record.id, now: now)
    }

    /// CancelReservation for one the pile holds (requested or accepted, not expired).
    public func cancelReservation(_ id: Int64, issuedBy: String, now: Date = Date()) async throws(ReservationFailure) -> ReservationRecord {
        var record = try await storedReservation(id, now: now)
        guard [.accepted, .requested].contains(record.status) else { throw .notCancellable(id, status: record.status.rawValue) }
        do {
            let answer = try await command(record.chargePointId, action: "CancelReservation", payload: ["reservationId": .integer(id)], issuedBy: issuedBy)
            record.answer = answer["status"]?.stringValue
            if record.answer == "Accepted" { record.status = .cancelled }
        } catch {
            throw .command(error)
        }
        _ = try await saveReservation(record)
        return try await storedReservation(id, now: now)
    }

    /// The reservation holding a connector now, if any.
    func holdingReservation(_ chargePointId: String, connectorId: Int, now: Date) async -> ReservationRecord? {
        let recent = (try? await store.reservations(chargePointId: chargePointId, limit: 100)) ?? []
        return recent.map { $0.seen(at: now) }.first { $0.status == .accepted && ($0.connectorId == connectorId || $0.connectorId == 0) }
    }

    public func storedReservation(_ id: Int64, now: Date = Date()) async throws(ReservationFailure) -> ReservationRecord {
        let found: ReservationRecord?
        do {
            found = try await store.reservation(id: id)
        } catch {
            throw .storeUnavailable("\(error)")
        }
        guard let found else { throw .notFound(id) }
        return found.seen(at: now)
    }

    private func saveReservation(_ record: ReservationRecord) async throws(ReservationFailure) -> Int64 {
        do {
            guard case .reservationSaved(let id) = try await store.write(.saveReservation(record)) else { throw ReservationFailure.storeUnavailable("no id") }
            return id
        } catch {
            throw .storeUnavailable("\(error)")
        }
    }
}
