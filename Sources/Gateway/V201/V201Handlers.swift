import OCPP

/// The central system's OCPP 2.0.1 table. Empty until the 2.0.1 handlers land: the
/// handshake does not offer `ocpp2.0.1` yet, so no pile reaches it.
let v201Handlers = HandlerTable(version: .v201, catalog: ActionCatalog(version: .v201, []), knownElsewhere: [], [])
