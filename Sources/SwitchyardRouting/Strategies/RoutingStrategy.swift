import SwitchyardCore

/// How the deployments of one alias are ordered for a request (the first is tried first).
public enum RoutingStrategy: String, Sendable, CaseIterable {
    /// Random by configured weight (default).
    case weighted
    /// Lowest latency EWMA, picked by power of two choices so load still spreads.
    case latency
    /// Fewest requests in flight.
    case leastBusy = "least-busy"
    /// Cheapest by price (per-target `price`, else the alias's).
    case cost
    /// Most RPM/TPM headroom against the per-target `rpm`/`tpm` limits.
    case usage

    /// `deployments` in the order to try them; those whose breaker is open go last.
    public func order(
        _ deployments: [Deployment], stats: [String: DeploymentStats], health: DeploymentHealth,
        using random: inout some RandomNumberGenerator
    ) -> [Deployment] {
        let available = deployments.filter { stats[$0.id].map(health.isAvailable) ?? true }
        let cooling = deployments.filter { !(stats[$0.id].map(health.isAvailable) ?? true) }
        return arrange(available, stats: stats, using: &random) + cooling
    }

    private func arrange(_ deployments: [Deployment], stats: [String: DeploymentStats], using random: inout some RandomNumberGenerator) -> [Deployment] {
        guard deployments.count > 1 else { return deployments }
        switch self {
        case .weighted:
            return ModelRouter.weightedOrder(deployments, using: &random)
        case .latency:
            // Unmeasured deployments count as fastest, so each gets explored.
            let latency = { (d: Deployment) in stats[d.id]?.latency.value ?? 0 }
            var pool = deployments.shuffled(using: &random)
            let a = pool[0], b = pool[1]
            let first = latency(a) <= latency(b) ? a : b
            pool.removeAll { $0.id == first.id }
            return [first] + pool.sorted { latency($0) < latency($1) }
        case .leastBusy:
            return deployments.shuffled(using: &random).sorted { (stats[$0.id]?.inFlight ?? 0) < (stats[$1.id]?.inFlight ?? 0) }
        case .cost:
            let price = { (d: Deployment) in d.price.map { $0.input + $0.output } ?? .infinity }
            return deployments.shuffled(using: &random).sorted { price($0) < price($1) }
        case .usage:
            return deployments.shuffled(using: &random).sorted { headroom($0, stats[$0.id]) > headroom($1, stats[$1.id]) }
        }
    }

    /// The smaller of the RPM and TPM headroom fractions (1 with no limits, negative when over).
    func headroom(_ deployment: Deployment, _ stats: DeploymentStats?) -> Double {
        var room = 1.0
        if let rpm = deployment.rpmLimit, rpm > 0 {
            room = min(room, 1 - Double(stats?.requestsThisMinute ?? 0) / Double(rpm))
        }
        if let tpm = deployment.tpmLimit, tpm > 0 {
            room = min(room, 1 - Double(stats?.tokensThisMinute ?? 0) / Double(tpm))
        }
        return room
    }
}
