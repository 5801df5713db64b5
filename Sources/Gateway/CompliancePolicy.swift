import OCPP

/// How one network's (or one pile model's) piles are judged: `strict` answers a violation
/// with CALLERROR, `lenient` accepts what it can understand and records a finding; the
/// tolerances of the plausibility rules; rules switched off. Listed under `policies:` in
/// the configuration; the top-level `validation`, `tolerances` and `ignore` are the default.
public struct CompliancePolicy: Codable, Sendable, Equatable {
    /// The network of the pile in `chargePoints` (KnownChargePoint.network).
    public var network: String?
    /// The chargePointModel of the pile's BootNotification.
    public var model: String?
    public var validation: ValidationMode?
    /// Replaces the default tolerances as a whole; keys not given take the standard value.
    public var tolerances: RuleTolerances?
    /// Rule ids not checked for these piles: no finding, no CALLERROR.
    public var ignore: [String]?
    /// Relay mode: the pile's off-spec payloads are repaired (as lenient mode reads them)
    /// before they reach the operator's backend, each repair recorded as a finding.
    public var repair: Bool?

    public init(
        network: String? = nil, model: String? = nil, validation: ValidationMode? = nil, tolerances: RuleTolerances? = nil,
        ignore: [String]? = nil, repair: Bool? = nil
    ) {
        self.network = network
        self.model = model
        self.validation = validation
        self.tolerances = tolerances
        self.ignore = ignore
        self.repair = repair
    }

    /// How specific the entry is: network and model beat model alone, which beats network alone.
    var rank: Int { (model != nil ? 2 : 0) + (network != nil ? 1 : 0) }

    func matches(network: String?, model: String?) -> Bool {
        (self.network == nil || self.network == network) && (self.model == nil || self.model == model)
    }

    /// The mode for a pile: the most specific matching entry that sets one (the first of equals), else `fallback`.
    public static func mode(
        network: String?, model: String?, policies: [CompliancePolicy], fallback: ValidationMode
    ) -> ValidationMode {
        mostSpecific(\.validation, network: network, model: model, policies: policies) ?? fallback
    }

    static func mostSpecific<T>(
        _ aspect: KeyPath<CompliancePolicy, T?>, network: String?, model: String?, policies: [CompliancePolicy]
    ) -> T? {
        var best: (rank: Int, value: T)?
        for policy in policies where policy.matches(network: network, model: model) {
            guard let value = policy[keyPath: aspect] else { continue }
            if best == nil || policy.rank > (best?.rank ?? 0) { best = (policy.rank, value) }
        }
        return best?.value
    }
}

/// What one pile is judged by, resolved from the policies when it connects and again when
/// its boot names its model: not looked up per frame.
public struct PilePolicy: Sendable, Equatable {
    public var validation: ValidationMode
    public var tolerances: RuleTolerances
    /// Rules switched off: the default `ignore` and that of every matching entry.
    public var ignored: Set<String>
    /// Relay mode: repair the pile's frames for the backend (CompliancePolicy.repair).
    public var repairs = false

    public func checks(_ rule: FindingRule) -> Bool { ignored.isEmpty || !ignored.contains(rule.id) }
}

extension GatewayConfiguration {
    /// The mode for a pile, from its registry network and (once it booted) its model.
    public func validation(network: String?, model: String?) -> ValidationMode {
        policies.isEmpty ? validation : CompliancePolicy.mode(network: network, model: model, policies: policies, fallback: validation)
    }

    /// Mode, tolerances and switched-off rules for a pile.
    public func policy(network: String?, model: String?) -> PilePolicy {
        guard !policies.isEmpty else { return PilePolicy(validation: validation, tolerances: tolerances, ignored: Set(ignore), repairs: false) }
        var ignored = Set(ignore)
        for policy in policies where policy.matches(network: network, model: model) { ignored.formUnion(policy.ignore ?? []) }
        return PilePolicy(
            validation: validation(network: network, model: model),
            tolerances: CompliancePolicy.mostSpecific(\.tolerances, network: network, model: model, policies: policies) ?? tolerances,
            ignored: ignored, repairs: CompliancePolicy.mostSpecific(\.repair, network: network, model: model, policies: policies) ?? false)
    }

    /// Problems with `policies`, `tolerances` and `ignore`, for `validate(file:)`.
    var policyProblems: [String] {
        var problems: [String] = []
        for (index, policy) in policies.enumerated() where policy.network == nil && policy.model == nil {
            problems.append("policies[\(index)] names neither a network nor a model")
        }
        for (index, policy) in policies.enumerated() where policy.validation == nil && policy.tolerances == nil && policy.ignore == nil && policy.repair == nil {
            problems.append("policies[\(index)] sets none of validation, tolerances, ignore, repair")
        }
        var seen = Set<String>()
        for policy in policies {
            let key = "\(policy.network ?? "*")/\(policy.model ?? "*")"
            if !seen.insert(key).inserted { problems.append("policies lists network \(policy.network ?? "any") model \(policy.model ?? "any") twice") }
        }
        let known = Set(FindingRule.catalog.map(\.id))
        let named = ignore.map { ("ignore", $0) } + policies.enumerated().flatMap { index, policy in (policy.ignore ?? []).map { ("policies[\(index)].ignore", $0) } }
        for (place, id) in named where !known.contains(id) {
            problems.append("\(place) names \"\(id)\", which is no rule (docs/rules.md lists them)")
        }
        let tolerances = [("tolerances", tolerances)] + policies.enumerated().compactMap { index, policy in policy.tolerances.map { ("policies[\(index)].tolerances", $0) } }
        for (place, value) in tolerances { problems += value.problems.map { "\(place).\($0)" } }
        return problems
    }
}
