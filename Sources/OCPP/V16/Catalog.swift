extension V16 {
    /// Every 1.6 action this build knows: Core and RemoteTrigger.
    public static let catalog = ActionCatalog(version: .v16, [
        Authorize.self, BootNotification.self, ChangeAvailability.self, ChangeConfiguration.self, ClearCache.self,
        DataTransfer.self, GetConfiguration.self, Heartbeat.self, MeterValues.self, RemoteStartTransaction.self,
        RemoteStopTransaction.self, Reset.self, StartTransaction.self, StatusNotification.self, StopTransaction.self,
        UnlockConnector.self, TriggerMessage.self,
    ])

    /// Actions of 1.6 profiles we do not implement; asked for, they get NotSupported rather than NotImplemented.
    public static let unsupportedActions: Set<String> = [
        "CancelReservation", "ClearChargingProfile", "DiagnosticsStatusNotification", "FirmwareStatusNotification",
        "GetCompositeSchedule", "GetDiagnostics", "GetLocalListVersion", "ReserveNow", "SendLocalList",
        "SetChargingProfile", "UpdateFirmware",
        // Security whitepaper extensions.
        "CertificateSigned", "DeleteCertificate", "ExtendedTriggerMessage", "GetInstalledCertificateIds", "GetLog",
        "InstallCertificate", "LogStatusNotification", "SecurityEventNotification", "SignCertificate",
        "SignedFirmwareStatusNotification", "SignedUpdateFirmware",
    ]
}
