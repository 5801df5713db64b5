/// The compatibility matrix: network × pile model (× firmware) × scenario, each cell
/// the cases run there, with pass rates overall and per network.
public struct CompatibilityMatrix: Sendable, Codable {
    public struct Cell: Sendable, Codable {
        public var network: String
        public var model: String
        public var firmware: String
        public var scenario: String
        public var passed: Int
        public var failed: Int
        public var skipped: Int
        /// Rule ids recorded in the cell's cases.
        public var findings: [String]
        /// Indexes into the report's results.
        public var cases: [Int]
        public var outcome: String { failed > 0 ? "fail" : (passed > 0 ? "pass" : "skip") }
    }

    public struct Rate: Sendable, Codable {
        public var name: String
        public var passed: Int
        /// Cases that ran (skipped ones do not count).
        public var total: Int
        public var rate: Double { total == 0 ? 0 : Double(passed) / Double(total) }
    }

    public var cells: [Cell]
    public var networks: [Rate]
    public var overall: Rate
    public var overallRate: Double { overall.rate }
    /// Row keys (network, model, firmware) and column keys (scenarios), sorted.
    public var rows: [[String]]
    public var scenarios: [String]

    public init(_ report: RunReport) {
        var cells: [String: Cell] = [:]
        for (index, result) in report.results.enumerated() {
            let key = [result.network, result.model, result.firmware, result.scenario].joined(separator: "\u{1}")
            var cell = cells[key] ?? Cell(
                network: result.network, model: result.model, firmware: result.firmware, scenario: result.scenario, passed: 0, failed: 0,
                skipped: 0, findings: [], cases: [])
            switch result.outcome {
            case .passed: cell.passed += 1
            case .failed: cell.failed += 1
            case .skipped: cell.skipped += 1
            }
            cell.findings = Array(Set(cell.findings + result.findings)).sorted()
            cell.cases.append(index)
            cells[key] = cell
        }
        self.cells = cells.values.sorted { ($0.network, $0.model, $0.firmware, $0.scenario) < ($1.network, $1.model, $1.firmware, $1.scenario) }
        var byNetwork: [String: Rate] = [:]
        for result in report.results where result.outcome != .skipped {
            var rate = byNetwork[result.network] ?? Rate(name: result.network, passed: 0, total: 0)
            rate.total += 1
            if result.outcome == .passed { rate.passed += 1 }
            byNetwork[result.network] = rate
        }
        networks = byNetwork.values.sorted { $0.name < $1.name }
        overall = Rate(name: "all", passed: networks.reduce(0) { $0 + $1.passed }, total: networks.reduce(0) { $0 + $1.total })
        rows = Array(Set(self.cells.map { [$0.network, $0.model, $0.firmware] })).sorted { $0.joined(separator: "\u{1}") < $1.joined(separator: "\u{1}") }
        scenarios = Array(Set(self.cells.map(\.scenario))).sorted()
    }

    public func cell(_ row: [String], _ scenario: String) -> Cell? {
        cells.first { [$0.network, $0.model, $0.firmware] == row && $0.scenario == scenario }
    }
}
