import Synchronization

/// What the router knows about one deployment right now.
public struct DeploymentStats: Sendable {
    public var breaker: CircuitBreaker
    public var latency = Ewma()
    public var timeToFirstByte = Ewma()
    public var inFlight = 0
    /// Outcomes of the most recent requests (true = success), newest last.
    public var recent: [Bool] = []
    public var minuteStart: Double = 0
    public var requestsThisMinute = 0
    public var tokensThisMinute = 0

    public var errorRate: Double {
        recent.isEmpty ? 0 : Double(recent.filter { !$0 }.count) / Double(recent.count)
    }
}

/// The live health of every deployment, shared by all requests (a `Mutex` in a final class,
/// DESIGN §6.3). Times are seconds from `clock`, injectable for tests.
public final class DeploymentHealth: Sendable {
    /// Outcome of one attempt, as the breaker and the strategies see it.
    public enum Outcome: Sendable, Equatable {
        case success(latency: Double, timeToFirstByte: Double?)
        /// The deployment failed (5xx, timeout, unreachable, overload, rate limit, upstream auth).
        case failure
        /// The deployment failed in a way the request's content may have caused (malformed
        /// answer, 500, timeout), for a request of `tenant`: see `CircuitBreaker`.
        case tenantFailure(String)
        /// No verdict on the deployment: a client error or the client went away.
        case neutral
    }

    private let state: Mutex<[String: DeploymentStats]>
    /// Recent times to first byte per alias (newest last), for hedging at the alias's p95.
    private let aliasTimeToFirstByte = Mutex<[String: [Double]]>([:])
    static let ttfbSamples = 200
    static let minimumSamplesForP95 = 20
    private let makeBreaker: @Sendable () -> CircuitBreaker
    public let clock: @Sendable () -> Double
    static let recentWindow = 50

    public init(
        failureThreshold: Int, window: Double = 60, cooldown: Double,
        clock: @escaping @Sendable () -> Double = DeploymentHealth.monotonicSeconds
    ) {
        self.state = Mutex([:])
        self.makeBreaker = { CircuitBreaker(failureThreshold: failureThreshold, window: window, cooldown: cooldown) }
        self.clock = clock
    }

    public static let monotonicSeconds: @Sendable () -> Double = {
        let now = ContinuousClock.now - DeploymentHealth.epoch
        return Double(now.components.seconds) + Double(now.components.attoseconds) / 1e18
    }
    static let epoch = ContinuousClock.now

    /// Claims a request slot: false when the breaker is open (or its half-open probe is taken).
    public func begin(_ id: String) -> Bool {
        let now = clock()
        return state.withLock { all in
            var stats = all[id] ?? DeploymentStats(breaker: makeBreaker())
            guard stats.breaker.permit(now: now) else { return false }
            stats.inFlight += 1
            if now - stats.minuteStart >= 60 {
                stats.minuteStart = now
                stats.requestsThisMinute = 0
                stats.tokensThisMinute = 0
            }
            stats.requestsThisMinute += 1
            all[id] = stats
            return true
        }
    }

    /// Ends a request begun with `begin`.
    public func end(_ id: String, _ outcome: Outcome) {
        let now = clock()
        state.withLock { all in
            guard var stats = all[id] else { return }
            stats.inFlight = max(0, stats.inFlight - 1)
            switch outcome {
            case .success(let latency, let ttfb):
                stats.breaker.recordSuccess()
                stats.latency.add(latency)
                if let ttfb { stats.timeToFirstByte.add(ttfb) }
                stats.recent.append(true)
            case .failure:
                stats.breaker.recordFailure(now: now)
                stats.recent.append(false)
            case .tenantFailure(let tenant):
                stats.breaker.recordFailure(now: now, tenant: tenant)
                stats.recent.append(false)
            case .neutral:
                stats.breaker.recordAbandoned()
            }
            if stats.recent.count > DeploymentHealth.recentWindow { stats.recent.removeFirst(stats.recent.count - DeploymentHealth.recentWindow) }
            all[id] = stats
        }
    }

    /// Applies an active health probe's result: a failure counts like a failed request; a
    /// success closes a breaker that is open or probing, so traffic returns without waiting.
    public func recordProbe(_ id: String, healthy: Bool) {
        let now = clock()
        state.withLock { all in
            var stats = all[id] ?? DeploymentStats(breaker: makeBreaker())
            if healthy {
                if stats.breaker.state != .closed { stats.breaker.recordSuccess() }
            } else {
                stats.breaker.recordFailure(now: now)
            }
            all[id] = stats
        }
    }

    /// Records a successful attempt's time to first byte for its alias.
    public func recordTimeToFirstByte(alias: String, seconds: Double) {
        aliasTimeToFirstByte.withLock { all in
            var samples = all[alias] ?? []
            samples.append(seconds)
            if samples.count > DeploymentHealth.ttfbSamples { samples.removeFirst(samples.count - DeploymentHealth.ttfbSamples) }
            all[alias] = samples
        }
    }

    /// The alias's 95th-percentile time to first byte over recent requests (nil until enough samples).
    public func p95TimeToFirstByte(alias: String) -> Double? {
        let samples = aliasTimeToFirstByte.withLock { $0[alias] ?? [] }
        guard samples.count >= DeploymentHealth.minimumSamplesForP95 else { return nil }
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.95).rounded(.up)) - 1)]
    }

    /// Adds tokens to the deployment's current minute (for the `usage` strategy).
    public func addTokens(_ id: String, _ tokens: Int) {
        state.withLock { all in
            guard let current = all[id]?.tokensThisMinute else { return }
            let (sum, overflow) = current.addingReportingOverflow(max(0, tokens))
            all[id]?.tokensThisMinute = overflow ? .max : sum
        }
    }

    /// A copy of the stats of `ids` (deployments never used yet get fresh stats).
    public func snapshot(_ ids: [String]) -> [String: DeploymentStats] {
        state.withLock { all in
            Dictionary(uniqueKeysWithValues: ids.map { ($0, all[$0] ?? DeploymentStats(breaker: makeBreaker())) })
        }
    }

    /// Whether the deployment would accept a request now.
    public func isAvailable(_ stats: DeploymentStats) -> Bool {
        stats.breaker.isAvailable(now: clock())
    }
}
