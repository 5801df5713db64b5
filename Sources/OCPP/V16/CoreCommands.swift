// Core profile, commands the central system sends to a charge point.

extension V16 {
    /// Starts a transaction remotely, e.g. after a QR scan. With AuthorizeRemoteTxRequests
    /// the pile still authorizes the tag first.
    public enum RemoteStartTransaction: OCPPAction {
        public static let name = "RemoteStartTransaction"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.centralSystem

        public struct Request: OCPPPayload, Equatable {
            public var connectorId: Int?
            public var idTag: String
            public var chargingProfile: ChargingProfile?

            public init(connectorId: Int? = nil, idTag: String, chargingProfile: ChargingProfile? = nil) {
                self.connectorId = connectorId
                self.idTag = idTag
                self.chargingProfile = chargingProfile
            }

            public static let schema: Schema = .object(
                optional("connectorId", .integer(minimum: 1)),
                required("idTag", .string(maxLength: 20)),
                optional("chargingProfile", ChargingProfile.schema))
        }

        public typealias Response = RemoteStartStopResponse
    }

    /// Stops a running transaction remotely.
    public enum RemoteStopTransaction: OCPPAction {
        public static let name = "RemoteStopTransaction"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.centralSystem

        public struct Request: OCPPPayload, Equatable {
            public var transactionId: Int
            public init(transactionId: Int) { self.transactionId = transactionId }
            public static let schema: Schema = .object(required("transactionId", .integer()))
        }

        public typealias Response = RemoteStartStopResponse
    }

    public struct RemoteStartStopResponse: OCPPPayload, Equatable {
        public var status: RemoteStartStopStatus
        public init(status: RemoteStartStopStatus) { self.status = status }
        public static let schema: Schema = .object(required("status", .enumeration(RemoteStartStopStatus.self)))
    }

    /// Reboots the pile: Soft ends transactions gracefully, Hard may not.
    public enum Reset: OCPPAction {
        public static let name = "Reset"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.centralSystem

        public struct Request: OCPPPayload, Equatable {
            public var type: ResetType
            public init(type: ResetType) { self.type = type }
            public static let schema: Schema = .object(required("type", .enumeration(ResetType.self)))
        }

        public struct Response: OCPPPayload, Equatable {
            public var status: ResetStatus
            public init(status: ResetStatus) { self.status = status }
            public static let schema: Schema = .object(required("status", .enumeration(ResetStatus.self)))
        }
    }

    /// Takes a connector (or, with 0, the pile) in or out of service. `Scheduled` means
    /// after the running transaction; the state survives reboots.
    public enum ChangeAvailability: OCPPAction {
        public static let name = "ChangeAvailability"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.centralSystem

        public struct Request: OCPPPayload, Equatable {
            public var connectorId: Int
            public var type: AvailabilityType

            public init(connectorId: Int, type: AvailabilityType) {
                self.connectorId = connectorId
                self.type = type
            }

            public static let schema: Schema = .object(
                required("connectorId", .integer(minimum: 0)),
                required("type", .enumeration(AvailabilityType.self)))
        }

        public struct Response: OCPPPayload, Equatable {
            public var status: AvailabilityStatus
            public init(status: AvailabilityStatus) { self.status = status }
            public static let schema: Schema = .object(required("status", .enumeration(AvailabilityStatus.self)))
        }
    }

    /// Sets one configuration key.
    public enum ChangeConfiguration: OCPPAction {
        public static let name = "ChangeConfiguration"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.centralSystem

        public struct Request: OCPPPayload, Equatable {
            public var key: String
            public var value: String

            public init(key: String, value: String) {
                self.key = key
                self.value = value
            }

            public static let schema: Schema = .object(
                required("key", .string(maxLength: 50)),
                required("value", .string(maxLength: 500)))
        }

        public struct Response: OCPPPayload, Equatable {
            public var status: ConfigurationStatus
            public init(status: ConfigurationStatus) { self.status = status }
            public static let schema: Schema = .object(required("status", .enumeration(ConfigurationStatus.self)))
        }
    }

    /// Reads configuration keys; no `key` means all of them. Write-only keys (AuthorizationKey) are never returned.
    public enum GetConfiguration: OCPPAction {
        public static let name = "GetConfiguration"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.centralSystem

        public struct Request: OCPPPayload, Equatable {
            public var key: [String]?
            public init(key: [String]? = nil) { self.key = key }
            public static let schema: Schema = .object(optional("key", .array(of: .string(maxLength: 50))))
        }

        public struct Response: OCPPPayload, Equatable {
            public var configurationKey: [KeyValue]?
            public var unknownKey: [String]?

            public init(configurationKey: [KeyValue]? = nil, unknownKey: [String]? = nil) {
                self.configurationKey = configurationKey
                self.unknownKey = unknownKey
            }

            public static let schema: Schema = .object(
                optional("configurationKey", .array(of: KeyValue.schema)),
                optional("unknownKey", .array(of: .string(maxLength: 50))))
        }
    }

    /// Empties the pile's authorization cache.
    public enum ClearCache: OCPPAction {
        public static let name = "ClearCache"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.centralSystem

        public struct Request: OCPPPayload, Equatable {
            public init() {}
            public static let schema: Schema = .emptyObject
        }

        public struct Response: OCPPPayload, Equatable {
            public var status: ClearCacheStatus
            public init(status: ClearCacheStatus) { self.status = status }
            public static let schema: Schema = .object(required("status", .enumeration(ClearCacheStatus.self)))
        }
    }

    /// Releases the cable lock of a connector; stops its transaction with reason UnlockCommand.
    public enum UnlockConnector: OCPPAction {
        public static let name = "UnlockConnector"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.centralSystem

        public struct Request: OCPPPayload, Equatable {
            public var connectorId: Int
            public init(connectorId: Int) { self.connectorId = connectorId }
            public static let schema: Schema = .object(required("connectorId", .integer(minimum: 1)))
        }

        public struct Response: OCPPPayload, Equatable {
            public var status: UnlockStatus
            public init(status: UnlockStatus) { self.status = status }
            public static let schema: Schema = .object(required("status", .enumeration(UnlockStatus.self)))
        }
    }
}
