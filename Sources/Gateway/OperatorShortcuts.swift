import OCPP

/// The operations people expect by name, in either version's words: each builds the
/// command of the version the pile speaks and goes through `command` (checked against the
/// schema, sent, recorded in the history).
extension Gateway {
    /// RemoteStartTransaction (1.6) or RequestStartTransaction (2.0.1, with a fresh
    /// `remoteStartId`), optionally with a charging profile in that version's shape.
    public func remoteStart(
        _ chargePointId: String, idTag: String, connectorId: Int?, chargingProfile: JSON?, issuedBy: String
    ) async throws(CommandFailure) -> (version: OCPPVersion, answer: JSON) {
        let version = await commandVersion(chargePointId)
        var payload = JSONObject()
        switch version {
        case .v16:
            payload["idTag"] = .string(idTag)
            if let connectorId { payload["connectorId"] = .integer(Int64(connectorId)) }
            if let chargingProfile { payload["chargingProfile"] = chargingProfile }
            return (version, try await command(chargePointId, action: V16.RemoteStartTransaction.name, payload: .object(payload), issuedBy: issuedBy))
        case .v201:
            payload["idToken"] = ["idToken": .string(idTag), "type": "Central"]
            payload["remoteStartId"] = .integer(Int64.random(in: 1...Int64(Int32.max)))
            if let connectorId { payload["evseId"] = .integer(Int64(connectorId)) }
            if let chargingProfile { payload["chargingProfile"] = chargingProfile }
            return (version, try await command(chargePointId, action: V201.RequestStartTransaction.name, payload: .object(payload), issuedBy: issuedBy))
        }
    }

    /// Configuration keys as the pile reports them: 1.6 GetConfiguration (all keys, or
    /// `keys`); 2.0.1 GetVariables of `keys` written `Component.Variable` (Actual values).
    public func readConfiguration(_ chargePointId: String, keys: [String], issuedBy: String) async throws(CommandFailure) -> [ConfigurationEntry] {
        let version = await commandVersion(chargePointId)
        switch version {
        case .v16:
            let payload: JSON = keys.isEmpty ? [:] : ["key": .array(keys.map(JSON.string))]
            let answer = try await command(chargePointId, action: V16.GetConfiguration.name, payload: payload, issuedBy: issuedBy)
            var entries = (answer["configurationKey"]?.arrayValue ?? []).compactMap { item -> ConfigurationEntry? in
                guard let key = item["key"]?.stringValue else { return nil }
                return ConfigurationEntry(key: key, value: item["value"]?.stringValue, readonly: { if case .bool(let b)? = item["readonly"] { b } else { nil } }(), status: "Accepted")
            }
            entries += (answer["unknownKey"]?.arrayValue ?? []).compactMap { $0.stringValue }.map {
                ConfigurationEntry(key: $0, value: nil, readonly: nil, status: "UnknownKey")
            }
            return entries
        case .v201:
            guard !keys.isEmpty else {
                throw .invalidPayload(ValidationError(code: .occurrenceConstraintViolation, path: "key", rule: "a 2.0.1 station is read by variable: key=Component.Variable (its whole model: GET …/device-model)"))
            }
            let data = try keys.map { key throws(CommandFailure) in try Self.componentVariable(key) }
            let answer = try await command(
                chargePointId, action: V201.GetVariables.name, payload: ["getVariableData": .array(data)], issuedBy: issuedBy)
            return (answer["getVariableResult"]?.arrayValue ?? []).map { item in
                let name = [item["component"]?["name"]?.stringValue, item["variable"]?["name"]?.stringValue].compactMap { $0 }.joined(separator: ".")
                return ConfigurationEntry(
                    key: name, value: item["attributeValue"]?.stringValue, readonly: nil, status: item["attributeStatus"]?.stringValue ?? "Rejected")
            }
        }
    }

    /// ChangeConfiguration (1.6) or SetVariables of `Component.Variable` (2.0.1); the pile's status word.
    public func changeConfiguration(_ chargePointId: String, key: String, value: String, issuedBy: String) async throws(CommandFailure) -> String {
        switch await commandVersion(chargePointId) {
        case .v16:
            let answer = try await command(
                chargePointId, action: V16.ChangeConfiguration.name, payload: ["key": .string(key), "value": .string(value)], issuedBy: issuedBy)
            return answer["status"]?.stringValue ?? "Rejected"
        case .v201:
            var data = try Self.componentVariable(key)
            if case .object(var object) = data {
                object["attributeValue"] = .string(value)
                data = .object(object)
            }
            let answer = try await command(chargePointId, action: V201.SetVariables.name, payload: ["setVariableData": [data]], issuedBy: issuedBy)
            return answer["setVariableResult"]?.arrayValue?.first?["attributeStatus"]?.stringValue ?? "Rejected"
        }
    }

    /// `OCPPCommCtrlr.HeartbeatInterval` as the component and variable of a 2.0.1 request.
    static func componentVariable(_ key: String) throws(CommandFailure) -> JSON {
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .invalidPayload(ValidationError(code: .propertyConstraintViolation, path: "key", rule: "\"\(key)\" is not Component.Variable"))
        }
        return ["component": ["name": .string(parts[0])], "variable": ["name": .string(parts[1])]]
    }
}

/// One configuration key (1.6) or variable (2.0.1) as the pile answered for it.
public struct ConfigurationEntry: Sendable, Codable, Equatable {
    public var key: String
    public var value: String?
    public var readonly: Bool?
    /// Accepted, UnknownKey (1.6), or 2.0.1's attributeStatus (UnknownComponent, UnknownVariable, Rejected …).
    public var status: String
}
