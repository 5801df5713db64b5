import struct Foundation.Date

// OCPP 1.6 composite types shared by several messages.

extension V16 {
    /// Verdict on an id tag. `parentIdTag` groups tags (e.g. a fleet account).
    public struct IdTagInfo: Codable, Sendable, Equatable {
        public var status: AuthorizationStatus
        public var expiryDate: Date?
        public var parentIdTag: String?

        public init(status: AuthorizationStatus, expiryDate: Date? = nil, parentIdTag: String? = nil) {
            self.status = status
            self.expiryDate = expiryDate
            self.parentIdTag = parentIdTag
        }

        public static let schema: Schema = .object(
            required("status", .enumeration(AuthorizationStatus.self)),
            optional("expiryDate", .dateTime),
            optional("parentIdTag", .string(maxLength: 20)))
    }

    /// One reading. `value` is text on the wire, even for numbers (docs/ocpp-notes.md, pitfall 1).
    public struct SampledValue: Codable, Sendable, Equatable {
        public var value: String
        public var context: ReadingContext?
        public var format: ValueFormat?
        public var measurand: Measurand?
        public var phase: Phase?
        public var location: Location?
        public var unit: UnitOfMeasure?

        public init(
            value: String, context: ReadingContext? = nil, format: ValueFormat? = nil, measurand: Measurand? = nil,
            phase: Phase? = nil, location: Location? = nil, unit: UnitOfMeasure? = nil
        ) {
            self.value = value
            self.context = context
            self.format = format
            self.measurand = measurand
            self.phase = phase
            self.location = location
            self.unit = unit
        }

        public static let schema: Schema = .object(
            required("value", .string()),
            optional("context", .enumeration(ReadingContext.self)),
            optional("format", .enumeration(ValueFormat.self)),
            optional("measurand", .enumeration(Measurand.self)),
            optional("phase", .enumeration(Phase.self)),
            optional("location", .enumeration(Location.self)),
            optional("unit", .enumeration(UnitOfMeasure.self)))
    }

    /// Readings taken at one moment.
    public struct MeterValue: Codable, Sendable, Equatable {
        public var timestamp: Date
        public var sampledValue: [SampledValue]

        public init(timestamp: Date, sampledValue: [SampledValue]) {
            self.timestamp = timestamp
            self.sampledValue = sampledValue
        }

        public static let schema: Schema = .object(
            required("timestamp", .dateTime),
            required("sampledValue", .array(of: SampledValue.schema, minItems: 1)))
    }

    public struct ChargingSchedulePeriod: Codable, Sendable, Equatable {
        public var startPeriod: Int
        public var limit: Double
        public var numberPhases: Int?

        public init(startPeriod: Int, limit: Double, numberPhases: Int? = nil) {
            self.startPeriod = startPeriod
            self.limit = limit
            self.numberPhases = numberPhases
        }

        public static let schema: Schema = .object(
            required("startPeriod", .integer()),
            required("limit", .number()),
            optional("numberPhases", .integer()))
    }

    public struct ChargingSchedule: Codable, Sendable, Equatable {
        public var duration: Int?
        public var startSchedule: Date?
        public var chargingRateUnit: ChargingRateUnitType
        public var chargingSchedulePeriod: [ChargingSchedulePeriod]
        public var minChargingRate: Double?

        public init(
            duration: Int? = nil, startSchedule: Date? = nil, chargingRateUnit: ChargingRateUnitType,
            chargingSchedulePeriod: [ChargingSchedulePeriod], minChargingRate: Double? = nil
        ) {
            self.duration = duration
            self.startSchedule = startSchedule
            self.chargingRateUnit = chargingRateUnit
            self.chargingSchedulePeriod = chargingSchedulePeriod
            self.minChargingRate = minChargingRate
        }

        public static let schema: Schema = .object(
            optional("duration", .integer()),
            optional("startSchedule", .dateTime),
            required("chargingRateUnit", .enumeration(ChargingRateUnitType.self)),
            required("chargingSchedulePeriod", .array(of: ChargingSchedulePeriod.schema, minItems: 1)),
            optional("minChargingRate", .number()))
    }

    public struct ChargingProfile: Codable, Sendable, Equatable {
        public var chargingProfileId: Int
        public var transactionId: Int?
        public var stackLevel: Int
        public var chargingProfilePurpose: ChargingProfilePurposeType
        public var chargingProfileKind: ChargingProfileKindType
        public var recurrencyKind: RecurrencyKindType?
        public var validFrom: Date?
        public var validTo: Date?
        public var chargingSchedule: ChargingSchedule

        public init(
            chargingProfileId: Int, transactionId: Int? = nil, stackLevel: Int,
            chargingProfilePurpose: ChargingProfilePurposeType, chargingProfileKind: ChargingProfileKindType,
            recurrencyKind: RecurrencyKindType? = nil, validFrom: Date? = nil, validTo: Date? = nil,
            chargingSchedule: ChargingSchedule
        ) {
            self.chargingProfileId = chargingProfileId
            self.transactionId = transactionId
            self.stackLevel = stackLevel
            self.chargingProfilePurpose = chargingProfilePurpose
            self.chargingProfileKind = chargingProfileKind
            self.recurrencyKind = recurrencyKind
            self.validFrom = validFrom
            self.validTo = validTo
            self.chargingSchedule = chargingSchedule
        }

        public static let schema: Schema = .object(
            required("chargingProfileId", .integer()),
            optional("transactionId", .integer()),
            required("stackLevel", .integer(minimum: 0)),
            required("chargingProfilePurpose", .enumeration(ChargingProfilePurposeType.self)),
            required("chargingProfileKind", .enumeration(ChargingProfileKindType.self)),
            optional("recurrencyKind", .enumeration(RecurrencyKindType.self)),
            optional("validFrom", .dateTime),
            optional("validTo", .dateTime),
            required("chargingSchedule", ChargingSchedule.schema))
    }

    /// A configuration key as GetConfiguration reports it.
    public struct KeyValue: Codable, Sendable, Equatable {
        public var key: String
        public var readonly: Bool
        public var value: String?

        public init(key: String, readonly: Bool, value: String? = nil) {
            self.key = key
            self.readonly = readonly
            self.value = value
        }

        public static let schema: Schema = .object(
            required("key", .string(maxLength: 50)),
            required("readonly", .boolean),
            optional("value", .string(maxLength: 500)))
    }
}
