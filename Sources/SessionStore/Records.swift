import Foundation

// The version-neutral session model. OCPP 1.6 and 2.0.1 both map
// into these records, so a session reads the same whichever version the pile speaks.

/// A pile as it introduced itself.
public struct ChargePointRecord: Sendable, Codable, Equatable {
    public var id: String
    public var network: String?
    public var vendor: String?
    public var model: String?
    public var serialNumber: String?
    public var firmwareVersion: String?
    public var ocppVersion: String?
    /// Accepted, Pending or Rejected: our last BootNotification answer.
    public var registrationStatus: String?
    public var firstSeen: Date?
    public var lastSeen: Date?
    public var connected: Bool

    public init(
        id: String, network: String? = nil, vendor: String? = nil, model: String? = nil, serialNumber: String? = nil,
        firmwareVersion: String? = nil, ocppVersion: String? = nil, registrationStatus: String? = nil,
        firstSeen: Date? = nil, lastSeen: Date? = nil, connected: Bool = false
    ) {
        self.id = id
        self.network = network
        self.vendor = vendor
        self.model = model
        self.serialNumber = serialNumber
        self.firmwareVersion = firmwareVersion
        self.ocppVersion = ocppVersion
        self.registrationStatus = registrationStatus
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.connected = connected
    }
}

/// A connector's last reported status. Connector 0 is the pile as a whole.
public struct ConnectorStatusRecord: Sendable, Codable, Equatable {
    public var chargePointId: String
    public var connectorId: Int
    public var status: String
    public var errorCode: String?
    public var info: String?
    public var vendorErrorCode: String?
    /// When the status began, by the pile's clock when it said, else ours.
    public var since: Date

    public init(
        chargePointId: String, connectorId: Int, status: String, errorCode: String? = nil, info: String? = nil,
        vendorErrorCode: String? = nil, since: Date
    ) {
        self.chargePointId = chargePointId
        self.connectorId = connectorId
        self.status = status
        self.errorCode = errorCode
        self.info = info
        self.vendorErrorCode = vendorErrorCode
        self.since = since
    }
}

/// One reading, normalised: energy in Wh, power in W, whatever unit the pile used.
public struct SampleRecord: Sendable, Codable, Equatable {
    public var time: Date
    public var measurand: String
    public var value: Double
    public var unit: String?
    public var phase: String?
    public var location: String?
    public var context: String?

    public init(
        time: Date, measurand: String, value: Double, unit: String? = nil, phase: String? = nil,
        location: String? = nil, context: String? = nil
    ) {
        self.time = time
        self.measurand = measurand
        self.value = value
        self.unit = unit
        self.phase = phase
        self.location = location
        self.context = context
    }
}

extension SampleRecord {
    /// The reading billing and the compliance rules follow: the total energy register at
    /// the outlet (no phase; a missing location means the outlet).
    public var isOutletEnergyRegister: Bool {
        measurand == "Energy.Active.Import.Register" && phase == nil && (location ?? "Outlet") == "Outlet"
    }
}

/// A compliance finding: something a pile did that the spec does not allow, or allows
/// only grudgingly. Stored against the pile and, when known, the session.
public struct FindingRecord: Sendable, Codable, Equatable {
    public var rule: String
    public var severity: String
    public var chargePointId: String
    public var sessionId: Int64?
    public var messageId: String?
    public var detail: String
    public var time: Date

    public init(
        rule: String, severity: String, chargePointId: String, sessionId: Int64? = nil, messageId: String? = nil,
        detail: String, time: Date
    ) {
        self.rule = rule
        self.severity = severity
        self.chargePointId = chargePointId
        self.sessionId = sessionId
        self.messageId = messageId
        self.detail = detail
        self.time = time
    }
}

/// One WebSocket text frame, either direction, as it went over the wire.
public struct FrameRecord: Sendable, Codable, Equatable {
    /// The pile's leg (`in` from it, `out` to it) and, in relay mode, the operator's
    /// backend's leg (`upstream-out` to it, `upstream-in` from it).
    public enum Direction: String, Sendable, Codable {
        case incoming = "in", outgoing = "out"
        case toUpstream = "upstream-out", fromUpstream = "upstream-in"
    }

    public var time: Date
    public var direction: Direction
    public var chargePointId: String
    /// 2 CALL, 3 CALLRESULT, 4 CALLERROR; 0 when the frame could not be parsed.
    public var messageType: Int
    public var messageId: String?
    public var action: String?
    public var text: String
    /// For replies: milliseconds since the CALL they answer was received or sent.
    public var latencyMs: Double?

    public init(
        time: Date, direction: Direction, chargePointId: String, messageType: Int, messageId: String?,
        action: String?, text: String, latencyMs: Double? = nil
    ) {
        self.time = time
        self.direction = direction
        self.chargePointId = chargePointId
        self.messageType = messageType
        self.messageId = messageId
        self.action = action
        self.text = text
        self.latencyMs = latencyMs
    }
}

/// A charging session as stored.
public struct SessionRecord: Sendable, Codable, Equatable {
    /// `starting`: scanned, the pile accepted, its StartTransaction has not come yet;
    /// `failed`: a scanned session that never started (`failure` says why).
    public enum Status: String, Sendable, Codable, CaseIterable { case starting, active, completed, failed, abandoned }

    public var id: Int64
    public var chargePointId: String
    public var connectorId: Int
    public var idTag: String?
    public var ocppVersion: String?
    public var status: Status
    public var authorizationStatus: String?
    public var startTime: Date
    public var stopTime: Date?
    public var meterStartWh: Int64
    public var meterStopWh: Int64?
    public var energyWh: Int64?
    public var stopReason: String?
    public var stopIdTag: String?
    public var costFen: Int64?
    public var reservationId: Int?
    /// The app account that scanned, for scanned sessions.
    public var account: String?
    public var failure: String?
    /// When the connector became Available after the stop: the end of the idle time.
    public var unpluggedAt: Date?
    /// The pile's own transaction id, for 2.0.1 piles (which choose it).
    public var transactionRef: String?

    public init(
        id: Int64, chargePointId: String, connectorId: Int, idTag: String?, ocppVersion: String?, status: Status,
        authorizationStatus: String?, startTime: Date, stopTime: Date?, meterStartWh: Int64, meterStopWh: Int64?,
        energyWh: Int64?, stopReason: String?, stopIdTag: String?, costFen: Int64?, reservationId: Int?,
        account: String? = nil, failure: String? = nil, unpluggedAt: Date? = nil, transactionRef: String? = nil
    ) {
        self.transactionRef = transactionRef
        self.account = account
        self.failure = failure
        self.unpluggedAt = unpluggedAt
        self.id = id
        self.chargePointId = chargePointId
        self.connectorId = connectorId
        self.idTag = idTag
        self.ocppVersion = ocppVersion
        self.status = status
        self.authorizationStatus = authorizationStatus
        self.startTime = startTime
        self.stopTime = stopTime
        self.meterStartWh = meterStartWh
        self.meterStopWh = meterStopWh
        self.energyWh = energyWh
        self.stopReason = stopReason
        self.stopIdTag = stopIdTag
        self.costFen = costFen
        self.reservationId = reservationId
    }
}

/// One variable attribute of a 2.0.1 station's device model, as its NotifyReport said.
public struct DeviceVariableRecord: Sendable, Codable, Equatable {
    public var component: String
    public var componentInstance: String?
    public var evseId: Int?
    public var connectorId: Int?
    public var variable: String
    public var variableInstance: String?
    /// Actual, Target, MinSet or MaxSet.
    public var attribute: String
    public var value: String?
    public var mutability: String?
    public var dataType: String?
    public var unit: String?
    public var reportedAt: Date

    public init(
        component: String, componentInstance: String? = nil, evseId: Int? = nil, connectorId: Int? = nil, variable: String,
        variableInstance: String? = nil, attribute: String = "Actual", value: String?, mutability: String? = nil,
        dataType: String? = nil, unit: String? = nil, reportedAt: Date
    ) {
        self.component = component
        self.componentInstance = componentInstance
        self.evseId = evseId
        self.connectorId = connectorId
        self.variable = variable
        self.variableInstance = variableInstance
        self.attribute = attribute
        self.value = value
        self.mutability = mutability
        self.dataType = dataType
        self.unit = unit
        self.reportedAt = reportedAt
    }
}

/// A session with everything recorded about it.
public struct SessionDetail: Sendable, Codable, Equatable {
    public var session: SessionRecord
    public var samples: [SampleRecord]
    public var findings: [FindingRecord]
    /// Every frame of the pile from the session's start to its stop, in order.
    public var timeline: [FrameRecord]
}

/// A pile with its connectors' live status.
public struct ChargePointDetail: Sendable, Codable, Equatable {
    public var chargePoint: ChargePointRecord
    public var connectors: [ConnectorStatusRecord]

    public init(chargePoint: ChargePointRecord, connectors: [ConnectorStatusRecord]) {
        self.chargePoint = chargePoint
        self.connectors = connectors
    }
}

/// An id tag the store authorizes, or an entry of a pile's local list (1.6 IdTagInfo
/// terms; 2.0.1 statuses too, such as NoCredit; compared case-insensitively).
public struct IdTagRecord: Sendable, Codable, Equatable, Hashable {
    public var idTag: String
    /// Accepted, Blocked, Expired or Invalid.
    public var status: String
    public var expiryDate: Date?
    public var parentIdTag: String?

    public init(idTag: String, status: String, expiryDate: Date? = nil, parentIdTag: String? = nil) {
        self.idTag = idTag
        self.status = status
        self.expiryDate = expiryDate
        self.parentIdTag = parentIdTag
    }

    /// Id tags compare case-insensitively (1.6 CiString20).
    public var key: String { idTag.lowercased() }
}
