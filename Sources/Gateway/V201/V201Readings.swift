import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

extension ChargePointSession {
    /// Stored samples from 2.0.1 meter values: the unit's power-of-ten multiplier applied,
    /// then the same units and bounds as 1.6 readings (MeterReadings.swift). Signed values
    /// carry a readable value too, so they are kept.
    func readings(_ meterValues: [V201.MeterValue], call: IncomingCall, acknowledged: Bool = false, into verdict: inout Verdict)
        -> [SampleRecord]
    {
        var samples: [SampleRecord] = []
        for meterValue in meterValues {
            for sampled in meterValue.sampledValue {
                // 10^±9 spans every unit prefix a meter uses; beyond it the value means nothing.
                let multiplier = sampled.unitOfMeasure?.multiplier ?? 0
                guard (-9...9).contains(multiplier) else {
                    flag(
                        .valueOutOfRange, "unitOfMeasure.multiplier \(multiplier) is outside -9…9; the reading is not stored",
                        call: call, mayReject: !acknowledged, into: &verdict)
                    continue
                }
                let reading = RawSample(
                    time: meterValue.timestamp, raw: sampled.value * pow(10, Double(multiplier)), unit: sampled.unitOfMeasure?.unit,
                    measurand: sampled.measurand?.rawValue, phase: sampled.phase?.rawValue, location: sampled.location?.rawValue,
                    context: sampled.context?.rawValue)
                if let sample = checkedSample(reading, call: call, acknowledged: acknowledged, into: &verdict) { samples.append(sample) }
            }
        }
        checkCurrentAndVoltage(samples, call: call, acknowledged: acknowledged, into: &verdict)
        return checkedSampleTimes(samples, call: call, acknowledged: acknowledged, into: &verdict)
    }
}
