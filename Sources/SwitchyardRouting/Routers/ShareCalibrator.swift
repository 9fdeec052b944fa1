import Synchronization

/// Keeps a learned router's strong share on target: the threshold is the (1 − share) quantile
/// of recent scores (the last `capacity`), or of the build's score distribution until enough
/// traffic has been seen — so the share holds when traffic shifts.
public final class ShareCalibrator: Sendable {
    public let share: Double
    let capacity: Int
    let minimumSamples: Int
    let recomputeEvery: Int
    private let bundledThreshold: Double
    private let calibrationQuantiles: [Double]
    private let state: Mutex<State>

    struct State {
        var ring: [Double] = []
        var next = 0
        var sinceRecompute = 0
        var threshold: Double?
        /// The recent scores, sorted, as of the last recompute (other shares' thresholds come from it).
        var sorted: [Double] = []
    }

    public init(share: Double, calibrationQuantiles: [Double], capacity: Int = 2048, minimumSamples: Int = 200, recomputeEvery: Int = 32) {
        self.share = min(max(share, 0), 1)
        self.capacity = capacity
        self.minimumSamples = minimumSamples
        self.recomputeEvery = recomputeEvery
        self.calibrationQuantiles = calibrationQuantiles
        self.bundledThreshold = ShareCalibrator.threshold(forShare: self.share, quantiles: calibrationQuantiles)
        self.state = Mutex(State())
    }

    /// The threshold to use now.
    public var threshold: Double {
        state.withLock { $0.threshold } ?? bundledThreshold
    }

    /// The threshold that would send `share` of the same traffic strong (a caller's own share).
    public func threshold(forShare share: Double) -> Double {
        let sorted = state.withLock { $0.sorted }
        return sorted.isEmpty
            ? ShareCalibrator.threshold(forShare: share, quantiles: calibrationQuantiles) : ShareCalibrator.threshold(forShare: share, sorted: sorted)
    }

    /// Records a routed request's score.
    public func record(_ score: Double) {
        state.withLock { state in
            if state.ring.count < capacity { state.ring.append(score) } else { state.ring[state.next] = score }
            state.next = (state.next + 1) % capacity
            state.sinceRecompute += 1
            if state.ring.count >= minimumSamples && state.sinceRecompute >= recomputeEvery {
                state.sinceRecompute = 0
                state.sorted = state.ring.sorted()
                state.threshold = ShareCalibrator.threshold(forShare: share, sorted: state.sorted)
            }
        }
    }

    /// The score above which `share` of `sorted` lies (strong iff score ≥ threshold).
    public static func threshold(forShare share: Double, sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 1 - share }
        if share <= 0 { return 1.0 + 1e-9 }
        if share >= 1 { return 0 }
        let index = min(sorted.count - 1, max(0, Int((Double(sorted.count) * (1 - share)).rounded(.down))))
        return sorted[index]
    }

    /// The same from quantiles at 0%, 1%, …, 100% (linear interpolation).
    public static func threshold(forShare share: Double, quantiles: [Double]) -> Double {
        guard quantiles.count >= 2 else { return 1 - share }
        if share <= 0 { return 1.0 + 1e-9 }
        if share >= 1 { return 0 }
        let position = (1 - share) * Double(quantiles.count - 1)
        let lower = Int(position.rounded(.down))
        let fraction = position - Double(lower)
        return lower + 1 < quantiles.count ? quantiles[lower] * (1 - fraction) + quantiles[lower + 1] * fraction : quantiles[lower]
    }
}
