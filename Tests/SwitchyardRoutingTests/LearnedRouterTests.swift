import Crypto
import Foundation
import Testing
import SwitchyardCore
import SwitchyardAccounts
@testable import SwitchyardRouting

/// The Swift side of the learned router against what `tools/router/build.py` produced.
@Suite struct LearnedRouterTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let model: LearnedRouterModel? = try? LearnedRouterModel.bundled()

    func fixture(_ name: String) throws -> JSONValue {
        try JSONValue.parse(Array(try Data(contentsOf: Self.fixtures.appendingPathComponent(name))))
    }

    func model() throws -> LearnedRouterModel { try #require(Self.model) }

    @Test func tokenizerMatchesTheReferenceTokenizer() throws {
        let tokenizer = try model().tokenizer
        for item in try #require(try fixture("tokenizer_cases.json").arrayValue) {
            let text = try #require(item["text"]?.stringValue)
            let expected = try #require(item["ids"]?.arrayValue).compactMap(\.intValue).map(Int32.init)
            #expect(tokenizer.encode(text) == expected, "\(text)")
        }
    }

    @Test func scoresMatchThePythonPipeline() throws {
        let model = try model()
        for item in try #require(try fixture("score_cases.json").arrayValue) {
            let request = try #require(item["request"])
            let expected = try #require(item["score"]?.doubleValue)
            let score = model.score(RequestFeatures(json: request))
            #expect(abs(score - expected) < 1e-4, "\(request.serializedString.prefix(80)): \(score) vs \(expected)")
        }
    }

    @Test func prototypeSimilaritiesAreEachCentresDotProduct() {
        // 37 centres (two 16-lane blocks and a tail) of 5 dimensions, values that are exact in Float.
        let dims = 5
        let centres = (0..<(37 * dims)).map { Float(($0 * 7) % 23 - 11) / 8 }
        let scorer = PrototypeScorer(
            centres: centres, labels: Array(repeating: 0.5, count: 37), counts: Array(repeating: 1, count: 37), neighbours: 8, sharpness: 10,
            dims: dims)
        let query: [Double] = [0.5, -1.25, 2, 0.125, -0.75]
        let similarities = scorer.similarities(query)
        #expect(similarities.count == 37)
        for centre in 0..<37 {
            let expected = (0..<dims).reduce(0.0) { $0 + Double(centres[centre * dims + $1]) * query[$1] }
            #expect(abs(Double(similarities[centre]) - expected) < 1e-6, "centre \(centre)")
        }
    }

    @Test func theBundledFileMatchesItsChecksum() throws {
        let url = try #require(RoutingFixtures.bundledURL())
        let recorded = try String(contentsOf: url.appendingPathExtension("sha256"), encoding: .utf8).split(separator: " ").first.map(String.init)
        #expect(RoutingFixtures.sha256(try Data(contentsOf: url)) == recorded)
        #expect(try Data(contentsOf: url).count <= 8_000_000)
    }

    /// Calibrated on real prompts (every 6th MMLU prompt), the threshold sends the requested share
    /// of them strong within 2 points (ties in the scores are what could break it).
    @Test(arguments: [0.1, 0.3, 0.5, 0.8])
    func calibrationHitsTheRequestedShareWithinTwoPoints(_ share: Double) throws {
        let scores = Self.mmluScores
        try #require(scores.count > 2000, "Tests/Fixtures/routing/mmlu-every-6th.json must hold the MMLU prompts")
        let calibrator = ShareCalibrator(share: share, calibrationQuantiles: try model().calibrationQuantiles, capacity: scores.count, recomputeEvery: 1)
        for score in scores { calibrator.record(score) }
        let routedStrong = Double(scores.filter { $0 >= calibrator.threshold }.count) / Double(scores.count)
        #expect(abs(routedStrong - share) <= 0.02, "share \(share): routed \(routedStrong) at t=\(calibrator.threshold)")
        // On the other half of a split, the share holds up to sampling noise (σ ≈ 1.9 points at 0.5 for 1,400 + 1,400 prompts).
        let calibration = scores.indices.filter { $0 % 2 == 0 }.map { scores[$0] }
        let traffic = scores.indices.filter { $0 % 2 == 1 }.map { scores[$0] }
        let split = ShareCalibrator(share: share, calibrationQuantiles: try model().calibrationQuantiles, capacity: calibration.count, recomputeEvery: 1)
        for score in calibration { split.record(score) }
        let heldOut = Double(traffic.filter { $0 >= split.threshold }.count) / Double(traffic.count)
        #expect(abs(heldOut - share) <= 0.05, "held out: share \(share): routed \(heldOut)")
    }

    /// Scores of every 6th MMLU prompt of the routing data (copied to Tests/Fixtures/routing; computed once).
    static let mmluScores: [Double] = {
        guard let model else { return [] }
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/routing/mmlu-every-6th.json")
        guard let data = try? Data(contentsOf: file), let prompts = try? JSONDecoder().decode([String].self, from: data) else { return [] }
        return prompts.map { model.score(RequestFeatures(text: $0)) }
    }()

    @Test func bundledQuantilesGiveTheShareOnTheBuildDistribution() throws {
        let quantiles = try model().calibrationQuantiles
        #expect(quantiles.count == 101)
        #expect(ShareCalibrator.threshold(forShare: 0.3, quantiles: quantiles) == quantiles[70])
        #expect(ShareCalibrator.threshold(forShare: 0, quantiles: quantiles) > 1)
        #expect(ShareCalibrator.threshold(forShare: 1, quantiles: quantiles) == 0)
    }

    @Test func learnedRouterDecidesByThresholdAndGuards() throws {
        let model = try model()
        let router = LearnedRouter(
            name: "auto", weak: "mini", strong: "preview", model: model, threshold: .fixed(0.5),
            weakCapabilities: AliasCapabilities(contextWindow: 100, supportsVision: false))
        let input = RoutingInput(features: RequestFeatures(text: "What is 2+2?"), promptTokens: 10)
        let scored = router.decide(input, thresholdOverride: nil)
        #expect(scored.score != nil && scored.threshold == 0.5)
        #expect(scored.alias == (scored.score! >= 0.5 ? "preview" : "mini"))
        #expect(router.decide(input, thresholdOverride: 0).alias == "preview", "threshold 0 sends all strong")
        #expect(router.decide(input, thresholdOverride: 1.000001).alias == "mini", "a threshold above 1 sends all weak")
        let long = router.decide(RoutingInput(features: RequestFeatures(text: "x"), promptTokens: 500), thresholdOverride: nil)
        #expect(long.alias == "preview" && long.guardReason == "context")
        let image = router.decide(RoutingInput(features: RequestFeatures(text: "x", hasImages: true), promptTokens: 5), thresholdOverride: nil)
        #expect(image.alias == "preview" && image.summary == "auto strong guard=vision")
    }

    @Test func routeLLMNamesCarryTheirThreshold() throws {
        let router = LearnedRouter(name: "auto", weak: "mini", strong: "preview", model: try model(), threshold: .fixed(0.5))
        let set = RouterSet([router])
        #expect(set.router(for: "auto")?.threshold == nil)
        #expect(set.router(for: "router-auto-0.62")?.threshold == 0.62)
        #expect(set.router(for: "router-other-0.5") == nil)
        #expect(set.router(for: "router-auto-7") == nil)
        #expect(set.router(for: "mini") == nil)
    }

    @Test func decisionSummary() {
        #expect(RouteDecision(router: "auto", alias: "p", label: "strong", score: 0.714, threshold: 0.62).summary == "auto strong p=0.71 t=0.62")
        #expect(RouteDecision(router: "auto", alias: "m", label: "weak", score: 0.05, threshold: 0.5).summary == "auto weak p=0.05 t=0.50")
    }

    @Test func rulesRouterTakesTheFirstMatchingRule() throws {
        var long = RouteRule(target: "preview")
        long.minTokens = 1000
        var tools = RouteRule(target: "tools-model")
        tools.hasTools = true
        var premium = RouteRule(target: "preview")
        premium.headers = ["x-switchyard-tier": "premium"]
        var proof = RouteRule(target: "preview")
        proof.messagePattern = "(?i)\\bprove\\b"
        var research = RouteRule(target: "preview")
        research.keyMetadata = ["team": "research"]
        let router = try RulesRouter(name: "r", rules: [long, tools, premium, proof, research], defaultModel: "mini")
        func route(_ text: String, tokens: Int = 10, tools: Bool = false, headers: [String: String] = [:], team: String? = nil) -> String {
            let input = RoutingInput(
                features: RequestFeatures(text: text, hasTools: tools), promptTokens: tokens, keyMetadata: team.map { ["team": $0] } ?? [:], headers: headers)
            return router.decide(input, thresholdOverride: nil).label
        }
        #expect(route("hi") == "default")
        #expect(route("hi", tokens: 5000) == "rule[0]")
        #expect(route("hi", tools: true) == "rule[1]")
        #expect(route("hi", headers: ["x-switchyard-tier": "premium"]) == "rule[2]")
        #expect(route("Prove that there are infinitely many primes") == "rule[3]")
        #expect(route("hi", team: "research") == "rule[4]")
        #expect(route("hi", team: "sales") == "default")
        #expect(throws: (any Error).self) { try RulesRouter(name: "bad", rules: [{ var r = RouteRule(target: "x"); r.messagePattern = "("; return r }()], defaultModel: "m") }
    }

    @Test func costRouterPicksTheCheapestGoodEnoughCandidate() throws {
        let model = try model()
        let router = CostRouter(
            name: "c",
            candidates: [
                ("preview", nil, AliasCapabilities(price: Price(input: 10, output: 30))),
                ("mini", nil, AliasCapabilities(price: Price(input: 0.15, output: 0.6))),
            ],
            qualityFloor: 0.7, model: model)
        #expect(router.targets == ["mini", "preview"])
        let input = RoutingInput(features: RequestFeatures(text: "What is the capital of France?"), promptTokens: 8)
        let decision = router.decide(input, thresholdOverride: nil)
        let p = try #require(decision.score)
        #expect(decision.alias == (1 - p >= 0.7 ? "mini" : "preview"))
        #expect(router.decide(input, thresholdOverride: 1.0).alias == (p == 0 ? "mini" : "preview"), "a floor of 1 needs the strongest unless p is 0")
    }
}

/// Helpers shared by the router tests.
enum RoutingFixtures {
    /// The weights file in the source tree (the test bundle does not carry SwitchyardRouting's resources).
    static func bundledURL() -> URL? {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/SwitchyardRouting/Resources/router-mmlu.syr")
    }

    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    /// Varied prompts: MMLU-like questions, code, chat, math.
    static func syntheticPrompts(count: Int) -> [String] {
        let subjects = ["history", "physics", "law", "medicine", "economics", "philosophy", "chemistry", "biology", "geography", "music"]
        let shapes = [
            "Which of the following best describes %@?\nA. one\nB. two\nC. three\nD. four",
            "Explain %@ to a child in two sentences.",
            "Write a Python function about %@: def solve(x): return x * 2",
            "Prove the theorem about %@: for all n, n^2 + n is even.",
            "What year did the %@ revolution start? Answer briefly.",
            "Summarise the main debates in %@ since 1900, with sources.",
        ]
        return (0..<count).map { index in
            String(format: shapes[index % shapes.count], subjects[(index / shapes.count) % subjects.count])
                + String(repeating: " detail", count: index % 7) + " #\(index / 60)"
        }
    }
}

@Suite struct FeedbackTrainerTests {
    @Test func labelsComeFromPreferencesAndWeakVerdicts() {
        func feedback(_ label: String, _ outcome: Double, preferred: String? = nil) -> RouteFeedback {
            RouteFeedback(requestID: "r", router: "auto", label: label, alias: label == "weak" ? "mini" : "preview", outcome: outcome, preferredModel: preferred, createdAt: 0)
        }
        #expect(FeedbackTrainer.label(feedback("weak", 0), weak: "mini", strong: "preview") == 1)
        #expect(FeedbackTrainer.label(feedback("weak", 1), weak: "mini", strong: "preview") == 0)
        #expect(FeedbackTrainer.label(feedback("strong", 0), weak: "mini", strong: "preview") == nil)
        #expect(FeedbackTrainer.label(feedback("strong", 1, preferred: "mini"), weak: "mini", strong: "preview") == 0)
        #expect(FeedbackTrainer.label(feedback("weak", 1, preferred: "preview"), weak: "mini", strong: "preview") == 1)
    }

    @Test func badWeakAnswersRaiseTheScoreOfSimilarPrompts() throws {
        let base = Array(try Data(contentsOf: try #require(RoutingFixtures.bundledURL())))
        let model = try LearnedRouterModel(bytes: base)
        let prompt = RequestFeatures(text: "Translate 'good morning' into French.")
        let (before, embedding) = model.evaluate(prompt)
        let verdicts = (0..<40).map { index in
            RouteFeedback(
                requestID: "req_\(index)", router: "auto", label: "weak", alias: "mini", outcome: 0, embedding: embedding.map(Float.init), createdAt: Int64(index))
        }
        let (file, report) = try FeedbackTrainer.retrain(base: base, model: model, feedback: verdicts, weak: "mini", strong: "preview", weight: 5, date: "2026-11-25")
        #expect(report == FeedbackTrainer.Report(feedbackRows: 40, usedRows: 40, prototypesChanged: 1))
        let retrained = try LearnedRouterModel(bytes: file)
        #expect(retrained.score(prompt) > before + 0.05, "\(before) → \(retrained.score(prompt))")
        #expect(retrained.header["retrained"]?["used_rows"]?.intValue == 40)
        // Retraining from the base again gives the same file: idempotent.
        let again = try FeedbackTrainer.retrain(base: base, model: model, feedback: verdicts, weak: "mini", strong: "preview", weight: 5, date: "2026-11-25")
        #expect(again.file == file)
    }
}
