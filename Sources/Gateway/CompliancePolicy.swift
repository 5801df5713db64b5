import OCPP

/// How strictly one network's (or one pile model's) piles are judged: `strict` answers a
/// violation with CALLERROR, `lenient` accepts what it can understand and records a
/// finding. Listed under `policies:` in the configuration; `validation:` is the default.
public struct CompliancePolicy: Codable, Sendable, Equatable {
    /// The network of the pile in `chargePoints` (KnownChargePoint.network).
    public var network: String?
    /// The chargePointModel of the pile's BootNotification.
    public var model: String?
    public var validation: ValidationMode

    public init(network: String? = nil, model: String? = nil, validation: ValidationMode) {
        self.network = network
        self.model = model
        self.validation = validation
    }

    /// How specific the entry is: network and model beat model alone, which beats network alone.
    var rank: Int { (model != nil ? 2 : 0) + (network != nil ? 1 : 0) }

    func matches(network: String?, model: String?) -> Bool {
        (self.network == nil || self.network == network) && (self.model == nil || self.model == model)
    }

    /// The mode for a pile: the most specific matching entry (the first of equals), else `fallback`.
    public static func mode(
        network: String?, model: String?, policies: [CompliancePolicy], fallback: ValidationMode
    ) -> ValidationMode {
        var best: CompliancePolicy?
        for policy in policies where policy.matches(network: network, model: model) {
            if best == nil || policy.rank > (best?.rank ?? 0) { best = policy }
        }
        return best?.validation ?? fallback
    }
}

extension GatewayConfiguration {
    /// The mode for a pile, from its registry network and (once it booted) its model.
    public func validation(network: String?, model: String?) -> ValidationMode {
        policies.isEmpty ? validation : CompliancePolicy.mode(network: network, model: model, policies: policies, fallback: validation)
    }

    /// Problems with `policies`, for `validate(file:)`.
    var policyProblems: [String] {
        var problems: [String] = []
        for (index, policy) in policies.enumerated() where policy.network == nil && policy.model == nil {
            problems.append("policies[\(index)] names neither a network nor a model")
        }
        var seen = Set<String>()
        for policy in policies {
            let key = "\(policy.network ?? "*")/\(policy.model ?? "*")"
            if !seen.insert(key).inserted { problems.append("policies lists network \(policy.network ?? "any") model \(policy.model ?? "any") twice") }
        }
        return problems
    }
}
