import Yams

/// The keys a scenario may use, where: checked on the YAML node before decoding so a
/// typo is reported with its line and the keys allowed at that place.
indirect enum ScenarioShape: Sendable {
    case map([String: ScenarioShape])
    case list(ScenarioShape)
    case scalar
    case any

    static let connector: ScenarioShape = .map(["connector": .scalar])
    static let duration: ScenarioShape = .map(["minutes": .scalar, "seconds": .scalar])

    static let step: ScenarioShape = .map([
        "boot": .map(["expect": .scalar]),
        "plugIn": .map(["connector": .scalar, "vehicle": .scalar, "soc": .scalar, "target": .scalar, "idTag": .scalar]),
        "authorize": .map(["connector": .scalar, "idTag": .scalar]),
        "scan": .map(["connector": .scalar, "account": .scalar, "qr": .scalar, "expectStatus": .scalar, "expectError": .scalar]),
        "waitStatus": .map(["connector": .scalar, "status": .scalar, "timeoutMinutes": .scalar]),
        "chargeTo": .map(["connector": .scalar, "soc": .scalar, "timeoutMinutes": .scalar]),
        "chargeFor": duration,
        "wait": duration,
        "remoteStop": .map(["connector": .scalar, "expect": .scalar]),
        "unplug": connector,
        "dropConnection": .map(["offlineMinutes": .scalar]),
        "reboot": .map([:]),
        "injectQuirk": .map(["quirks": .list(.scalar)]),
        "fault": .map(["connector": .scalar, "errorCode": .scalar]),
        "recover": connector,
        "raw": .map(["frame": .scalar, "expectCallError": .scalar, "expectResult": .scalar]),
        "command": .map(["action": .scalar, "payload": .any, "expect": .any, "expectError": .scalar]),
        "api": .map([
            "method": .scalar, "path": .scalar, "body": .any, "expect": .any, "expectError": .scalar, "expectCount": .scalar, "withinSeconds": .scalar,
        ]),
        "job": .map([
            "kind": .scalar, "file": .scalar, "outcome": .scalar, "body": .any, "expectStatus": .scalar, "expectPileStatuses": .list(.scalar),
            "expectUploads": .scalar, "expectFirmware": .scalar,
        ]),
    ])

    static let range: ScenarioShape = .map(["min": .scalar, "max": .scalar])

    static let site: ScenarioShape = .map([
        "piles": .scalar, "gridLimitKW": .scalar, "marginPercent": .scalar,
        "limitSchedule": .list(.map(["from": .scalar, "to": .scalar, "limitKW": .scalar])), "utcOffset": .scalar,
        "thresholdKW": .scalar, "rebalanceSeconds": .scalar, "toleranceSeconds": .scalar, "minimumKW": .scalar,
        "floors": .list(.map(["account": .scalar, "accountGroup": .scalar, "network": .scalar, "pile": .scalar, "floorKW": .scalar])),
        "quirkyPiles": .scalar, "staggerSeconds": .scalar,
    ])

    static let session: ScenarioShape = .map([
        "index": .scalar, "status": .scalar, "stopReason": .scalar, "idTag": .scalar, "connector": .scalar,
        "energy": .map(["kWh": .scalar, "delivered": .scalar, "toleranceKWh": .scalar, "tolerancePercent": .scalar]),
        "costFen": .map(["min": .scalar, "max": .scalar]), "maxPowerKW": .map(["min": .scalar, "max": .scalar]), "reservationId": .scalar,
    ])

    static let scenario: ScenarioShape = .map([
        "name": .scalar, "description": .scalar, "tags": .list(.scalar), "gateway": .scalar,
        "simulation": .map(["slowReplySeconds": .scalar, "callTimeoutSeconds": .scalar, "maxSpeed": .scalar]),
        "site": site,
        "matrix": .map(["piles": .list(.scalar), "vehicles": .list(.scalar), "soc": .list(.scalar), "versions": .list(.scalar)]),
        "pile": .map([
            "quirks": .list(.scalar), "v201Quirks": .list(.scalar), "meterValueSampleInterval": .scalar, "heartbeatInterval": .scalar,
            "replyDelay": .scalar, "minVoltageV": .scalar,
        ]),
        "steps": .list(step),
        "expect": .map([
            "statuses": .list(.map(["connector": .scalar, "sequence": .list(.scalar), "match": .scalar])),
            "sessions": .scalar,
            "session": session,
            "eachSession": session,
            "findings": .map(["present": .list(.scalar), "absent": .list(.scalar)]),
            "pilePowerKW": range,
            "site": .map([
                "maxOverLimitSeconds": .scalar, "toleranceKW": .scalar, "settlingSeconds": .scalar, "floorsMet": .scalar,
                "energyWithinPercentOfIdeal": .scalar,
                "pileOverLimit": .map(["kW": range, "seconds": range, "graceSeconds": .scalar]),
            ]),
        ]),
        "replay": .map(["chargePoint": .scalar, "session": .scalar, "ocppVersion": .scalar, "frames": .list(.map(["send": .scalar, "receive": .scalar]))]),
    ])

    /// The first key or value out of place, as (line, message).
    func check(_ node: Node, path: String) -> (line: Int?, message: String)? {
        switch (self, node) {
        case (.any, _), (.scalar, .scalar):
            return nil
        case (.map(let keys), .mapping(let mapping)):
            for (keyNode, value) in mapping {
                let key = keyNode.string ?? "?"
                guard let shape = keys[key] else {
                    let allowed = keys.keys.sorted().joined(separator: ", ")
                    let place = path.isEmpty ? "" : " in \(path)"
                    return (keyNode.mark?.line, "unknown key \"\(key)\"\(place) (allowed here: \(allowed.isEmpty ? "none" : allowed))")
                }
                if value.null != nil { continue }
                if let problem = shape.check(value, path: path.isEmpty ? key : "\(path).\(key)") { return problem }
            }
            return nil
        case (.map, .scalar(let scalar)) where scalar.string.isEmpty:
            return nil  // `reboot:` with nothing after it
        case (.list(let element), .sequence(let sequence)):
            for (index, item) in sequence.enumerated() {
                if let problem = element.check(item, path: "\(path)[\(index)]") { return problem }
            }
            return nil
        case (.map, _):
            return (node.mark?.line, "\(path) must be a mapping (key: value)")
        case (.list, _):
            return (node.mark?.line, "\(path) must be a list")
        case (.scalar, _):
            return (node.mark?.line, "\(path) must be a single value")
        }
    }
}
