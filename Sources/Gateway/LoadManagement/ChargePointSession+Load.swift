import Foundation
import OCPP
import SessionStore

/// What a pile's session tells the load manager: one dictionary lookup for a pile of no
/// managed site, and never a wait (the manager re-balances on its own task).
extension ChargePointSession {
    /// After the start's reply was written: a TxProfile may name the transaction now.
    func loadStarted(_ id: Int64, _ start: SessionStart) {
        guard services.load.isOn else { return }
        services.load.sessionStarted(
            chargePointId: identity, connectorId: start.connectorId, sessionId: id, version: version, transactionRef: start.transactionRef,
            account: services.accountsByTag[start.idTag.lowercased()], at: Date())
    }

    /// The outlet's active power among a MeterValues' readings, if it reports it.
    func loadMeasured(_ id: Int64, _ samples: [SampleRecord]) {
        guard services.load.isOn,
            let power = samples.last(where: {
                $0.measurand == "Power.Active.Import" && $0.phase == nil && ($0.location ?? "Outlet") == "Outlet"
            })
        else { return }
        services.load.powerMeasured(chargePointId: identity, sessionId: id, watts: power.value, at: Date())
    }

    func loadStopped(_ id: Int64) {
        guard services.load.isOn else { return }
        services.load.sessionStopped(chargePointId: identity, sessionId: id)
    }
}
