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
    /// Per-tenant and per-moment controls on the threshold, and session stickiness.
    public let policy: StrongTierPolicy
    /// Shadow mode: the alias that serves (the decision is only recorded); nil when live.
    public let shadowAlias: String?
    let weakCapabilities: AliasCapabilities
    let strongCapabilities: AliasCapabilities

    public init(
        name: String, weak: String, strong: String, model: LearnedRouterModel, threshold: Threshold, policy: StrongTierPolicy = StrongTierPolicy(),
        shadowAlias: String? = nil, weakCapabilities: AliasCapabilities = AliasCapabilities(),
        strongCapabilities: AliasCapabilities = AliasCapabilities()
    ) {
        self.policy = policy
        self.shadowAlias = shadowAlias
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
        var decision = live(input, thresholdOverride: thresholdOverride)
        if let shadowAlias {
            decision.alias = shadowAlias
            decision.shadow = true
        }
        return decision
    }

    /// What the router decides (shadow mode serves another alias, but records this).
    private func live(_ input: RoutingInput, thresholdOverride: Double?) -> RouteDecision {
        if let reason = weakCapabilities.unsuitability(for: input), strongCapabilities.unsuitability(for: input) == nil {
            return RouteDecision(router: name, alias: strong, label: "strong", guardReason: reason)
        }
        let (score, embedding) = model.evaluate(input.features)
        let base: Double
        switch threshold {
        case .fixed(let value): base = value
        case .share(let calibrator):
            base = calibrator.threshold
            calibrator.record(score)
        }
        let (cut, control) = policy.threshold(base: base, explicit: thresholdOverride, caller: input.caller, forShare: threshold(forShare:))
        var goesStrong = score >= cut
        var guardReason: String?
        if !goesStrong && policy.keepsSessionStrong(input.caller) {
            goesStrong = true
            guardReason = "session"
        }
        var decision = RouteDecision(
            router: name, alias: goesStrong ? strong : weak, label: goesStrong ? "strong" : "weak", score: score, threshold: cut,
            guardReason: guardReason)
        decision.control = control
        decision.embedding = embedding.map(Float.init)
        return decision
    }

    /// The threshold that sends `share` of traffic strong: from recent scores when the router
    /// calibrates, else from the build's score distribution.
    public func threshold(forShare share: Double) -> Double {
        switch threshold {
        case .share(let calibrator): calibrator.threshold(forShare: share)
        case .fixed: ShareCalibrator.threshold(forShare: share, quantiles: model.calibrationQuantiles)
        }
    }
}
