import SwitchyardCore
import Testing
@testable import SwitchyardRouting

/// The learned router's tier controls, pure: overrides per key and team, the share header, budget
/// pressure and session stickiness, composed as "the highest threshold wins".
@Suite struct StrongTierPolicyTests {
    /// A share's threshold: 1 − share (scores spread evenly over 0…1).
    static func forShare(_ share: Double) -> Double { 1 - share }

    @Test func aKeysOverrideBeatsItsTeamsAndAnExplicitThresholdBeatsBoth() {
        let policy = StrongTierPolicy(overrides: [
            RouterOverride(team: "research", strongShare: 0.8), RouterOverride(key: "key_a", threshold: 0.9),
        ])
        let research = RoutingCaller(keyID: "key_b", team: "research")
        #expect(policy.threshold(base: 0.5, explicit: nil, caller: research, forShare: Self.forShare) == (1 - 0.8, "override"))
        let a = RoutingCaller(keyID: "key_a", team: "research")
        #expect(policy.threshold(base: 0.5, explicit: nil, caller: a, forShare: Self.forShare) == (0.9, "override"))
        #expect(policy.threshold(base: 0.5, explicit: 0.3, caller: a, forShare: Self.forShare) == (0.3, nil), "router-auto-0.3 says so")
        #expect(policy.threshold(base: 0.5, explicit: nil, caller: RoutingCaller(keyID: "key_c"), forShare: Self.forShare) == (0.5, nil))
    }

    @Test func theShareHeaderOnlyLowersTheShareAndOnlyForCallersAllowedTo() {
        let policy = StrongTierPolicy(overrides: [RouterOverride(team: "labs", threshold: 0.5, allowShareHeader: true)])
        let lowering = RoutingCaller(keyID: "k", team: "labs", requestedShare: 0.1)
        #expect(policy.threshold(base: 0.5, explicit: nil, caller: lowering, forShare: Self.forShare) == (0.9, "header"))
        let raising = RoutingCaller(keyID: "k", team: "labs", requestedShare: 0.9)
        #expect(policy.threshold(base: 0.5, explicit: nil, caller: raising, forShare: Self.forShare).threshold == 0.5, "never raises the share")
        let outsider = RoutingCaller(keyID: "k2", requestedShare: 0.1)
        #expect(policy.threshold(base: 0.5, explicit: nil, caller: outsider, forShare: Self.forShare).threshold == 0.5, "not allowed")
        let operatorCaller = RoutingCaller(isOperator: true, requestedShare: 0)
        #expect(policy.threshold(base: 0.5, explicit: nil, caller: operatorCaller, forShare: Self.forShare) == (1, "header"))
    }

    @Test func budgetPressureCapsTheShareAndOutranksStickiness() {
        let policy = StrongTierPolicy(budgetPressure: BudgetPressure(below: 0.2, maxShare: 0.05))
        let flush = RoutingCaller(keyID: "k", remaining: 0.5, sessionIsStrong: true)
        #expect(policy.threshold(base: 0.5, explicit: nil, caller: flush, forShare: Self.forShare) == (0.5, nil))
        #expect(policy.keepsSessionStrong(flush))
        let short = RoutingCaller(keyID: "k", remaining: 0.1, sessionIsStrong: true)
        #expect(policy.threshold(base: 0.5, explicit: nil, caller: short, forShare: Self.forShare) == (0.95, "budget"))
        #expect(!policy.keepsSessionStrong(short), "the cap is the harder limit")
        #expect(!StrongTierPolicy(stickySessions: false).keepsSessionStrong(flush))
    }

    @Test func sessionTiersRememberTheNewestSessionsWithinTheirBound() {
        let sessions = SessionTiers(capacity: 2)
        sessions.markStrong("a")
        sessions.markStrong("b")
        sessions.markStrong("b")
        #expect(sessions.isStrong("a") && sessions.isStrong("b") && !sessions.isStrong("c"))
        sessions.markStrong("c")
        #expect(!sessions.isStrong("a") && sessions.isStrong("b") && sessions.isStrong("c") && sessions.count == 2)
    }

    @Test func aLearnedRouterKeepsAStrongSessionStrongAndInShadowServesItsDefault() throws {
        let model = try LearnedRouterModel.bundled()
        let live = LearnedRouter(name: "auto", weak: "mini", strong: "big", model: model, threshold: .fixed(1.0 + 1e-9))
        var input = RoutingInput(features: RequestFeatures(text: "What is 2 + 2?"), promptTokens: 8)
        #expect(live.decide(input, thresholdOverride: nil).alias == "mini", "a threshold above 1 never goes strong")
        input.caller.sessionIsStrong = true
        let kept = live.decide(input, thresholdOverride: nil)
        #expect(kept.alias == "big" && kept.guardReason == "session" && kept.summary.hasSuffix("guard=session"))
        let shadow = LearnedRouter(name: "auto", weak: "mini", strong: "big", model: model, threshold: .fixed(0), shadowAlias: "mini")
        let decision = shadow.decide(RoutingInput(features: RequestFeatures(text: "Prove it."), promptTokens: 4), thresholdOverride: nil)
        #expect(decision.alias == "mini" && decision.label == "strong" && decision.shadow)
        #expect(decision.summary.hasPrefix("auto shadow:strong p="))
    }
}
