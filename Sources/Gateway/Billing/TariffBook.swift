import Foundation
import SessionStore

/// The configured tariffs, looked up for a pile: its station's own tariff, else its
/// network's, else the default.
public struct TariffBook: Sendable {
    public let plans: [TariffPlan]

    /// Tariffs that fail validation are left out; `GatewayConfiguration.validate` reports them.
    public init(_ tariffs: [Tariff]) {
        plans = tariffs.compactMap { try? TariffPlan($0) }
    }

    public func plan(network: String?, station: String?) -> TariffPlan? {
        if let station, let plan = plans.first(where: { $0.tariff.station == station && ($0.tariff.network == nil || $0.tariff.network == network) }) {
            return plan
        }
        if let network, let plan = plans.first(where: { $0.tariff.network == network && $0.tariff.station == nil }) {
            return plan
        }
        return plans.first { $0.tariff.network == nil && $0.tariff.station == nil }
    }

    /// The session's energy in tariff periods, from meterStart through the register
    /// readings (outlet, all phases together) to meterStop.
    public static func ledger(_ session: SessionRecord, samples: [SampleRecord], plan: TariffPlan) -> EnergyLedger {
        var ledger = EnergyLedger(plan: plan)
        ledger.add(time: session.startTime, registerWh: Double(session.meterStartWh))
        let end = session.stopTime ?? .distantFuture
        let readings = samples.filter { $0.isOutletEnergyRegister && $0.time >= session.startTime && $0.time <= end }
        for sample in readings.sorted(by: { $0.time < $1.time }) { ledger.add(time: sample.time, registerWh: sample.value) }
        if let stop = session.stopTime, let meterStop = session.meterStopWh { ledger.add(time: stop, registerWh: Double(meterStop)) }
        return ledger
    }
}
