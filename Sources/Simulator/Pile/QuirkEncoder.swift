import Foundation
import OCPP

/// Rewrites an outgoing payload the way a pile with these quirks would put it on the
/// wire. Behavioural quirks (timing, message order, handshake) live in `SimulatedPile`.
public struct QuirkEncoder: Sendable {
    public let quirks: Set<Quirk>
    /// The pile's local time offset for the timestamp quirks (China: +8 h).
    public let utcOffsetSeconds: Int

    /// The tag a `stop-with-other-tag` pile stops with.
    public static let otherTag = "ANOTHER-CARD"

    public init(_ quirks: [Quirk], utcOffsetSeconds: Int = 8 * 3600) {
        self.quirks = Set(quirks)
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    public func encode(action: String, _ payload: JSON) -> JSON {
        guard !quirks.isEmpty else { return payload }
        return rewrite(payload, key: nil, action: action)
    }

    /// Rewrites the pile's answer to a CALL of the central system.
    public func encodeReply(action: String, _ payload: JSON) -> JSON {
        guard quirks.contains(.configKeyWithoutReadonly), action == "GetConfiguration", var object = payload.objectValue,
            let keys = object["configurationKey"]?.arrayValue
        else { return payload }
        object["configurationKey"] = .array(
            keys.map { key in
                guard var entry = key.objectValue else { return key }
                entry["readonly"] = nil
                return .object(entry)
            })
        return .object(object)
    }

    private func rewrite(_ json: JSON, key: String?, action: String) -> JSON {
        switch json {
        case .object(let object):
            var out = JSONObject()
            for (k, v) in object { out[k] = rewrite(v, key: k, action: action) }
            if quirks.contains(.energyInKWhWithoutUnit), out["measurand"] == nil || out["measurand"] == "Energy.Active.Import.Register",
                case .string(let text)? = out["value"], let wh = Double(text), out["unit"] == nil || out["unit"] == "Wh"
            {
                out["value"] = .string(String(format: "%.3f", wh / 1000))
                out["unit"] = nil
            }
            if quirks.contains(.negativeImportPower), out["measurand"] == "Power.Active.Import", case .string(let text)? = out["value"],
                let watts = Double(text), watts > 0
            {
                out["value"] = .string("-" + text)
            }
            if quirks.contains(.sampledValueAsNumber), case .string(let text)? = out["value"], let number = Double(text) {
                out["value"] = number.rounded() == number ? .integer(Int64(number)) : .number(number)
            }
            if quirks.contains(.faultedWithoutErrorCode), action == "StatusNotification", out["status"] == "Faulted", out["errorCode"] != nil {
                out["errorCode"] = "NoError"
            }
            if quirks.contains(.nullOptionalFields) {
                if action == "StatusNotification" && out["info"] == nil && out["connectorId"] != nil { out["info"] = .null }
                if action == "StartTransaction" && out["reservationId"] == nil { out["reservationId"] = .null }
            }
            return .object(out)
        case .array(let items):
            return .array(items.map { rewrite($0, key: key, action: action) })
        case .string(let text):
            guard let key else { return json }
            if ["timestamp", "currentTime"].contains(key), let stamp = OCPPTimestamp.parse(text) { return .string(timestamp(stamp.date)) }
            if quirks.contains(.lowercaseEnums), ["status", "errorCode", "reason"].contains(key) { return .string(text.lowercased()) }
            if quirks.contains(.stopWithOtherTag), key == "idTag", action == "StopTransaction" { return .string(Self.otherTag) }
            if quirks.contains(.overlongIdTag), key == "idTag", text.count <= 20 {
                return .string(text + String(repeating: "0", count: 25 - text.count))
            }
            return json
        case .integer(let value):
            if quirks.contains(.fractionalMeterValues), key == "meterStart" || key == "meterStop" { return .number(Double(value) + 0.5) }
            return json
        default:
            return json
        }
    }

    private func timestamp(_ date: Date) -> String {
        let strict = OCPPTimestamp.format(date)
        if quirks.contains(.timestampWithoutZone) || quirks.contains(.timestampLocalOffset) {
            let local = OCPPTimestamp.format(date.addingTimeInterval(Double(utcOffsetSeconds))).dropLast()  // drop "Z"
            let hours = utcOffsetSeconds / 3600
            let offset = String(format: "%@%02d:%02d", utcOffsetSeconds >= 0 ? "+" : "-", abs(hours), abs(utcOffsetSeconds / 60 % 60))
            return quirks.contains(.timestampLocalOffset) ? local + offset : String(local)
        }
        if quirks.contains(.timestampMicroseconds) { return strict.dropLast() + "000Z" }
        return strict
    }
}
