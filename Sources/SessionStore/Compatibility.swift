import Foundation

/// Findings aggregated by pile network × model × firmware × OCPP version × rule, with the piles and
/// sessions each group has, so a rate ("3 of 40 piles") can be read, not just a count.
public struct CompatibilityReport: Sendable, Codable, Equatable {
    public var groups: [Group]

    public init(groups: [Group]) { self.groups = groups }

    /// One network × model × firmware × version, as the piles booted (nil where unknown).
    /// A pile's findings count under its current firmware and version.
    public struct Group: Sendable, Codable, Equatable {
        public var network: String?
        public var model: String?
        public var firmware: String?
        /// "1.6" or "2.0.1": a model that ships both is judged per version.
        public var ocppVersion: String?
        public var piles: Int
        public var sessions: Int
        public var findings: [RuleCount]

        public init(
            network: String?, model: String?, firmware: String?, ocppVersion: String? = nil, piles: Int, sessions: Int,
            findings: [RuleCount]
        ) {
            self.ocppVersion = ocppVersion
            self.network = network
            self.model = model
            self.firmware = firmware
            self.piles = piles
            self.sessions = sessions
            self.findings = findings
        }
    }

    /// One rule's findings within a group.
    public struct RuleCount: Sendable, Codable, Equatable {
        public var rule: String
        public var severity: String
        public var count: Int
        /// Distinct piles and sessions with this finding (findings without a session count in neither).
        public var piles: Int
        public var sessions: Int
        public var firstSeen: Date
        public var lastSeen: Date
        /// The most recent one, with its detail, pile, session and message: something to act on.
        public var latest: FindingRecord?

        public init(
            rule: String, severity: String, count: Int, piles: Int, sessions: Int, firstSeen: Date, lastSeen: Date, latest: FindingRecord? = nil
        ) {
            self.rule = rule
            self.severity = severity
            self.count = count
            self.piles = piles
            self.sessions = sessions
            self.firstSeen = firstSeen
            self.lastSeen = lastSeen
            self.latest = latest
        }
    }
}
