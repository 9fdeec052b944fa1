public import SwitchyardCore

/// The deployments to try for one request, in order, and where to turn on specific failures.
public struct RoutePlan: Sendable {
    /// The alias's deployments (ordered by its strategy), then its fallback aliases' deployments.
    public var primary: [Deployment]
    /// Tried instead when the prompt does not fit (`context_window_fallbacks`).
    public var onContextLength: [Deployment]
    /// Tried instead when a content filter rejects the request (`content_policy_fallbacks`).
    public var onContentPolicy: [Deployment]
}

/// Resolves the model name a client sent into a `RoutePlan`.
public struct ModelRouter: Sendable {
    private let groups: [String: ModelGroup]
    /// Aliases in config order, for `/v1/models`.
    public let aliases: [String]
    public let health: DeploymentHealth

    public init(groups: [ModelGroup], health: DeploymentHealth = DeploymentHealth(failureThreshold: 3, cooldown: 30)) {
        var byName: [String: ModelGroup] = [:]
        for group in groups where byName[group.name] == nil { byName[group.name] = group }
        self.groups = byName
        self.aliases = groups.map(\.name).reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        self.health = health
    }

    public func group(named name: String) -> ModelGroup? { groups[name] }

    /// Every deployment of every alias, in config order (for `/admin/models`).
    public var allDeployments: [Deployment] { aliases.compactMap { groups[$0] }.flatMap(\.deployments) }

    /// The plan for `model`. `extraFallbacks` come from the request (`x-switchyard-fallbacks`);
    /// `promptTokens` (an estimate) sends the request straight to the context-window fallbacks
    /// when it cannot fit the alias's `context_window`. Only aliases `allows` accepts (the
    /// caller's key's allow-list) are reached: fallbacks from config or header, context-window
    /// and content-policy fallbacks alike.
    /// `affinity`: the request's long-prefix key (`PromptAffinity`), asked for only when the alias
    /// keeps affinity and has a choice of deployments: they are then tried in rendezvous order.
    public func plan(
        for model: String, extraFallbacks: [String] = [], promptTokens: Int? = nil, affinity: () -> UInt64? = { nil }, allows: (String) -> Bool = { _ in true },
        using random: inout some RandomNumberGenerator
    ) throws(GatewayError) -> RoutePlan {
        guard let group = groups[model] else { throw .modelNotFound(model) }
        let reach = reachableAliases(for: group, extraFallbacks: extraFallbacks, allows: allows)
        var primary = ordered(group, using: &random)
        if group.promptCacheAffinity, primary.count > 1, let affinity = affinity() {
            let stats = health.snapshot(group.deployments.map(\.id))
            let available = group.deployments.filter { stats[$0.id].map(health.isAvailable) ?? true }
            primary = PromptAffinity.order(available, key: affinity) + primary.filter { deployment in !available.contains { $0.id == deployment.id } }
        }
        for fallback in reach.fallbacks { if let next = groups[fallback] { primary += ordered(next, using: &random) } }
        let onContextLength = reach.onContextLength.compactMap { groups[$0] }.flatMap { ordered($0, using: &random) }
        let onContentPolicy = reach.onContentPolicy.compactMap { groups[$0] }.flatMap { ordered($0, using: &random) }
        if let window = group.contextWindow, let promptTokens, promptTokens > window, !onContextLength.isEmpty {
            primary = onContextLength
        }
        guard !primary.isEmpty else { throw .noHealthyDeployment(model) }
        return RoutePlan(primary: primary, onContextLength: onContextLength, onContentPolicy: onContentPolicy)
    }

    /// Every deployment a request for `model` may reach (the alias and its allowed fallbacks of
    /// every kind), in no particular order: what a reservation must cover.
    public func reachableDeployments(for model: String, extraFallbacks: [String] = [], allows: (String) -> Bool = { _ in true }) -> [Deployment] {
        guard let group = groups[model] else { return [] }
        let reach = reachableAliases(for: group, extraFallbacks: extraFallbacks, allows: allows)
        return group.deployments + (reach.fallbacks + reach.onContextLength + reach.onContentPolicy).compactMap { groups[$0] }.flatMap(\.deployments)
    }

    private func reachableAliases(
        for group: ModelGroup, extraFallbacks: [String], allows: (String) -> Bool
    ) -> (fallbacks: [String], onContextLength: [String], onContentPolicy: [String]) {
        var seen: Set<String> = [group.name]
        let fallbacks = (group.fallbacks + extraFallbacks).filter { seen.insert($0).inserted && allows($0) }
        return (fallbacks, group.contextWindowFallbacks.filter(allows), group.contentPolicyFallbacks.filter(allows))
    }

    /// The deployments to try for `model`, best first (the plan's primary list).
    public func candidates(for model: String, using random: inout some RandomNumberGenerator) throws(GatewayError) -> [Deployment] {
        try plan(for: model, using: &random).primary
    }

    private func ordered(_ group: ModelGroup, using random: inout some RandomNumberGenerator) -> [Deployment] {
        let stats = health.snapshot(group.deployments.map(\.id))
        return group.strategy.order(group.deployments, stats: stats, health: health, using: &random)
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
