import Foundation

extension SQLiteSessionStore {
    /// Two grouped scans: piles with their sessions, findings with their piles. Groups are
    /// keyed by the pile's current network, model and firmware.
    public func compatibility() async throws -> CompatibilityReport {
        try await read { db in
            struct Key: Hashable {
                let network: String?
                let model: String?
                let firmware: String?
                let version: String?
            }
            var groups: [Key: CompatibilityReport.Group] = [:]
            var order: [Key] = []
            func group(_ key: Key) -> CompatibilityReport.Group {
                groups[key] ?? .init(network: key.network, model: key.model, firmware: key.firmware, ocppVersion: key.version, piles: 0, sessions: 0, findings: [])
            }
            let totals = try db.query(
                """
                SELECT cp.network, cp.model, cp.firmware_version, count(*), coalesce(sum(s.n), 0), cp.ocpp_version
                FROM charge_points cp
                LEFT JOIN (SELECT charge_point_id, count(*) AS n FROM sessions GROUP BY charge_point_id) s
                    ON s.charge_point_id = cp.id
                GROUP BY 1, 2, 3, 6 ORDER BY 1, 2, 3, 6
                """)
            for row in totals {
                let key = Key(network: row.string(0), model: row.string(1), firmware: row.string(2), version: row.string(5))
                var g = group(key)
                g.piles = Int(row.int(3) ?? 0)
                g.sessions = Int(row.int(4) ?? 0)
                if groups[key] == nil { order.append(key) }
                groups[key] = g
            }
            let findings = try db.query(
                """
                SELECT cp.network, cp.model, cp.firmware_version, f.rule, max(f.severity), count(*),
                    count(DISTINCT f.charge_point_id), count(DISTINCT f.session_id), min(f.time), max(f.time), cp.ocpp_version, max(f.id)
                FROM findings f LEFT JOIN charge_points cp ON cp.id = f.charge_point_id
                GROUP BY 1, 2, 3, 11, 4 ORDER BY 1, 2, 3, 11, 6 DESC, 4
                """)
            let latestIds = findings.compactMap { $0.int(11) }
            var latest: [Int64: FindingRecord] = [:]
            // Bound the IN list: SQLite takes up to 32,766 variables; groups × rules stay far below.
            for chunk in stride(from: 0, to: latestIds.count, by: 500) {
                let ids = latestIds[chunk..<min(chunk + 500, latestIds.count)]
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
                for row in try db.query("SELECT id, \(Self.findingFields) FROM findings WHERE id IN (\(marks))", ids.map { .init($0) }) {
                    if let id = row.int(0) { latest[id] = Self.finding(row, from: 1) }
                }
            }
            for row in findings {
                let key = Key(network: row.string(0), model: row.string(1), firmware: row.string(2), version: row.string(10))
                var g = group(key)
                g.findings.append(
                    .init(
                        rule: row.string(3) ?? "", severity: row.string(4) ?? "", count: Int(row.int(5) ?? 0),
                        piles: Int(row.int(6) ?? 0), sessions: Int(row.int(7) ?? 0), firstSeen: row.date(8) ?? .distantPast,
                        lastSeen: row.date(9) ?? .distantPast, latest: row.int(11).flatMap { latest[$0] }))
                if groups[key] == nil { order.append(key) }
                groups[key] = g
            }
            return CompatibilityReport(groups: order.compactMap { groups[$0] })
        }
    }
}
