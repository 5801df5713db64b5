import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

extension ChargePointSession {
    /// Stored samples from a validated 1.6 `meterValue` (or `transactionData`) array:
    /// values parsed, energy in Wh and power in W whatever unit the pile used. Signed
    /// readings are skipped; a raw value that is not a number, or one no pile can send
    /// (WireBounds), becomes a finding and is not stored; a timestamp outside the window
    /// is read as the receive time.
    func readings(_ meterValues: JSON?, call: IncomingCall, acknowledged: Bool = false, into verdict: inout Verdict) -> [SampleRecord] {
        var samples: [SampleRecord] = []
        for meterValue in meterValues?.arrayValue ?? [] {
            guard let stamp = meterValue["timestamp"]?.stringValue, let time = OCPPTimestamp.parse(stamp)?.date else { continue }
            for sampled in meterValue["sampledValue"]?.arrayValue ?? [] where sampled["format"]?.stringValue != "SignedData" {
                let text = sampled["value"]?.stringValue ?? ""
                guard let raw = Double(text), raw.isFinite else {
                    flag(.unparsableSample, "sampled value \"\(text.prefix(40))\" is not a number", call: call, mayReject: false, into: &verdict)
                    continue
                }
                let reading = RawSample(
                    time: time, raw: raw, unit: sampled["unit"]?.stringValue, measurand: sampled["measurand"]?.stringValue,
                    phase: sampled["phase"]?.stringValue, location: sampled["location"]?.stringValue, context: sampled["context"]?.stringValue)
                if let sample = checkedSample(reading, call: call, acknowledged: acknowledged, into: &verdict) { samples.append(sample) }
            }
        }
        checkCurrentAndVoltage(samples, call: call, acknowledged: acknowledged, into: &verdict)
        return checkedSampleTimes(samples, call: call, acknowledged: acknowledged, into: &verdict)
    }

    /// One sampled value as a version read it, before units and bounds.
    struct RawSample {
        var time: Date
        var raw: Double
        var unit: String?
        var measurand: String?
        var phase: String?
        var location: String?
        var context: String?
    }

    /// A reading in Wh, W … and within WireBounds, or nil (with a finding) when no pile can measure it.
    func checkedSample(_ reading: RawSample, call: IncomingCall, acknowledged: Bool, into verdict: inout Verdict) -> SampleRecord? {
        let measurand = reading.measurand ?? Measurand.energyImportRegister
        let (value, unit) = SampleUnits.normalize(reading.raw, unit: reading.unit, measurand: measurand)
        if measurand.hasPrefix("Energy.") && measurand.hasSuffix(".Register") && value < 0 {
            flag(
                .negativeRegister, "\(measurand) \(reading.raw) \(reading.unit ?? "") is below 0; not stored", call: call, mayReject: !acknowledged,
                into: &verdict)
            return nil
        }
        guard WireBounds.isPlausibleSample(value, measurand: measurand) else {
            flag(
                .valueOutOfRange, "\(measurand) \(reading.raw) \(reading.unit ?? "") is beyond what a pile can measure; not stored",
                call: call, mayReject: !acknowledged, into: &verdict)
            return nil
        }
        if measurand == Measurand.powerImport && value < -tolerances.negativePowerW {
            flag(.negativeImportPower, "Power.Active.Import \(reading.raw) \(reading.unit ?? "W") is negative", call: call, mayReject: !acknowledged, into: &verdict)
        }
        if measurand == Measurand.soc && !(0...100).contains(value) {
            flag(.socOutOfRange, "SoC \(reading.raw) % is outside 0–100", call: call, mayReject: !acknowledged, into: &verdict)
        }
        return SampleRecord(
            time: reading.time, measurand: measurand, value: value, unit: unit, phase: reading.phase, location: reading.location,
            context: reading.context ?? ReadingContext.samplePeriodic)
    }
}

/// Unit normalisation, so sessions compare across piles: Wh, W, varh, var, VA, Celsius.
enum SampleUnits {
    static func normalize(_ value: Double, unit: String?, measurand: String) -> (Double, String?) {
        switch unit {
        case "kWh": return (value * 1000, "Wh")
        case "kW": return (value * 1000, "W")
        case "kvarh": return (value * 1000, "varh")
        case "kvar": return (value * 1000, "var")
        case "kVA": return (value * 1000, "VA")
        case "Celcius": return (value, "Celsius")
        case .some(let unit): return (value, unit)
        case nil:
            // The schema's defaults: energy registers in Wh; power in W by convention.
            if measurand.hasPrefix("Energy.") { return (value, "Wh") }
            if measurand.hasPrefix("Power.") && measurand != Measurand.powerFactor { return (value, "W") }
            return (value, nil)
        }
    }
}
