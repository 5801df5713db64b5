import Foundation
import Gateway
import OCPP
import SessionStore

/// GET /api/compatibility: the findings of every network × model × firmware by rule, next
/// to how many piles and sessions the group has, and the rule catalogue to read them by.
enum CompatibilityRoute {
    static func body(_ report: CompatibilityReport) -> JSON {
        var root = JSONObject()
        root["networks"] = .array(report.groups.map(group))
        root["rules"] = .array(FindingRule.catalog.map(rule))
        return .object(root)
    }

    static func group(_ g: CompatibilityReport.Group) -> JSON {
        var o = JSONObject()
        o["network"] = g.network.map(JSON.string) ?? .null
        o["model"] = g.model.map(JSON.string) ?? .null
        o["firmware"] = g.firmware.map(JSON.string) ?? .null
        o["ocppVersion"] = g.ocppVersion.map(JSON.string) ?? .null
        o["piles"] = .integer(Int64(g.piles))
        o["sessions"] = .integer(Int64(g.sessions))
        o["findings"] = .array(
            g.findings.map { f in
                var r = JSONObject()
                r["rule"] = .string(f.rule)
                r["severity"] = .string(f.severity)
                r["count"] = .integer(Int64(f.count))
                r["piles"] = .integer(Int64(f.piles))
                r["sessions"] = .integer(Int64(f.sessions))
                r["firstSeen"] = .string(OCPPTimestamp.format(f.firstSeen))
                r["lastSeen"] = .string(OCPPTimestamp.format(f.lastSeen))
                if let latest = f.latest { r["latest"] = FindingViews.view(latest) }
                return .object(r)
            })
        return .object(o)
    }

    static func rule(_ rule: FindingRule) -> JSON {
        var o = JSONObject()
        o["id"] = .string(rule.id)
        o["severity"] = .string(rule.severity.rawValue)
        o["summary"] = .string(rule.summary)
        o["reference"] = .string(rule.reference)
        // The CALLERROR code a strict policy answers with (1.6 spelling); null: recorded only.
        o["strictReply"] = rule.strictReply.map { .string($0.wireName(for: .v16)) } ?? .null
        return .object(o)
    }
}
