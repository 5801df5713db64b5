import Foundation
import SessionStore

extension GatewayServices {
    /// The tariff for a pile: by its station and network from the registry.
    func plan(forChargePoint id: String) -> TariffPlan? {
        let known = knownChargePoints[id]
        return tariffs.plan(network: known?.network, station: known?.station)
    }

    /// Prices a stored session; nil when no tariff applies to its pile.
    func receipt(for session: SessionRecord, samples: [SampleRecord], now: Date) -> Receipt? {
        guard session.status == .active || session.status == .completed, let plan = plan(forChargePoint: session.chargePointId) else {
            return nil
        }
        let ledger = TariffBook.ledger(session, samples: samples, plan: plan)
        let group = session.idTag.flatMap { accountsByTag[$0.lowercased()]?.group }
        return Receipt(
            sessionId: session.id, network: knownChargePoints[session.chargePointId]?.network, ledger: ledger,
            stopTime: session.stopTime, unpluggedAt: session.unpluggedAt, now: now, group: group)
    }

    /// Stores a session's cost (at its stop, and again when the car leaves), off the frame path.
    func settle(sessionId: Int64) {
        let services = self
        Task {
            do {
                guard let detail = try await services.store.session(id: sessionId),
                    let receipt = services.receipt(for: detail.session, samples: detail.samples, now: Date())
                else { return }
                _ = try await services.store.write(.sessionCost(sessionId: sessionId, costFen: receipt.totalFen))
            } catch {
                services.logger.error("cost of session \(sessionId) not stored: \(error)")
            }
        }
    }
}

extension Gateway {
    /// The itemised cost of a session from its samples, with its account's discount: so far,
    /// final once the car has left; nil when it never started or no tariff applies.
    public func receipt(for session: SessionRecord, samples: [SampleRecord], now: Date = Date()) -> Receipt? {
        services.receipt(for: session, samples: samples, now: now)
    }

    /// The tariff that prices a pile's energy, if any.
    public func tariffPlan(forChargePoint id: String) -> TariffPlan? { services.plan(forChargePoint: id) }
}
