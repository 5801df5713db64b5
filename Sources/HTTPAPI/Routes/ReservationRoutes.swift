import Gateway
import OCPP
import SessionStore

/// Reservations: ReserveNow and CancelReservation with records the gateway keeps (docs/api.md, "Reservations").
extension APIRoute {
    static let listReservations = APIRoute(
        .GET, "/api/reservations", "reservations", "Reservations, newest first (an accepted one past its expiry reads as expired).",
        access: .read, parameters: [.query("chargePoint", .text, "Only this pile's reservations."), .limit()],
        replies: [.ok("Reservations", .list("Reservation"))] + Reply.fails(400)
    ) { call in
        let found = try await call.store.reservations(chargePointId: call.text("chargePoint"), limit: try call.limit)
        return .json(encodeJSON(found.map { $0.seen(at: call.now) }))
    }

    static let reserve = APIRoute(
        .POST, "/api/reservations", "reserve",
        """
        Reserves a connector (0: any) for an id tag or an app account until expiryDate: ReserveNow in the pile's version, under \
        the reservation's id. 201 with the pile's word, also when it says no (status refused).
        """,
        access: .write, body: .json("ReservationRequest"),
        replies: [.ok("The reservation as the pile answered it", .one("Reservation"), status: 201)] + Reply.commandFailures
    ) { call in
        let body = try call.request.jsonObject()
        guard let pile = body["chargePointId"]?.stringValue, let expiryText = body["expiryDate"]?.stringValue,
            let expiry = OCPPTimestamp.parse(expiryText)?.date
        else {
            throw APIError(
                .badRequest, "invalid_request",
                "the body needs \"chargePointId\", \"expiryDate\" (RFC 3339) and \"idTag\" or \"account\"; \"connectorId\" defaults to 0 (any)")
        }
        do throws(ReservationFailure) {
            let record = try await call.gateway.reserve(
                pile, connectorId: Int(clamping: body["connectorId"]?.intValue ?? 0), idTag: body["idTag"]?.stringValue,
                account: body["account"]?.stringValue, expiry: expiry, issuedBy: call.request.issuedBy, now: call.now)
            return .json(encodeJSON(record), status: .created)
        } catch {
            throw APIError(error)
        }
    }

    static let getReservation = APIRoute(
        .GET, "/api/reservations/{id}", "reservation", "One reservation.", access: .read, parameters: [.reservationId],
        replies: [.ok("The reservation", .one("Reservation"))] + Reply.fails(400, 404)
    ) { call in
        let id = try call.positiveInteger("id", code: "invalid_reservation_id", noun: "reservation")
        do throws(ReservationFailure) {
            return .json(encodeJSON(try await call.gateway.storedReservation(id, now: call.now)))
        } catch {
            throw APIError(error)
        }
    }

    static let cancelReservation = APIRoute(
        .DELETE, "/api/reservations/{id}", "cancelReservation", "CancelReservation for one the pile holds; status cancelled when the pile accepts.",
        access: .write, parameters: [.reservationId], replies: [.ok("The reservation after the pile's answer", .one("Reservation"))] + Reply.commandFailures
    ) { call in
        let id = try call.positiveInteger("id", code: "invalid_reservation_id", noun: "reservation")
        do throws(ReservationFailure) {
            return .json(encodeJSON(try await call.gateway.cancelReservation(id, issuedBy: call.request.issuedBy, now: call.now)))
        } catch {
            throw APIError(error)
        }
    }

    static let reservations: [APIRoute] = [listReservations, reserve, getReservation, cancelReservation]
}

extension Parameter {
    static let reservationId = Parameter.path("id", .positiveInteger, "The reservation id (also its OCPP reservationId).")
}
