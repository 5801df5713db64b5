import Foundation

@testable import OCPP

/// Valid payloads built from a `Schema`, and every place in one where a rule can be
/// broken: what the tests over a whole catalog start from, so no action needs a
/// hand-written payload to be checked.
enum SchemaSamples {
    /// Only the required properties, arrays at their minimum size.
    static func minimal(_ schema: Schema) -> JSON { sample(schema, full: false) }

    /// Every property, arrays of `max(1, minItems)`; open objects (2.0.1 `customData`) get
    /// an extra member, as vendors send them.
    static func full(_ schema: Schema) -> JSON { sample(schema, full: true) }

    private static func sample(_ schema: Schema, full: Bool) -> JSON {
        switch schema {
        case .string(let maxLength, let minLength):
            let length = max(minLength ?? 1, min(maxLength ?? 8, 8))
            return .string(String(repeating: "s", count: length))
        case .dateTime:
            return "2024-06-15T10:20:30Z"
        case .enumeration(let values):
            return .string(values.last ?? "")
        case .integer(let minimum, let maximum):
            return .integer(min(max(minimum ?? 7, 7), maximum ?? .max))
        case .number(let minimum):
            return .number(max(minimum ?? 2.5, 2.5))
        case .boolean:
            return true
        case .array(let element, let minItems, let maxItems):
            let count = min(max(minItems, full ? 1 : minItems), maxItems ?? .max)
            return .array((0..<count).map { _ in sample(element, full: full) })
        case .object(let properties, let additionalProperties):
            var object = JSONObject()
            for property in properties where full || property.required {
                object[property.name] = sample(property.schema, full: full)
            }
            if full && additionalProperties { object["vendorNote"] = ["any": [1, "member"]] }
            return .object(object)
        case .any:
            return ["vendor": ["payload", 42, 2.5, true]]
        }
    }

    /// One step into a JSON value.
    enum Step: Equatable, CustomStringConvertible {
        case key(String)
        case index(Int)

        var description: String {
            switch self {
            case .key(let key): key
            case .index(let index): "[\(index)]"
            }
        }
    }

    /// A value inside a sample: where it is, its schema, and whether its object requires it
    /// (array elements are not required: a count, not a property, governs them).
    struct Site {
        let steps: [Step]
        let schema: Schema
        let required: Bool

        /// The path as `SchemaValidator` writes it: `meterValue[0].sampledValue[0].value`.
        var path: String {
            steps.reduce(into: "") { text, step in
                switch step {
                case .key(let key): text += text.isEmpty ? key : ".\(key)"
                case .index(let index): text += "[\(index)]"
                }
            }
        }
    }

    /// Every value in `full(schema)` (the root excluded): properties and array elements, depth first.
    static func sites(_ schema: Schema) -> [Site] {
        var out: [Site] = []
        collect(schema, full(schema), [], &out)
        return out
    }

    private static func collect(_ schema: Schema, _ json: JSON, _ steps: [Step], _ out: inout [Site]) {
        switch (schema, json) {
        case (.object(let properties, _), .object(let object)):
            for property in properties {
                guard let value = object[property.name] else { continue }
                let here = steps + [.key(property.name)]
                out.append(Site(steps: here, schema: property.schema, required: property.required))
                collect(property.schema, value, here, &out)
            }
        case (.array(let element, _, _), .array(let items)):
            for (index, item) in items.enumerated() {
                out.append(Site(steps: steps + [.index(index)], schema: element, required: false))
                collect(element, item, steps + [.index(index)], &out)
            }
        default:
            break
        }
    }

    /// `json` with the value at `steps` set to `value` (added if its object lacks it), or
    /// removed when `value` is nil.
    static func replacing(_ steps: [Step], in json: JSON, with value: JSON?) -> JSON {
        replaced(steps[...], in: json, with: value) ?? .null
    }

    static func replacing(_ site: Site, in json: JSON, with value: JSON?) -> JSON {
        replacing(site.steps, in: json, with: value)
    }

    private static func replaced(_ steps: ArraySlice<Step>, in json: JSON, with value: JSON?) -> JSON? {
        guard let step = steps.first else { return value }
        let rest = steps.dropFirst()
        switch (step, json) {
        case (.key(let key), .object(var object)):
            if rest.isEmpty {
                object[key] = value
            } else if let child = object[key] {
                object[key] = replaced(rest, in: child, with: value)
            }
            return .object(object)
        case (.index(let index), .array(var items)) where items.indices.contains(index):
            if let child = replaced(rest, in: items[index], with: value) {
                items[index] = child
            } else {
                items.remove(at: index)
            }
            return .array(items)
        default:
            return json
        }
    }

    /// Object keys sorted and date-times written the one way we write them, so a payload
    /// and its decode-encode round trip compare equal when no field was lost or altered.
    static func canonical(_ json: JSON, _ schema: Schema) -> JSON {
        switch (schema, json) {
        case (.dateTime, .string(let text)):
            return OCPPTimestamp.parse(text).map { .string(OCPPTimestamp.format($0.date)) } ?? json
        case (.array(let element, _, _), .array(let items)):
            return .array(items.map { canonical($0, element) })
        case (.object(let properties, _), .object(let object)):
            let members = object.members.map { member in
                (key: member.key, value: properties.first { $0.name == member.key }.map { canonical(member.value, $0.schema) } ?? member.value)
            }
            return .object(JSONObject(members.sorted { $0.key < $1.key }))
        default:
            return json
        }
    }
}

/// The request and response schemas of an action, named for messages.
func payloadSchemas<A: OCPPAction>(_: A.Type) -> [(label: String, schema: Schema)] {
    [("\(A.name) request", A.Request.schema), ("\(A.name) response", A.Response.schema)]
}
