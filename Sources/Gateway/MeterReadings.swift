import Foundation
import OCPP
import SessionStore

extension ChargePointSession {
    /// Stored samples from a validated 1.6 `meterValue` (or `transactionData`) array:
    /// values parsed, energy in Wh and power in W whatever unit the pile used. Signed
    /// readings are skipped; a raw value that is not a number becomes a finding.
    func readings(_ meterValues: JSON?, messageId: String) -> ([SampleRecord], [FindingRecord]) {
        var samples: [SampleRecord] = []
        var findings: [FindingRecord] = []
        for meterValue in meterValues?.arrayValue ?? [] {
            guard let stamp = meterValue["timestamp"]?.stringValue, let time = OCPPTimestamp.parse(stamp)?.date else { continue }
            for sampled in meterValue["sampledValue"]?.arrayValue ?? [] where sampled["format"]?.stringValue != "SignedData" {
                let text = sampled["value"]?.stringValue ?? ""
                guard let raw = Double(text), raw.isFinite else {
                    findings.append(finding(.unparsableSample, "sampled value \"\(text)\" is not a number", messageId: messageId))
                    continue
                }
                let measurand = sampled["measurand"]?.stringValue ?? V16.Measurand.energyActiveImportRegister.rawValue
                let (value, unit) = SampleUnits.normalize(raw, unit: sampled["unit"]?.stringValue, measurand: measurand)
                samples.append(
                    SampleRecord(
                        time: time, measurand: measurand, value: value, unit: unit, phase: sampled["phase"]?.stringValue,
                        location: sampled["location"]?.stringValue,
                        context: sampled["context"]?.stringValue ?? V16.ReadingContext.samplePeriodic.rawValue))
            }
        }
        return (samples, findings)
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
            if measurand.hasPrefix("Power.") && measurand != V16.Measurand.powerFactor.rawValue { return (value, "W") }
            return (value, nil)
        }
    }
}
