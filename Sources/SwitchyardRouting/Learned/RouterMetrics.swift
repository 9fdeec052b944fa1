/// RouteLLM's router metrics, as docs/routing.md states them (and
/// `tools/router/metrics.py` computes them): send the highest-scoring share s of prompts to the
/// strong model; P(s) is the mean quality of the routed answers; PGR(s) = (P(s) − P_weak) /
/// (P_strong − P_weak); APGR is the area under PGR over s ∈ [0, 1] (10 bins, trapezoid rule);
/// CPT(x) is the smallest share with PGR(s) ≥ x (on a 1% grid).
public enum RouterMetrics {
    /// One labelled prompt: its score and whether each model answered it correctly.
    public struct Example: Sendable {
        public var score: Double
        public var weakCorrect: Bool
        public var strongCorrect: Bool

        public init(score: Double, weakCorrect: Bool, strongCorrect: Bool) {
            self.score = score
            self.weakCorrect = weakCorrect
            self.strongCorrect = strongCorrect
        }
    }

    /// APGR, CPT(50%) and CPT(80%).
    public struct Summary: Sendable, Equatable {
        public var apgr: Double
        public var cpt50: Double
        public var cpt80: Double
    }

    public static func summary(_ examples: [Example]) -> Summary {
        let bins = (0...10).map { Double($0) / 10 }
        let coarse = pgr(examples, shares: bins)
        var apgr = 0.0
        for index in 1..<bins.count { apgr += (coarse[index] + coarse[index - 1]) / 2 * (bins[index] - bins[index - 1]) }
        let fine = (0...100).map { Double($0) / 100 }
        let curve = pgr(examples, shares: fine)
        func cpt(_ target: Double) -> Double { fine[curve.firstIndex { $0 >= target } ?? 100] }
        return Summary(apgr: apgr, cpt50: cpt(0.5), cpt80: cpt(0.8))
    }

    /// PGR(s) for each share.
    public static func pgr(_ examples: [Example], shares: [Double]) -> [Double] {
        guard !examples.isEmpty else { return shares.map { _ in 0 } }
        let order = examples.indices.sorted { examples[$0].score > examples[$1].score || (examples[$0].score == examples[$1].score && $0 < $1) }
        let count = Double(examples.count)
        let weakTotal = Double(examples.filter(\.weakCorrect).count)
        let strongTotal = Double(examples.filter(\.strongCorrect).count)
        let gap = (strongTotal - weakTotal) / count
        // Gains from switching the top-k to strong, prefix-summed.
        var gains = [0.0]
        for index in order {
            let example = examples[index]
            gains.append(gains[gains.count - 1] + (example.strongCorrect ? 1 : 0) - (example.weakCorrect ? 1 : 0))
        }
        return shares.map { share in
            let routed = Int((share * count).rounded(.toNearestOrEven))
            let quality = (weakTotal + gains[min(routed, examples.count)]) / count
            return gap == 0 ? 0 : (quality - weakTotal / count) / gap
        }
    }

    /// The oracle: strong exactly where only the strong model is right.
    public static func oracle(_ examples: [Example]) -> Summary {
        summary(examples.map { Example(score: ($0.strongCorrect && !$0.weakCorrect ? 1 : 0) + ($0.strongCorrect ? 0.5 : 0), weakCorrect: $0.weakCorrect, strongCorrect: $0.strongCorrect) })
    }

    /// The mean of `runs` random routers (seeded, so reports are reproducible).
    public static func random(_ examples: [Example], runs: Int = 20, seed: UInt64 = 7) -> Summary {
        var generator = SplitMix64(seed: seed)
        var total = Summary(apgr: 0, cpt50: 0, cpt80: 0)
        for _ in 0..<runs {
            let shuffled = examples.map { Example(score: Double.random(in: 0..<1, using: &generator), weakCorrect: $0.weakCorrect, strongCorrect: $0.strongCorrect) }
            let result = summary(shuffled)
            total.apgr += result.apgr / Double(runs)
            total.cpt50 += result.cpt50 / Double(runs)
            total.cpt80 += result.cpt80 / Double(runs)
        }
        return total
    }
}

/// A small seeded generator (reproducible baselines, prompt-affinity scores, test data).
package struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
