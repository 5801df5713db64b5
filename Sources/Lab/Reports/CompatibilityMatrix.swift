/// The compatibility matrix: network × pile model (× firmware × OCPP version) × scenario,
/// each cell the cases run there, with pass rates overall, per network and per version.
public struct CompatibilityMatrix: Sendable, Codable {
    public struct Cell: Sendable, Codable {
        public var network: String
        public var model: String
        public var firmware: String
        /// `1.6` or `2.0.1`.
        public var version: String
        public var scenario: String
        public var passed: Int
        /// Cases that passed without an unexpected error finding.
        public var clean: Int
        public var failed: Int
        public var skipped: Int
        /// Rule ids recorded in the cell's cases.
        public var findings: [String]
        /// Indexes into the report's results.
        public var cases: [Int]
        /// `fail`, `unclean` (all passed, some with unexpected error findings), `pass` or `skip`.
        public var outcome: String { failed > 0 ? "fail" : passed > clean ? "unclean" : (passed > 0 ? "pass" : "skip") }
        /// The matrix row: network, model, firmware, version.
        public var row: [String] { [network, model, firmware, version] }
    }

    public struct Rate: Sendable, Codable {
        public var name: String
        /// Cases that did what their scenario asked.
        public var passed: Int
        /// Cases that passed and are clean: what is compatible.
        public var compatible: Int
        /// Cases that ran (skipped ones do not count).
        public var total: Int
        /// The compatibility rate: passed and clean.
        public var rate: Double { total == 0 ? 0 : Double(compatible) / Double(total) }
        public var passRate: Double { total == 0 ? 0 : Double(passed) / Double(total) }
    }

    public var cells: [Cell]
    public var networks: [Rate]
    /// Per OCPP version (`1.6`, `2.0.1`).
    public var versions: [Rate]
    public var overall: Rate
    public var overallRate: Double { overall.rate }
    /// Row keys (network, model, firmware, version) and column keys (scenarios), sorted.
    public var rows: [[String]]
    public var scenarios: [String]

    public init(_ report: RunReport) {
        var cells: [String: Cell] = [:]
        for (index, result) in report.results.enumerated() {
            let key = [result.network, result.model, result.firmware, result.ocppVersion, result.scenario].joined(separator: "\u{1}")
            var cell = cells[key] ?? Cell(
                network: result.network, model: result.model, firmware: result.firmware, version: result.ocppVersion, scenario: result.scenario,
                passed: 0, clean: 0, failed: 0, skipped: 0, findings: [], cases: [])
            switch result.outcome {
            case .passed:
                cell.passed += 1
                if result.clean { cell.clean += 1 }
            case .failed: cell.failed += 1
            case .skipped: cell.skipped += 1
            }
            cell.findings = Array(Set(cell.findings + result.findings)).sorted()
            cell.cases.append(index)
            cells[key] = cell
        }
        self.cells = cells.values.sorted { ($0.row + [$0.scenario]).lexicographicallyPrecedes($1.row + [$1.scenario]) }
        networks = Self.rates(report, by: \.network)
        versions = Self.rates(report, by: \.ocppVersion)
        overall = Rate(
            name: "all", passed: networks.reduce(0) { $0 + $1.passed }, compatible: networks.reduce(0) { $0 + $1.compatible },
            total: networks.reduce(0) { $0 + $1.total })
        rows = Array(Set(self.cells.map(\.row))).sorted { $0.lexicographicallyPrecedes($1) }
        scenarios = Array(Set(self.cells.map(\.scenario))).sorted()
    }

    public func cell(_ row: [String], _ scenario: String) -> Cell? {
        cells.first { $0.row == row && $0.scenario == scenario }
    }

    /// Pass rates of the cases that ran, grouped by `key`, sorted by name.
    static func rates(_ report: RunReport, by key: KeyPath<CaseResult, String>) -> [Rate] {
        var rates: [String: Rate] = [:]
        for result in report.results where result.outcome != .skipped {
            let name = result[keyPath: key]
            var rate = rates[name] ?? Rate(name: name, passed: 0, compatible: 0, total: 0)
            rate.total += 1
            if result.outcome == .passed { rate.passed += 1 }
            if result.compatible { rate.compatible += 1 }
            rates[name] = rate
        }
        return rates.values.sorted { $0.name < $1.name }
    }
}
