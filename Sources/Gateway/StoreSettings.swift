import Foundation

extension GatewayConfiguration {
    /// The store's own knobs (`store:` in the configuration file).
    public struct StoreSettings: Codable, Sendable, Equatable {
        /// MiB the SQLite write-ahead log (`<store>-wal`) may reach before the writer
        /// checkpoints it and starts it over (SQLiteSessionStore, WALBound). Without a bound
        /// it grew by megabytes a second under steady traffic and never shrank.
        public var walLimitMB: Int = 64
        /// MiB per file of the record log (frames and samples, `<store>-log/<node>/`),
        /// allocated when the file is started.
        public var logSegmentMB: Int = 64
        /// Seconds between seals of the record log's newest records into the store's index:
        /// how long other gateway nodes sharing the store wait to read a node's frames, and
        /// at most how much of the log a restart after a crash scans again.
        public var logSealSeconds: Double = 10

        public init(walLimitMB: Int = 64, logSegmentMB: Int = 64, logSealSeconds: Double = 10) {
            self.walLimitMB = walLimitMB
            self.logSegmentMB = logSegmentMB
            self.logSealSeconds = logSealSeconds
        }

        /// The limit in bytes, as the store takes it.
        public var walLimitBytes: Int64 { Int64(walLimitMB) << 20 }

        /// Out-of-range values, for `validate(file:)`.
        var problems: [String] {
            var problems: [String] = []
            if !(1...65_536).contains(walLimitMB) { problems.append("store.walLimitMB must be between 1 and 65536 (MiB)") }
            if !(1...4_096).contains(logSegmentMB) { problems.append("store.logSegmentMB must be between 1 and 4096 (MiB)") }
            if !(logSealSeconds >= 0.1 && logSealSeconds <= 3_600) {
                problems.append("store.logSealSeconds must be between 0.1 and 3600")
            }
            return problems
        }

        enum CodingKeys: String, CodingKey { case walLimitMB, logSegmentMB, logSealSeconds }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            walLimitMB = try c.decodeIfPresent(Int.self, forKey: .walLimitMB) ?? 64
            logSegmentMB = try c.decodeIfPresent(Int.self, forKey: .logSegmentMB) ?? 64
            logSealSeconds = try c.decodeIfPresent(Double.self, forKey: .logSealSeconds) ?? 10
        }
    }
}
