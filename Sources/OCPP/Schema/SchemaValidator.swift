/// How forgiving validation is.
public enum ValidationMode: String, Sendable, Codable, CaseIterable {
    /// Every schema violation is an error (answered with a CALLERROR).
    case strict
    /// Deviations whose meaning is still clear are repaired and reported; the rest are errors.
    case lenient
}

/// A schema violation, with the CALLERROR code the spec assigns to it.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: RPCErrorCode
    /// Where in the payload, e.g. `meterValue[0].sampledValue[1].value`.
    public let path: String
    /// The rule that was broken, e.g. `expected string, got integer`.
    public let rule: String

    public init(code: RPCErrorCode, path: String, rule: String) {
        self.code = code
        self.path = path
        self.rule = rule
    }

    public var description: String { path.isEmpty ? rule : "\(path): \(rule)" }
    public var rpcError: RPCError { RPCError(code, description) }
}

/// Something lenient validation repaired. The gateway stores each one as a finding, so
/// the pile's vendor learns what to fix while drivers keep charging.
public struct PayloadDeviation: Sendable, Equatable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        /// A number sent as a string (`"meterStart": "1200"`).
        case numberAsString
        /// A string field sent as a number (1.6 `sampledValue.value`: docs/ocpp-notes.md, pitfall 1).
        case stringAsNumber
        /// An integer field with a fraction (`meterStart: 1200.5`: docs/ocpp-notes.md, pitfall 2), rounded.
        case fractionalInteger
        /// An optional field sent as `null` (docs/ocpp-notes.md, pitfall 5), dropped.
        case nullOptional
        /// An enum value in the wrong letter case (`charging`), read as the listed value.
        case enumLetterCase
        /// A string longer than its maximum (docs/ocpp-notes.md, pitfall 5), kept whole.
        case stringTooLong
        /// A property the schema does not define, dropped.
        case unknownProperty
        /// A date-time without zone, with a local offset, or otherwise off RFC 3339 (docs/ocpp-notes.md, pitfalls 3 and 4).
        case timestampOffSpec
    }

    public let kind: Kind
    public let path: String
    public let detail: String

    public init(_ kind: Kind, path: String, detail: String) {
        self.kind = kind
        self.path = path
        self.detail = detail
    }

    public var description: String { "\(path): \(detail)" }
}

/// Checks payloads against a `Schema` and, in lenient mode, repairs what it safely can.
public enum SchemaValidator {
    /// Returns the payload, repaired where lenient, and the deviations found.
    public static func validate(
        _ json: JSON, against schema: Schema, mode: ValidationMode
    ) throws(ValidationError) -> (JSON, [PayloadDeviation]) {
        var walker = Walker(mode: mode)
        let repaired = try walker.check(json, schema, path: { "" })
        return (repaired, walker.deviations)
    }

    private struct Walker {
        let mode: ValidationMode
        var deviations: [PayloadDeviation] = []

        var lenient: Bool { mode == .lenient }

        mutating func tolerate(_ kind: PayloadDeviation.Kind, _ path: String, _ detail: String) {
            deviations.append(PayloadDeviation(kind, path: path, detail: detail))
        }

        func fail(_ code: RPCErrorCode, _ path: String, _ rule: String) -> ValidationError {
            ValidationError(code: code, path: path, rule: rule)
        }

        func typeError(_ expected: String, _ json: JSON, _ path: String) -> ValidationError {
            fail(.typeConstraintViolation, path, "expected \(expected), got \(json.typeName)")
        }

        /// `path` is built only when a deviation or an error needs it: most payloads are clean.
        mutating func check(_ json: JSON, _ schema: Schema, path: () -> String) throws(ValidationError) -> JSON {
            switch schema {
            case .any:
                return json

            case .string(let maxLength, let minLength):
                let text: String
                switch json {
                case .string(let s): text = s
                case .integer where lenient, .number where lenient:
                    text = json.text
                    tolerate(.stringAsNumber, path(), "string sent as a JSON number (\(text))")
                default: throw typeError("string", json, path())
                }
                let length = text.count
                if let minLength, length < minLength {
                    throw fail(.propertyConstraintViolation, path(), "string shorter than \(minLength) characters")
                }
                if let maxLength, length > maxLength {
                    guard lenient else {
                        throw fail(.propertyConstraintViolation, path(), "string of \(length) characters exceeds maxLength \(maxLength)")
                    }
                    tolerate(.stringTooLong, path(), "string of \(length) characters exceeds maxLength \(maxLength)")
                }
                return .string(text)

            case .dateTime:
                guard case .string(let text) = json else { throw typeError("date-time string", json, path()) }
                guard let stamp = OCPPTimestamp.parse(text) else {
                    throw fail(.propertyConstraintViolation, path(), "\"\(text)\" is not an RFC 3339 date-time")
                }
                if stamp.deviations.isEmpty { return json }
                let what = stamp.deviations.map(\.rawValue).sorted().joined(separator: ", ")
                guard lenient else {
                    throw fail(.propertyConstraintViolation, path(), "\"\(text)\" is not RFC 3339 (\(what))")
                }
                tolerate(.timestampOffSpec, path(), "\"\(text)\" read as \(OCPPTimestamp.format(stamp.date)) (\(what))")
                return .string(OCPPTimestamp.format(stamp.date))

            case .enumeration(let values):
                guard case .string(let text) = json else { throw typeError("string", json, path()) }
                if values.contains(text) { return json }
                if lenient, let match = values.first(where: { $0.equalsIgnoringCase(text) }) {
                    tolerate(.enumLetterCase, path(), "\"\(text)\" read as \"\(match)\"")
                    return .string(match)
                }
                throw fail(.propertyConstraintViolation, path(), "\"\(text)\" is not one of \(values.joined(separator: ", "))")

            case .integer(let minimum, let maximum):
                let value: Int64
                switch json {
                case .integer(let i): value = i
                case .number(let d) where lenient && d.isFinite && abs(d) < 9e18:
                    value = Int64(d.rounded())
                    tolerate(.fractionalInteger, path(), "integer sent as \(d), read as \(value)")
                case .string(let s) where lenient:
                    if let i = Int64(s.trimmingSpaces) {
                        value = i
                    } else if let d = Double(s.trimmingSpaces), d.isFinite, abs(d) < 9e18 {
                        value = Int64(d.rounded())
                    } else {
                        throw typeError("integer", json, path())
                    }
                    tolerate(.numberAsString, path(), "integer sent as the string \"\(s)\"")
                default: throw typeError("integer", json, path())
                }
                if let minimum, value < minimum {
                    throw fail(.propertyConstraintViolation, path(), "\(value) is below the minimum \(minimum)")
                }
                if let maximum, value > maximum {
                    throw fail(.propertyConstraintViolation, path(), "\(value) is above the maximum \(maximum)")
                }
                return .integer(value)

            case .number(let minimum):
                let value: Double
                switch json {
                case .integer(let i): value = Double(i)
                case .number(let d): value = d
                case .string(let s) where lenient:
                    guard let d = Double(s.trimmingSpaces), d.isFinite else { throw typeError("number", json, path()) }
                    value = d
                    tolerate(.numberAsString, path(), "number sent as the string \"\(s)\"")
                default: throw typeError("number", json, path())
                }
                if let minimum, value < minimum {
                    throw fail(.propertyConstraintViolation, path(), "\(value) is below the minimum \(minimum)")
                }
                if case .integer = json { return json }
                return .number(value)

            case .boolean:
                switch json {
                case .bool: return json
                case .string(let s) where lenient && (s == "true" || s == "false"):
                    tolerate(.numberAsString, path(), "boolean sent as the string \"\(s)\"")
                    return .bool(s == "true")
                default: throw typeError("boolean", json, path())
                }

            case .array(let element, let minItems, let maxItems):
                guard case .array(let items) = json else { throw typeError("array", json, path()) }
                if items.count < minItems {
                    throw fail(.occurrenceConstraintViolation, path(), "array needs at least \(minItems) item(s), got \(items.count)")
                }
                if let maxItems, items.count > maxItems {
                    throw fail(.occurrenceConstraintViolation, path(), "array allows at most \(maxItems) item(s), got \(items.count)")
                }
                // The input is returned as is unless something in it was repaired.
                var out: [JSON]?
                for (index, item) in items.enumerated() {
                    let before = deviations.count
                    let checked = try check(item, element, path: { "\(path())[\(index)]" })
                    if deviations.count != before && out == nil { out = Array(items[..<index]) }
                    out?.append(checked)
                }
                return out.map { .array($0) } ?? json

            case .object(let properties, let additionalProperties):
                guard case .object(let object) = json else {
                    throw fail(.formatViolation, path(), "expected object, got \(json.typeName)")
                }
                var out: [(key: String, value: JSON)]?
                for (index, member) in object.members.enumerated() {
                    let before = deviations.count
                    func childPath() -> String { path().isEmpty ? member.key : "\(path()).\(member.key)" }
                    var checked: JSON? = member.value
                    if let property = properties.first(where: { $0.name == member.key }) {
                        if member.value == .null && !property.required && lenient {
                            tolerate(.nullOptional, childPath(), "optional property sent as null, ignored")
                            checked = nil
                        } else {
                            checked = try check(member.value, property.schema, path: childPath)
                        }
                    } else if !additionalProperties {
                        guard lenient else { throw fail(.formatViolation, childPath(), "property not allowed by the schema") }
                        tolerate(.unknownProperty, childPath(), "property not in the schema, ignored")
                        checked = nil
                    }
                    if deviations.count != before && out == nil { out = Array(object.members[..<index]) }
                    if let checked { out?.append((member.key, checked)) }
                }
                for property in properties where property.required && object[property.name] == nil {
                    let childPath = path().isEmpty ? property.name : "\(path()).\(property.name)"
                    throw fail(.occurrenceConstraintViolation, childPath, "required property missing")
                }
                return out.map { .object(JSONObject($0)) } ?? json
            }
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        var slice = self[...]
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return slice
    }

    fileprivate func equalsIgnoringCase(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }
}
