import OCPP

/// The CSMS's OCPP 2.0.1 table: what a charging station sends in the blocks served (B
/// provisioning, C authorization, E transactions, G availability, J meter values, K smart
/// charging, P data transfer, security and monitoring events, firmware and log upload statuses). The other
/// blocks' messages are answered NotSupported, names 2.0.1 does not have NotImplemented.
let v201Handlers = HandlerTable(
    version: .v201, catalog: V201.catalog, knownElsewhere: [],
    [
        V201BootNotification().entry, V201NotifyReport().entry, V201Heartbeat().entry, V201StatusNotification().entry,
        V201Authorize().entry, V201TransactionEvent().entry, V201MeterValues().entry, V201DataTransfer().entry,
        V201SecurityEventNotification().entry, V201NotifyEvent().entry, V201FirmwareStatusNotification().entry, V201LogStatusNotification().entry,
        V201SignCertificate().entry,
        V201ReportChargingProfiles().entry, V201NotifyChargingLimit().entry, V201ClearedChargingLimit().entry,
        V201NotifyEVChargingNeeds().entry, V201NotifyEVChargingSchedule().entry,
    ])
