import struct Foundation.Date

/// OCPP 1.6 (JSON), the version most piles in the field speak.
public enum V16 {}

// Core profile, messages a charge point sends.

extension V16 {
    /// Sent after power-on; until Accepted (or Pending) the pile sends nothing else.
    /// When not Accepted, `interval` is the wait before retrying; when Accepted, the heartbeat period.
    public enum BootNotification: OCPPAction {
        public static let name = "BootNotification"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.chargePoint

        public struct Request: OCPPPayload, Equatable {
            public var chargePointVendor: String
            public var chargePointModel: String
            public var chargePointSerialNumber: String?
            public var chargeBoxSerialNumber: String?
            public var firmwareVersion: String?
            public var iccid: String?
            public var imsi: String?
            public var meterType: String?
            public var meterSerialNumber: String?

            public init(
                chargePointVendor: String, chargePointModel: String, chargePointSerialNumber: String? = nil,
                chargeBoxSerialNumber: String? = nil, firmwareVersion: String? = nil, iccid: String? = nil,
                imsi: String? = nil, meterType: String? = nil, meterSerialNumber: String? = nil
            ) {
                self.chargePointVendor = chargePointVendor
                self.chargePointModel = chargePointModel
                self.chargePointSerialNumber = chargePointSerialNumber
                self.chargeBoxSerialNumber = chargeBoxSerialNumber
                self.firmwareVersion = firmwareVersion
                self.iccid = iccid
                self.imsi = imsi
                self.meterType = meterType
                self.meterSerialNumber = meterSerialNumber
            }

            public static let schema: Schema = .object(
                required("chargePointVendor", .string(maxLength: 20)),
                required("chargePointModel", .string(maxLength: 20)),
                optional("chargePointSerialNumber", .string(maxLength: 25)),
                optional("chargeBoxSerialNumber", .string(maxLength: 25)),
                optional("firmwareVersion", .string(maxLength: 50)),
                optional("iccid", .string(maxLength: 20)),
                optional("imsi", .string(maxLength: 20)),
                optional("meterType", .string(maxLength: 25)),
                optional("meterSerialNumber", .string(maxLength: 25)))
        }

        public struct Response: OCPPPayload, Equatable {
            public var status: RegistrationStatus
            public var currentTime: Date
            public var interval: Int

            public init(status: RegistrationStatus, currentTime: Date, interval: Int) {
                self.status = status
                self.currentTime = currentTime
                self.interval = interval
            }

            public static let schema: Schema = .object(
                required("status", .enumeration(RegistrationStatus.self)),
                required("currentTime", .dateTime),
                required("interval", .integer()))
        }
    }

    /// Keeps the link alive when idle and syncs the pile's clock.
    public enum Heartbeat: OCPPAction {
        public static let name = "Heartbeat"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.chargePoint

        public struct Request: OCPPPayload, Equatable {
            public init() {}
            public static let schema: Schema = .emptyObject
        }

        public struct Response: OCPPPayload, Equatable {
            public var currentTime: Date
            public init(currentTime: Date) { self.currentTime = currentTime }
            public static let schema: Schema = .object(required("currentTime", .dateTime))
        }
    }

    /// A connector's (or, for connector 0, the whole pile's) status changed.
    public enum StatusNotification: OCPPAction {
        public static let name = "StatusNotification"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.chargePoint

        public struct Request: OCPPPayload, Equatable {
            public var connectorId: Int
            public var errorCode: ChargePointErrorCode
            public var info: String?
            public var status: ChargePointStatus
            public var timestamp: Date?
            public var vendorId: String?
            public var vendorErrorCode: String?

            public init(
                connectorId: Int, errorCode: ChargePointErrorCode = .NoError, info: String? = nil,
                status: ChargePointStatus, timestamp: Date? = nil, vendorId: String? = nil, vendorErrorCode: String? = nil
            ) {
                self.connectorId = connectorId
                self.errorCode = errorCode
                self.info = info
                self.status = status
                self.timestamp = timestamp
                self.vendorId = vendorId
                self.vendorErrorCode = vendorErrorCode
            }

            public static let schema: Schema = .object(
                required("connectorId", .integer(minimum: 0)),
                required("errorCode", .enumeration(ChargePointErrorCode.self)),
                optional("info", .string(maxLength: 50)),
                required("status", .enumeration(ChargePointStatus.self)),
                optional("timestamp", .dateTime),
                optional("vendorId", .string(maxLength: 255)),
                optional("vendorErrorCode", .string(maxLength: 50)))
        }

        public struct Response: OCPPPayload, Equatable {
            public init() {}
            public static let schema: Schema = .emptyObject
        }
    }

    /// Asks whether an id tag may charge.
    public enum Authorize: OCPPAction {
        public static let name = "Authorize"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.chargePoint

        public struct Request: OCPPPayload, Equatable {
            public var idTag: String
            public init(idTag: String) { self.idTag = idTag }
            public static let schema: Schema = .object(required("idTag", .string(maxLength: 20)))
        }

        public struct Response: OCPPPayload, Equatable {
            public var idTagInfo: IdTagInfo
            public init(idTagInfo: IdTagInfo) { self.idTagInfo = idTagInfo }
            public static let schema: Schema = .object(required("idTagInfo", IdTagInfo.schema))
        }
    }

    /// A transaction began; the central system assigns its id. Queued while offline.
    public enum StartTransaction: OCPPAction {
        public static let name = "StartTransaction"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.chargePoint

        public struct Request: OCPPPayload, Equatable {
            public var connectorId: Int
            public var idTag: String
            /// Energy register at start, Wh.
            public var meterStart: Int
            public var reservationId: Int?
            public var timestamp: Date

            public init(connectorId: Int, idTag: String, meterStart: Int, reservationId: Int? = nil, timestamp: Date) {
                self.connectorId = connectorId
                self.idTag = idTag
                self.meterStart = meterStart
                self.reservationId = reservationId
                self.timestamp = timestamp
            }

            public static let schema: Schema = .object(
                required("connectorId", .integer(minimum: 1)),
                required("idTag", .string(maxLength: 20)),
                required("meterStart", .integer()),
                optional("reservationId", .integer()),
                required("timestamp", .dateTime))
        }

        public struct Response: OCPPPayload, Equatable {
            public var idTagInfo: IdTagInfo
            public var transactionId: Int

            public init(idTagInfo: IdTagInfo, transactionId: Int) {
                self.idTagInfo = idTagInfo
                self.transactionId = transactionId
            }

            public static let schema: Schema = .object(
                required("idTagInfo", IdTagInfo.schema),
                required("transactionId", .integer()))
        }
    }

    /// Periodic, clock-aligned or triggered readings, inside a transaction or not.
    public enum MeterValues: OCPPAction {
        public static let name = "MeterValues"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.chargePoint

        public struct Request: OCPPPayload, Equatable {
            public var connectorId: Int
            public var transactionId: Int?
            public var meterValue: [MeterValue]

            public init(connectorId: Int, transactionId: Int? = nil, meterValue: [MeterValue]) {
                self.connectorId = connectorId
                self.transactionId = transactionId
                self.meterValue = meterValue
            }

            public static let schema: Schema = .object(
                required("connectorId", .integer(minimum: 0)),
                optional("transactionId", .integer()),
                required("meterValue", .array(of: MeterValue.schema, minItems: 1)))
        }

        public struct Response: OCPPPayload, Equatable {
            public init() {}
            public static let schema: Schema = .emptyObject
        }
    }

    /// A transaction ended. The central system must acknowledge it even for an unknown
    /// transaction id, or the pile retries it forever (docs/ocpp-notes.md, pitfall 7).
    public enum StopTransaction: OCPPAction {
        public static let name = "StopTransaction"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.chargePoint

        public struct Request: OCPPPayload, Equatable {
            public var idTag: String?
            /// Energy register at stop, Wh.
            public var meterStop: Int
            public var timestamp: Date
            public var transactionId: Int
            /// Absent means `Local`.
            public var reason: Reason?
            public var transactionData: [MeterValue]?

            public init(
                idTag: String? = nil, meterStop: Int, timestamp: Date, transactionId: Int, reason: Reason? = nil,
                transactionData: [MeterValue]? = nil
            ) {
                self.idTag = idTag
                self.meterStop = meterStop
                self.timestamp = timestamp
                self.transactionId = transactionId
                self.reason = reason
                self.transactionData = transactionData
            }

            public static let schema: Schema = .object(
                optional("idTag", .string(maxLength: 20)),
                required("meterStop", .integer()),
                required("timestamp", .dateTime),
                required("transactionId", .integer()),
                optional("reason", .enumeration(Reason.self)),
                optional("transactionData", .array(of: MeterValue.schema)))
        }

        public struct Response: OCPPPayload, Equatable {
            public var idTagInfo: IdTagInfo?
            public init(idTagInfo: IdTagInfo? = nil) { self.idTagInfo = idTagInfo }
            public static let schema: Schema = .object(optional("idTagInfo", IdTagInfo.schema))
        }
    }

    /// Vendor-specific exchange, sent by either side.
    public enum DataTransfer: OCPPAction {
        public static let name = "DataTransfer"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.either

        public struct Request: OCPPPayload, Equatable {
            public var vendorId: String
            public var messageId: String?
            public var data: String?

            public init(vendorId: String, messageId: String? = nil, data: String? = nil) {
                self.vendorId = vendorId
                self.messageId = messageId
                self.data = data
            }

            public static let schema: Schema = .object(
                required("vendorId", .string(maxLength: 255)),
                optional("messageId", .string(maxLength: 50)),
                optional("data", .string()))
        }

        public struct Response: OCPPPayload, Equatable {
            public var status: DataTransferStatus
            public var data: String?

            public init(status: DataTransferStatus, data: String? = nil) {
                self.status = status
                self.data = data
            }

            public static let schema: Schema = .object(
                required("status", .enumeration(DataTransferStatus.self)),
                optional("data", .string()))
        }
    }
}
