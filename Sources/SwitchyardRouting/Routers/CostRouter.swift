import SwitchyardCore

/// `kind: cost` — among candidates ordered by price, the cheapest whose predicted quality clears
/// the floor. Predicted quality of a candidate at capability level L (0 weakest … 1 strongest)
/// for a request with P(strong needed) = p is 1 − p·(1 − L): the strongest always clears it, the
/// weakest only for easy prompts. Candidates that cannot serve the request are skipped.
public struct CostRouter: RequestRouter {
    public let name: String
    /// Cheapest first, with levels.
    let candidates: [(alias: String, level: Double, capabilities: AliasCapabilities)]
    let qualityFloor: Double
    public let model: LearnedRouterModel

    public init(name: String, candidates: [(alias: String, level: Double?, capabilities: AliasCapabilities)], qualityFloor: Double, model: LearnedRouterModel) {
        self.name = name
        self.qualityFloor = qualityFloor
        self.model = model
        let ordered = candidates.enumerated().sorted { left, right in
            let a = left.element.capabilities.price.map { $0.input + $0.output } ?? .infinity
            let b = right.element.capabilities.price.map { $0.input + $0.output } ?? .infinity
            return a == b ? left.offset < right.offset : a < b
        }.map(\.element)
        let spread = Double(max(1, ordered.count - 1))
        self.candidates = ordered.enumerated().map { index, candidate in
            (candidate.alias, candidate.level ?? Double(index) / spread, candidate.capabilities)
        }
    }

    public var targets: [String] { candidates.map(\.alias) }

    public func decide(_ input: RoutingInput, thresholdOverride: Double?) -> RouteDecision {
        let (score, embedding) = model.evaluate(input.features)
        let floor = thresholdOverride ?? qualityFloor
        let usable = candidates.filter { $0.capabilities.unsuitability(for: input) == nil }
        let pool = usable.isEmpty ? candidates : usable
        let chosen = pool.first { 1 - score * (1 - $0.level) >= floor } ?? pool.max { $0.level < $1.level } ?? candidates[0]
        var decision = RouteDecision(router: name, alias: chosen.alias, label: chosen.alias, score: score, threshold: floor)
        decision.embedding = embedding.map(Float.init)
        return decision
    }
}
