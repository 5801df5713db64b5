import OCPP

/// Passwords the gateway sends piles (1.6 `AuthorizationKey`, 2.0.1
/// `SecurityCtrlr.BasicAuthPassword`) never reach the frame log or the command history:
/// what is recorded holds a placeholder where the value was.
enum Redaction {
    static let placeholder = "(redacted)"
    private static let secretKeys: Set<String> = ["authorizationkey", "basicauthpassword"]

    /// The payload as it may be recorded.
    static func payload(action: String, _ payload: JSON) -> JSON {
        switch action {
        case "ChangeConfiguration":
            guard case .object(var o) = payload, let key = o["key"]?.stringValue, secretKeys.contains(key.lowercased()) else { return payload }
            o["value"] = .string(placeholder)
            return .object(o)
        case "SetVariables":
            guard case .object(var o) = payload, let data = o["setVariableData"]?.arrayValue else { return payload }
            o["setVariableData"] = .array(
                data.map { item in
                    guard case .object(var entry) = item, let name = item["variable"]?["name"]?.stringValue, secretKeys.contains(name.lowercased())
                    else { return item }
                    entry["attributeValue"] = .string(placeholder)
                    return .object(entry)
                })
            return .object(o)
        default:
            return payload
        }
    }

    /// A CALL frame's text as it may be recorded; others pass unchanged.
    static func frame(action: String?, messageType: Int, text: String) -> String {
        guard messageType == 2, let action, action == "ChangeConfiguration" || action == "SetVariables",
            text.contains("AuthorizationKey") || text.contains("BasicAuthPassword"),
            case .array(var parts)? = try? JSONParser.parse(text), parts.count == 4
        else { return text }
        parts[3] = payload(action: action, parts[3])
        return JSON.array(parts).text
    }
}
