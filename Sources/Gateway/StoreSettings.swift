import Foundation

extension GatewayConfiguration {
    /// The store's own knobs (`store:` in the configuration file).
    public struct StoreSettings: Codable, Sendable, Equatable {
        /// MiB the SQLite write-ahead log (`<store>-wal`) may reach before the writer
        /// checkpoints it and starts it over (SQLiteSessionStore, WALBound). Without a bound
        /// it grew by megabytes a second under steady traffic and never shrank.
        public var walLimitMB: Int = 64

        public init(walLimitMB: Int = 64) {
            self.walLimitMB = walLimitMB
        }

        /// The limit in bytes, as the store takes it.
        public var walLimitBytes: Int64 { Int64(walLimitMB) << 20 }

        /// Out-of-range values, for `validate(file:)`.
        var problems: [String] {
            (1...65_536).contains(walLimitMB) ? [] : ["store.walLimitMB must be between 1 and 65536 (MiB)"]
        }

        enum CodingKeys: String, CodingKey { case walLimitMB }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            walLimitMB = try c.decodeIfPresent(Int.self, forKey: .walLimitMB) ?? 64
        }
    }
}
