// OCPP 1.6 enumerations, spelled exactly as in the 1.6 JSON schemas.

extension V16 {
    public enum RegistrationStatus: String, Codable, Sendable, CaseIterable { case Accepted, Pending, Rejected }

    public enum AuthorizationStatus: String, Codable, Sendable, CaseIterable {
        case Accepted, Blocked, Expired, Invalid
        /// Only in StartTransaction.conf: the tag already has a transaction running.
        case ConcurrentTx
    }

    public enum ChargePointStatus: String, Codable, Sendable, CaseIterable {
        case Available, Preparing, Charging, SuspendedEVSE, SuspendedEV, Finishing, Reserved, Unavailable, Faulted
    }

    public enum ChargePointErrorCode: String, Codable, Sendable, CaseIterable {
        case ConnectorLockFailure, EVCommunicationError, GroundFailure, HighTemperature, InternalError
        case LocalListConflict, NoError, OtherError, OverCurrentFailure, OverVoltage, PowerMeterFailure
        case PowerSwitchFailure, ReaderFailure, ResetFailure, UnderVoltage, WeakSignal
    }

    /// Why a transaction stopped; absent on the wire means `Local`.
    public enum Reason: String, Codable, Sendable, CaseIterable {
        case DeAuthorized, EmergencyStop, EVDisconnected, HardReset, Local, Other, PowerLoss, Reboot, Remote
        case SoftReset, UnlockCommand
    }

    public enum ReadingContext: String, Codable, Sendable, CaseIterable {
        case interruptionBegin = "Interruption.Begin", interruptionEnd = "Interruption.End", other = "Other"
        case sampleClock = "Sample.Clock", samplePeriodic = "Sample.Periodic"
        case transactionBegin = "Transaction.Begin", transactionEnd = "Transaction.End", trigger = "Trigger"
    }

    public enum ValueFormat: String, Codable, Sendable, CaseIterable { case Raw, SignedData }

    public enum Measurand: String, Codable, Sendable, CaseIterable {
        case energyActiveExportRegister = "Energy.Active.Export.Register"
        case energyActiveImportRegister = "Energy.Active.Import.Register"
        case energyReactiveExportRegister = "Energy.Reactive.Export.Register"
        case energyReactiveImportRegister = "Energy.Reactive.Import.Register"
        case energyActiveExportInterval = "Energy.Active.Export.Interval"
        case energyActiveImportInterval = "Energy.Active.Import.Interval"
        case energyReactiveExportInterval = "Energy.Reactive.Export.Interval"
        case energyReactiveImportInterval = "Energy.Reactive.Import.Interval"
        case powerActiveExport = "Power.Active.Export"
        case powerActiveImport = "Power.Active.Import"
        case powerOffered = "Power.Offered"
        case powerReactiveExport = "Power.Reactive.Export"
        case powerReactiveImport = "Power.Reactive.Import"
        case powerFactor = "Power.Factor"
        case currentImport = "Current.Import"
        case currentExport = "Current.Export"
        case currentOffered = "Current.Offered"
        case voltage = "Voltage"
        case frequency = "Frequency"
        case temperature = "Temperature"
        case soc = "SoC"
        case rpm = "RPM"
    }

    public enum Phase: String, Codable, Sendable, CaseIterable {
        case L1, L2, L3, N
        case l1N = "L1-N", l2N = "L2-N", l3N = "L3-N", l1L2 = "L1-L2", l2L3 = "L2-L3", l3L1 = "L3-L1"
    }

    public enum Location: String, Codable, Sendable, CaseIterable { case Cable, EV, Inlet, Outlet, Body }

    /// Units of measure. `Celcius` is the schema's own misspelling, kept beside `Celsius`;
    /// `Hertz` appears only in the MeterValues schema (docs/ocpp-notes.md, pitfall 14).
    public enum UnitOfMeasure: String, Codable, Sendable, CaseIterable {
        case Wh, kWh, varh, kvarh, W, kW, VA, kVA, `var`, kvar, A, V, K, Celcius, Celsius, Fahrenheit, Percent, Hertz
    }

    public enum AvailabilityType: String, Codable, Sendable, CaseIterable { case Inoperative, Operative }
    public enum AvailabilityStatus: String, Codable, Sendable, CaseIterable { case Accepted, Rejected, Scheduled }
    public enum ConfigurationStatus: String, Codable, Sendable, CaseIterable {
        case Accepted, Rejected, RebootRequired, NotSupported
    }
    public enum ClearCacheStatus: String, Codable, Sendable, CaseIterable { case Accepted, Rejected }
    public enum DataTransferStatus: String, Codable, Sendable, CaseIterable {
        case Accepted, Rejected, UnknownMessageId, UnknownVendorId
    }
    public enum RemoteStartStopStatus: String, Codable, Sendable, CaseIterable { case Accepted, Rejected }
    public enum ResetType: String, Codable, Sendable, CaseIterable { case Hard, Soft }
    public enum ResetStatus: String, Codable, Sendable, CaseIterable { case Accepted, Rejected }
    public enum MessageTrigger: String, Codable, Sendable, CaseIterable {
        case BootNotification, DiagnosticsStatusNotification, FirmwareStatusNotification, Heartbeat, MeterValues
        case StatusNotification
    }
    public enum TriggerMessageStatus: String, Codable, Sendable, CaseIterable { case Accepted, Rejected, NotImplemented }
    public enum UnlockStatus: String, Codable, Sendable, CaseIterable { case Unlocked, UnlockFailed, NotSupported }

    public enum ChargingProfilePurposeType: String, Codable, Sendable, CaseIterable {
        case ChargePointMaxProfile, TxDefaultProfile, TxProfile
    }
    public enum ChargingProfileKindType: String, Codable, Sendable, CaseIterable { case Absolute, Recurring, Relative }
    public enum RecurrencyKindType: String, Codable, Sendable, CaseIterable { case Daily, Weekly }
    public enum ChargingRateUnitType: String, Codable, Sendable, CaseIterable { case A, W }
}
