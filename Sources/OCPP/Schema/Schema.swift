/// The shape of an OCPP payload, as its JSON schema states it.
///
/// Each message type declares its schema next to its fields; `SchemaValidator` checks
/// a payload against it and maps every violation to the CALLERROR code the spec names.
/// It covers the subset of JSON Schema the OCPP 1.6 and 2.0.1 schemas use.
public indirect enum Schema: Sendable {
    case string(maxLength: Int? = nil, minLength: Int? = nil)
    /// A `format: date-time` string.
    case dateTime
    /// A string restricted to listed values (compared exactly; lenient mode also takes other cases).
    case enumeration([String])
    case integer(minimum: Int64? = nil, maximum: Int64? = nil)
    case number(minimum: Double? = nil)
    case boolean
    case array(of: Schema, minItems: Int = 0, maxItems: Int? = nil)
    case object([Property], additionalProperties: Bool = false)
    /// Any JSON value (DataTransfer `data` in 2.0.1, vendor extensions).
    case any

    public struct Property: Sendable {
        public let name: String
        public let schema: Schema
        public let required: Bool

        public init(_ name: String, _ schema: Schema, required: Bool) {
            self.name = name
            self.schema = schema
            self.required = required
        }
    }

    /// An enumeration of a `String` raw-valued Swift enum's cases.
    public static func enumeration<E: CaseIterable & RawRepresentable>(_ type: E.Type) -> Schema where E.RawValue == String {
        .enumeration(E.allCases.map(\.rawValue))
    }

    /// An object whose properties are all known (OCPP schemas set `additionalProperties: false`).
    public static func object(_ properties: Property...) -> Schema { .object(properties) }

    public static let emptyObject: Schema = .object([])
}

/// Builders that read like the schema tables: `required("idTag", .string(maxLength: 20))`.
public func required(_ name: String, _ schema: Schema) -> Schema.Property { .init(name, schema, required: true) }
public func optional(_ name: String, _ schema: Schema) -> Schema.Property { .init(name, schema, required: false) }
