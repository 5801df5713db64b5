import OCPP

/// The OpenAPI schemas of `/api/sites` (SiteRoutes.swift), merged into the document's
/// components beside `OpenAPISchemas`.
enum SiteSchemas {
    private static let number: JSON = ["type": "number"]
    private static let nullableNumber: JSON = ["type": "number", "nullable": true]
    private static let time: JSON = ["type": "string", "format": "date-time"]
    private static let nullableTime: JSON = ["type": "string", "format": "date-time", "nullable": true]
    private static func ref(_ name: String) -> JSON { ["$ref": .string("#/components/schemas/" + name)] }

    private static func object(_ properties: [(String, JSON)], required: [String]) -> JSON {
        ["type": "object", "required": .array(required.map(JSON.string)), "properties": .object(JSONObject(properties.map { (key: $0.0, value: $0.1) }))]
    }

    private static let siteProperties: [(String, JSON)] = [
        ("id", ["type": "string"]), ("name", ["type": "string", "nullable": true]),
        ("limitKW", ["type": "number", "description": "In force now (the limitSchedule applied), before the margin"]),
        ("gridLimitKW", number), ("marginPercent", number),
        ("allocatableKW", ["type": "number", "description": "What is shared: the limit less the margin"]),
        ("measuredKW", ["type": "number", "description": "The piles' own latest Power.Active.Import, summed"]),
        ("allocatedKW", number), ("thresholdKW", number), ("activePiles", ["type": "integer"]), ("profilesPushed", ["type": "integer"]),
        ("lastRebalance", nullableTime),
    ]
    private static let siteRequired = ["id", "limitKW", "gridLimitKW", "marginPercent", "allocatableKW", "measuredKW", "allocatedKW", "activePiles"]

    static let schemas: [(String, JSON)] = [
        ("Site", object(siteProperties, required: siteRequired)),
        ("SiteDetail", object(siteProperties + [("piles", ["type": "array", "items": ref("SitePile")])], required: siteRequired + ["piles"])),
        (
            "SitePile",
            object(
                [
                    ("chargePointId", ["type": "string"]), ("connectorId", ["type": "integer"]), ("sessionId", ["type": "integer"]),
                    ("maxKW", number), ("floorKW", number), ("allocatedKW", nullableNumber),
                    ("limitKW", ["type": "number", "nullable": true, "description": "The last limit the pile accepted"]),
                    ("limitSince", nullableTime), ("measuredKW", nullableNumber), ("measuredAt", nullableTime),
                    ("wantsKW", ["type": "number", "nullable": true, "description": "A tapering car: what it takes, with headroom"]),
                    ("state", ["type": "string", "enum": ["following", "over-limit", "ignoring", "rejected"]]),
                    ("overLimitSince", nullableTime),
                ], required: ["chargePointId", "connectorId", "sessionId", "maxKW", "floorKW", "state"])
        ),
        (
            "SiteProfilePush",
            object(
                [
                    ("time", time), ("sentAt", time), ("chargePointId", ["type": "string"]), ("connectorId", ["type": "integer"]),
                    ("sessionId", ["type": "integer"]), ("limitKW", number), ("previousKW", nullableNumber),
                    ("answer", ["type": "string", "description": "Accepted, the pile's other status, CALLERROR code, or failed: reason"]),
                ], required: ["time", "sentAt", "chargePointId", "connectorId", "sessionId", "limitKW", "answer"])
        ),
        (
            "SitePowerPoint",
            object(
                [("time", time), ("limitKW", number), ("allocatableKW", number), ("measuredKW", number), ("allocatedKW", number)],
                required: ["time", "limitKW", "allocatableKW", "measuredKW", "allocatedKW"])
        ),
        (
            "SiteHistory",
            object(
                [("pushes", ["type": "array", "items": ref("SiteProfilePush")]), ("series", ["type": "array", "items": ref("SitePowerPoint")])],
                required: ["pushes", "series"])
        ),
    ]

    /// `components` with these schemas added to its `schemas`.
    static func merged(into components: JSON) -> JSON {
        guard case .object(var all) = components, case .object(var schemas)? = all["schemas"] else { return components }
        for (name, schema) in Self.schemas { schemas[name] = schema }
        all["schemas"] = .object(schemas)
        return .object(all)
    }
}
