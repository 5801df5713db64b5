import Foundation
import OCPP

/// What a pile speaking 2.0.1 keeps beyond the shared connector state: its transactions
/// (the station names them), the last connector status it reported and its device model.
struct V201StationState: Sendable {
    /// Running transactions by EVSE id (one connector per EVSE, so the EVSE id is the connector's).
    var transactions: [Int: V201Transaction] = [:]
    /// Who is authorized on an EVSE before the power path closes (token, remote start id).
    var authorizations: [Int: V201Authorization] = [:]
    /// The connector status last sent per EVSE: 2.0.1 reports Occupied once, not every 1.6 step.
    var reported: [Int: V201.ConnectorStatusEnum] = [:]
    /// The transaction id last used per EVSE, for the transaction-id-reused quirk.
    var lastTransactionId: [Int: String] = [:]
    var nextTransaction = 1
    /// The reason of the next BootNotification (a reset says RemoteReset).
    var nextBootReason: V201.BootReasonEnum?
    /// Reset OnIdle asked for while a transaction ran: reboot once the station is idle.
    var resetWhenIdle = false
    var deviceModel = V201DeviceModel()

    init(deviceModel: V201DeviceModel = V201DeviceModel()) { self.deviceModel = deviceModel }
}

struct V201Authorization: Sendable {
    var idToken: String
    var remoteStartId: Int?
}

/// One 2.0.1 transaction as the station numbers and reports it.
struct V201Transaction: Sendable {
    let id: String
    let local: Int
    var seqNo = 0
    var evseSent = false
    var idToken: String?
    var idTokenSent = false
    var remoteStartId: Int?
    var remoteStartIdSent = false
    var startTrigger: V201.TriggerReasonEnum?
    var meterStartWh: Double
    let start: Date
    /// The station stopped the energy (remote stop with TxStopPoint EVConnected only): the
    /// transaction ends when the cable leaves, with this reason.
    var pendingStopReason: V201.ReasonEnum?
    var chargingState: V201.ChargingStateEnum = .evConnected
}

/// TxStartPoint / TxStopPoint values (2.0.1 Part 2, TxCtrlr).
enum V201TxPoint: String, CaseIterable {
    case parkingBayOccupancy = "ParkingBayOccupancy"
    case evConnected = "EVConnected"
    case authorized = "Authorized"
    case dataSigned = "DataSigned"
    case powerPathClosed = "PowerPathClosed"
    case energyTransfer = "EnergyTransfer"
}
