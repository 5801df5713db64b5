import OCPP

/// The central system's OCPP 1.6 table: Core's charge-point messages, Firmware
/// Management's and the security extension's reports. Other 1.6 actions a pile might send
/// are answered NotSupported, unknown names NotImplemented.
let v16Handlers = HandlerTable(
    version: .v16, catalog: V16.catalog, knownElsewhere: V16.unsupportedActions,
    [
        V16BootNotification().entry, V16Heartbeat().entry, V16StatusNotification().entry, V16Authorize().entry,
        V16StartTransaction().entry, V16MeterValues().entry, V16StopTransaction().entry, V16DataTransfer().entry,
        V16FirmwareStatusNotification().entry, V16DiagnosticsStatusNotification().entry, V16SignedFirmwareStatusNotification().entry,
        V16LogStatusNotification().entry, V16SecurityEventNotification().entry, V16SignCertificate().entry,
    ])
