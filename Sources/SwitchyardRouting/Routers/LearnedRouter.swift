import SwitchyardCore

/// `kind: learned` — strong iff P(strong needed) ≥ threshold, the threshold fixed or calibrated
/// to a strong share; guards send a request the weak alias cannot serve (context window,
/// vision, tools) to the strong one without scoring.
public struct LearnedRouter: RequestRouter {
    /// Where the threshold comes from.
    public enum Threshold: Sendable {
        case fixed(Double)
        case share(ShareCalibrator)
    }

    public let name: String
    public let weak: String
    public let strong: String
    public let model: LearnedRouterModel
    public let threshold: Threshold
    let weakCapabilities: AliasCapabilities
    let strongCapabilities: AliasCapabilities

    public init(
        name: String, weak: String, strong: String, model: LearnedRouterModel, threshold: Threshold,
        weakCapabilities: AliasCapabilities = AliasCapabilities(), strongCapabilities: AliasCapabilities = AliasCapabilities()
    ) {
        self.name = name
        self.weak = weak
        self.strong = strong
        self.model = model
        self.threshold = threshold
        self.weakCapabilities = weakCapabilities
        self.strongCapabilities = strongCapabilities
    }

    public var targets: [String] { [weak, strong] }

    public func decide(_ input: RoutingInput, thresholdOverride: Double?) -> RouteDecision {
        if let reason = weakCapabilities.unsuitability(for: input), strongCapabilities.unsuitability(for: input) == nil {
            return RouteDecision(router: name, alias: strong, label: "strong", guardReason: reason)
        }
        let (score, embedding) = model.evaluate(input.features)
        let cut: Double
        if let thresholdOverride {
            cut = thresholdOverride
        } else {
            switch threshold {
            case .fixed(let value): cut = value
            case .share(let calibrator):
                cut = calibrator.threshold
                calibrator.record(score)
            }
        }
        let goesStrong = score >= cut
        var decision = RouteDecision(router: name, alias: goesStrong ? strong : weak, label: goesStrong ? "strong" : "weak", score: score, threshold: cut)
        decision.embedding = embedding.map(Float.init)
        return decision
    }
}
