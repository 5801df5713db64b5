import OCPP

// Meter values that cannot be physically true: a register out of line with the power the
// pile reports, a register no pile could reach, impossible signs and a current with no
// voltage. Judged by the pile's own timestamps (MeterPhysics.swift), the same for 1.6 and
// 2.0.1; definitions are in docs/rules.md.
extension FindingRule {
    public static let energyBelowPower = FindingRule(
        id: "meter.energy-below-power", severity: .error,
        summary: "The energy register rose far less than the reported Power.Active.Import implies over the same time (a kWh register labelled or defaulted to Wh).",
        reference: "OCPP 1.6 §7.31 Measurand, §7.45 UnitOfMeasure (Wh is the default); OCPP 2.0.1 §2.1.18 UnitOfMeasureType",
        recorded: .oncePerTransaction,
        tolerance: "energyShortfallFactor (default 20) and energySlackWh (default 100)")

    public static let energyAbovePower = FindingRule(
        id: "meter.energy-above-power", severity: .error,
        summary: "The energy register rose faster than the highest reported Power.Active.Import allows (a Wh figure labelled kWh, a meter counting twice).",
        reference: "OCPP 1.6 §7.31 Measurand, §7.45 UnitOfMeasure; OCPP 2.0.1 §2.1.18 UnitOfMeasureType",
        recorded: .oncePerTransaction,
        tolerance: "energyExcessFactor (default 1.5) and energySlackWh (default 100); intervals judged from idlePowerW (default 100)")

    public static let registerJump = FindingRule(
        id: "meter.register-jump", severity: .error,
        summary: "The energy register (or meterStop) rose by more than any pile can deliver in the time elapsed (a jump of billions of Wh, a 32-bit wrap).",
        reference: "OCPP 1.6 §7.31 Energy.Active.Import.Register, §4.10 meterStop; OCPP 2.0.1 E06, §2.1.17 SampledValueType",
        recorded: .oncePerTransaction,
        tolerance: "maxPowerKW (default 1000) over at least 60 s, plus energySlackWh (default 100)")

    public static let negativeImportPower = FindingRule(
        id: "meter.negative-import-power", severity: .warning,
        summary: "Power.Active.Import below zero: import power is never negative (export is Power.Active.Export).",
        reference: "OCPP 1.6 §7.31 Measurand; OCPP 2.0.1 §3.43 MeasurandEnumType", strictReply: .propertyConstraintViolation,
        recorded: .oncePerConnection, tolerance: "negativePowerW (default 50)")

    public static let currentWithoutVoltage = FindingRule(
        id: "meter.current-without-voltage", severity: .warning,
        summary: "Current.Import flowing while the same reading (same time, location and phase) reports a Voltage of 0.",
        reference: "OCPP 1.6 §7.31 Measurand, §7.32 Phase; OCPP 2.0.1 §3.43 MeasurandEnumType", strictReply: .propertyConstraintViolation,
        recorded: .oncePerConnection, tolerance: "currentWithoutVoltageA (default 1)")

    public static let negativeRegister = FindingRule(
        id: "meter.negative-register", severity: .error,
        summary: "meterStart, meterStop or an Energy.*.Register reading below 0: a register counts up from 0 (meterStart/meterStop read as 0, readings not stored).",
        reference: "OCPP 1.6 §4.8 meterStart, §4.10 meterStop, §7.31 Measurand; OCPP 2.0.1 §3.43 MeasurandEnumType",
        strictReply: .propertyConstraintViolation, recorded: .oncePerConnection)

    /// The family, appended to `catalog`.
    public static let meterRules: [FindingRule] = [
        energyBelowPower, energyAbovePower, registerJump, negativeImportPower, currentWithoutVoltage, negativeRegister,
    ]
}
