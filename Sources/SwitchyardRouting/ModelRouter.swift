public import SwitchyardCore

/// Resolves the model name a client sent into the ordered deployments to try.
///
/// Within an alias, deployments are ordered by weighted sampling without replacement (the first
/// is the weighted pick, the rest are failover order); the alias's `fallbacks` follow.
public struct ModelRouter: Sendable {
    private let groups: [String: ModelGroup]
    /// Aliases in config order, for `/v1/models`.
    public let aliases: [String]

    public init(groups: [ModelGroup]) {
        var byName: [String: ModelGroup] = [:]
        for group in groups where byName[group.name] == nil { byName[group.name] = group }
        self.groups = byName
        self.aliases = groups.map(\.name).reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    public func group(named name: String) -> ModelGroup? { groups[name] }

    /// The deployments to try for `model`, best first.
    public func candidates(for model: String, using random: inout some RandomNumberGenerator) throws(GatewayError) -> [Deployment] {
        guard let group = groups[model] else { throw .modelNotFound(model) }
        var ordered = ModelRouter.weightedOrder(group.deployments, using: &random)
        var seen: Set<String> = [model]
        for fallback in group.fallbacks where !seen.contains(fallback) {
            seen.insert(fallback)
            if let next = groups[fallback] { ordered += ModelRouter.weightedOrder(next.deployments, using: &random) }
        }
        guard !ordered.isEmpty else { throw .noHealthyDeployment(model) }
        return ordered
    }

    /// Weighted sampling without replacement; zero-weight deployments come last, in config order.
    static func weightedOrder(_ deployments: [Deployment], using random: inout some RandomNumberGenerator) -> [Deployment] {
        var pool = deployments.filter { $0.weight > 0 }
        var ordered: [Deployment] = []
        ordered.reserveCapacity(deployments.count)
        while !pool.isEmpty {
            let total = pool.reduce(0) { $0 + $1.weight }
            var point = Double.random(in: 0..<total, using: &random)
            var chosen = pool.count - 1
            for (index, deployment) in pool.enumerated() {
                if point < deployment.weight { chosen = index; break }
                point -= deployment.weight
            }
            ordered.append(pool.remove(at: chosen))
        }
        return ordered + deployments.filter { $0.weight <= 0 }
    }
}
