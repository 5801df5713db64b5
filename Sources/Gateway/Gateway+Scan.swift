import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// Scan to charge: the app's scan becomes a RemoteStartTransaction, and the session it
/// opens follows the pile's StartTransaction, meter values and stop.
extension Gateway {
    /// Starts charging for `accountId` at the connector the code names. Returns the
    /// session (status `starting`) as soon as the pile accepts. Every failure is a
    /// `ScanFailure`; none leaves a session open: one the pile refused or never started
    /// is closed as `failed` with the reason.
    public func scan(qr: String, accountId: String, now: Date = Date()) async throws(ScanFailure) -> SessionRecord {
        let code = try QRCode(parsing: qr)
        let pile = try await resolve(code)
        guard let account = accounts[accountId] else { throw .accountUnknown(accountId) }
        if account.blocked { throw .accountBlocked(accountId) }
        if let expiry = account.expires, expiry < now { throw .accountExpired(accountId) }
        guard peer(code.chargePointId) != nil else { throw .pileOffline(code.chargePointId) }
        if let status = pile.connectors.first(where: { $0.connectorId == code.connectorId }) {
            switch status.status {
            // 2.0.1's Occupied without a session is 1.6's Preparing: a cable waits for the start.
            case "Available", "Preparing", "Occupied": break
            case "Faulted": throw .connectorFaulted(errorCode: status.errorCode)
            case "Unavailable": throw .connectorUnavailable
            case "Reserved":
                // The driver it is held for may scan it; nobody else. A reservation the gateway
                // did not make (or that lapsed) leaves it to the pile to say no.
                if let held = await holdingReservation(code.chargePointId, connectorId: code.connectorId, now: now),
                    held.account != accountId && held.idTag.lowercased() != account.idTag.lowercased()
                {
                    throw .connectorReserved(until: held.expiry)
                }
            default: throw .connectorOccupied(status: status.status)
            }
        }
        let reservation = ScanReservation(
            chargePointId: code.chargePointId, connectorId: code.connectorId, account: accountId, idTag: account.idTag,
            ocppVersion: pile.chargePoint.ocppVersion ?? OCPPVersion.v16.label, time: now)
        let sessionId: Int64
        switch try await storeWrite(.reserveScan(reservation)) {
        case .scanReserved(let id): sessionId = id
        case .scanConflict(let accountSession?, _): throw .accountAlreadyCharging(sessionId: accountSession)
        case .scanConflict(_, .some): throw .connectorOccupied(status: "a session is running")
        default: throw .storeUnavailable("unexpected answer to the reservation")
        }
        do {
            let status = try await requestStart(code.chargePointId, idTag: account.idTag, connectorId: code.connectorId, remoteStartId: sessionId)
            guard status == "Accepted" else { throw ScanFailure.pileRejected("the remote start was answered \(status)") }
        } catch {
            let failure = Self.failure(error, chargePointId: code.chargePointId)
            if case .sessionsClosed(let ids)? = try? await store.write(.failScan(sessionId: sessionId, failure: failure.code, at: Date())) {
                await services.announceClosed(ids)
            }
            logger.notice("scan of \(qr) by \(accountId) failed: \(failure)", metadata: ["chargePoint": "\(code.chargePointId)"])
            throw failure
        }
        expireScan(sessionId, after: configuration.scanStartTimeout)
        logger.info("scan by \(accountId) accepted: session \(sessionId)", metadata: ["chargePoint": "\(code.chargePointId)"])
        return try await storedSession(sessionId)
    }

    /// Asks the pile to stop a running session (RemoteStopTransaction). Returns once the
    /// pile accepted; the session ends with the pile's StopTransaction.
    /// The stop goes through the command surface, so it is in the pile's command history
    /// like any operator command, under `issuedBy`.
    public func stopSession(_ sessionId: Int64, issuedBy: String = "app") async throws(ScanFailure) {
        let session = try await storedSession(sessionId)
        guard session.status == .active else { throw .sessionNotActive(sessionId, status: session.status.rawValue) }
        do {
            let status = try await recordedStop(session, issuedBy: issuedBy)
            guard status == "Accepted" else { throw ScanFailure.pileRejected("the remote stop was answered \(status)") }
        } catch {
            throw Self.failure(error, chargePointId: session.chargePointId)
        }
    }

    /// Closes a session the pile will never end, by an operator's word: an active one as
    /// `abandoned` (reason `operator`) at its last known register, a starting one as
    /// `failed`. The pile is not asked; its own StopTransaction, if it ever comes, still counts.
    public func closeSession(_ sessionId: Int64) async throws(ScanFailure) -> SessionRecord {
        let session = try await storedSession(sessionId)
        let command: StoreCommand
        switch session.status {
        case .active:
            command = .abandonSessions(
                SessionAbandonment(chargePointId: session.chargePointId, sessionId: sessionId, reason: StopReason.closedByOperator.rawValue, at: Date()))
        case .starting:
            command = .failScan(sessionId: sessionId, failure: "operator", at: Date())
        case .completed, .failed, .abandoned:
            throw .sessionNotActive(sessionId, status: session.status.rawValue)
        }
        if case .sessionsClosed(let ids) = try await storeWrite(command) { await services.announceClosed(ids) }
        logger.notice("session \(sessionId) closed by an operator", metadata: ["chargePoint": "\(session.chargePointId)"])
        return try await storedSession(sessionId)
    }

    /// Closes a scanned session as failed (`timeout`) if the pile has not started it in
    /// time: the account and the connector are free again.
    func expireScan(_ sessionId: Int64, after seconds: Double) {
        let services = services
        Task {
            try? await Task.sleep(for: .seconds(max(0, seconds)))
            services.close(.failScan(sessionId: sessionId, failure: "timeout", at: Date()))
        }
    }

    /// The pile a code names, if it is one of ours and has that connector.
    private func resolve(_ code: QRCode) async throws(ScanFailure) -> ChargePointDetail {
        let known = knownChargePoint(code.chargePointId)
        let stored: ChargePointDetail?
        do {
            stored = try await store.chargePoint(id: code.chargePointId)
        } catch {
            throw .storeUnavailable("\(error)")
        }
        guard known != nil || stored != nil else { throw .unknownQR("no pile \(code.chargePointId)") }
        let network = network(ofChargePoint: code.chargePointId, stored: stored?.chargePoint.network) ?? Self.unknownNetwork
        guard network == code.network else { throw .unknownQR("pile \(code.chargePointId) belongs to \(network), not \(code.network)") }
        let connectorIds = (stored?.connectors ?? []).map(\.connectorId).filter { $0 > 0 }
        let count = known?.connectors ?? connectorIds.max()
        if let count, code.connectorId > count { throw .unknownQR("pile \(code.chargePointId) has no connector \(code.connectorId)") }
        return stored ?? ChargePointDetail(chargePoint: ChargePointRecord(id: code.chargePointId, network: known?.network), connectors: [])
    }

    private func storedSession(_ id: Int64) async throws(ScanFailure) -> SessionRecord {
        do {
            guard let detail = try await store.session(id: id) else { throw ScanFailure.sessionNotFound(id) }
            return detail.session
        } catch let failure as ScanFailure {
            throw failure
        } catch {
            throw .storeUnavailable("\(error)")
        }
    }

    private func storeWrite(_ command: StoreCommand) async throws(ScanFailure) -> StoreOutcome {
        do {
            return try await store.write(command)
        } catch {
            throw .storeUnavailable("\(error)")
        }
    }

    /// RemoteStopTransaction (1.6) or RequestStopTransaction (2.0.1) for `session`, sent
    /// and recorded as a command; the pile's status word.
    func recordedStop(_ session: SessionRecord, issuedBy: String) async throws(CommandFailure) -> String {
        let answer: JSON
        switch await commandVersion(session.chargePointId) {
        case .v16:
            answer = try await command(
                session.chargePointId, action: V16.RemoteStopTransaction.name,
                payload: ["transactionId": .integer(Int64(Int(clamping: session.id)))], issuedBy: issuedBy)
        case .v201:
            answer = try await command(
                session.chargePointId, action: V201.RequestStopTransaction.name,
                payload: ["transactionId": .string(session.transactionRef ?? String(session.id))], issuedBy: issuedBy)
        }
        return answer["status"]?.stringValue ?? "Rejected"
    }

    static func failure(_ error: any Error, chargePointId: String) -> ScanFailure {
        switch error {
        case let failure as ScanFailure: failure
        case CommandFailure.pileOffline: .pileOffline(chargePointId)
        case CommandFailure.pileTimeout(let action, let seconds): .pileTimeout("\(action) not answered within \(seconds) s")
        case CommandFailure.pileError(let code, let description): .pileRejected("CALLERROR \(code): \(description)")
        case RPCCallError.notConnected, RPCCallError.connectionClosed: .pileOffline(chargePointId)
        case RPCCallError.timedOut(let action, let after): .pileTimeout("\(action) not answered within \(after) s")
        case RPCCallError.rejected(let rpc): .pileRejected("CALLERROR \(rpc.wireCode ?? rpc.code.rawValue): \(rpc.description)")
        default: .pileRejected("\(error)")
        }
    }
}
