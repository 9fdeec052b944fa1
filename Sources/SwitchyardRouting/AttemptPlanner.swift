public import SwitchyardCore

/// Decides, for one request, which attempt comes next — the pure core of `Executor` (DESIGN §1
/// step 6, §6.6): events in (an attempt failed, the hedge timer fired, a backoff elapsed), one
/// action out. No clock, no I/O: the executor owns time, tasks and the breakers' admission, and
/// reports back what happened.
///
/// One planner drives plain and hedged requests alike, so both get the same failover rules:
/// a failed attempt moves to the next untried deployment of the plan; a context-length or
/// content-policy rejection switches (once) to those fallbacks; when every deployment was tried,
/// the last one is retried after a backoff; all within `maxAttempts`. With `hedgeAfter`, the
/// first attempt arms a timer, and if it has not answered when the timer fires, a second
/// attempt races it on the next deployment.
public struct AttemptPlanner: Sendable {
    /// What the executor does next.
    public enum Action: Sendable {
        /// Start an attempt on this deployment, if its breaker admits it (report `.declined`
        /// otherwise). `armHedge`: also start the hedge timer with this delay.
        case start(Deployment, armHedge: Duration?)
        /// Sleep this long, then report `.backoffElapsed`.
        case backoff(Duration)
        /// Nothing to start: wait for a running attempt (or a timer) to report.
        case wait
        /// The request is served by the attempt on this deployment; cancel the others.
        case succeed(Deployment)
        /// The request failed with this error; cancel whatever still runs.
        case fail(GatewayError)
    }

    /// What happened.
    public enum Event: Sendable {
        case begin
        /// The deployment's breaker did not admit the attempt (it was not started).
        case declined(Deployment)
        case succeeded(Deployment)
        case failed(Deployment, GatewayError)
        case hedgeTimerFired
        case backoffElapsed
    }

    private let plan: RoutePlan
    private let maxAttempts: Int
    private let retryPolicy: RetryPolicy
    private let hedgeAfter: Duration?
    private var queue: [Deployment]
    private var tried: Set<String> = []
    private var declinedNow: Set<String> = []
    private var running = 0
    public private(set) var attempts = 0
    private var last: (deployment: Deployment, error: GatewayError)?
    private var retriesOfLast = 0
    private var switchedForContext = false
    private var switchedForPolicy = false
    private var hedgeArmed = false
    /// The last deployment is being retried after a backoff (declining it ends the request).
    private var retrying = false

    public init(plan: RoutePlan, maxAttempts: Int, retryPolicy: RetryPolicy = RetryPolicy(), hedgeAfter: Duration? = nil) {
        self.plan = plan
        self.maxAttempts = max(1, maxAttempts)
        self.retryPolicy = retryPolicy
        self.hedgeAfter = hedgeAfter
        self.queue = plan.primary
    }

    /// The next action after `event`. `remaining` is the time left before the request's
    /// deadline; `random` draws the backoff's jitter.
    public mutating func event(_ event: Event, remaining: Duration, using random: inout some RandomNumberGenerator) -> Action {
        switch event {
        case .begin:
            return startNext(remaining: remaining, using: &random)
        case .declined(let deployment):
            // Not started after all.
            running -= 1
            attempts -= 1
            tried.remove(deployment.id)
            declinedNow.insert(deployment.id)
            if retrying {
                retrying = false
                return finishOrWait(remaining: remaining, using: &random, retryAllowed: false)
            }
            return startNext(remaining: remaining, using: &random)
        case .succeeded(let deployment):
            running -= 1
            return .succeed(deployment)
        case .failed(let deployment, let error):
            running -= 1
            if last?.deployment.id != deployment.id { retriesOfLast = 0 }
            last = (deployment, error)
            if error.kind == .contextLengthExceeded, !switchedForContext, !plan.onContextLength.isEmpty {
                switchedForContext = true
                switchQueue(to: plan.onContextLength)
                return startNext(remaining: remaining, using: &random)
            }
            if error.kind == .contentFiltered, !switchedForPolicy, !plan.onContentPolicy.isEmpty {
                switchedForPolicy = true
                switchQueue(to: plan.onContentPolicy)
                return startNext(remaining: remaining, using: &random)
            }
            guard error.allowsFailover else {
                // The request itself is refused; a racing attempt may still answer.
                return running > 0 ? .wait : .fail(error)
            }
            return startNext(remaining: remaining, using: &random)
        case .hedgeTimerFired:
            guard running > 0 else { return .wait }
            return startNext(remaining: remaining, using: &random, hedge: true)
        case .backoffElapsed:
            guard let previous = last, attempts < maxAttempts, remaining > Duration.zero else { return finish() }
            retriesOfLast += 1
            retrying = true
            return start(previous.deployment)
        }
    }

    // MARK: - Steps

    private mutating func switchQueue(to deployments: [Deployment]) {
        queue = deployments
        // A breaker that refused a deployment of the old queue is asked again in the new one.
        declinedNow = []
    }

    private mutating func startNext(
        remaining: Duration, using random: inout some RandomNumberGenerator, hedge: Bool = false
    ) -> Action {
        guard (attempts < maxAttempts), remaining > Duration.zero else { return running > 0 ? .wait : finish() }
        if let next = queue.first(where: { !tried.contains($0.id) && !declinedNow.contains($0.id) }) {
            retrying = false
            return start(next)
        }
        if hedge { return .wait }
        return finishOrWait(remaining: remaining, using: &random, retryAllowed: true)
    }

    private mutating func start(_ deployment: Deployment) -> Action {
        tried.insert(deployment.id)
        attempts += 1
        running += 1
        var arm: Duration?
        if let hedgeAfter, !hedgeArmed {
            hedgeArmed = true
            arm = hedgeAfter
        }
        return .start(deployment, armHedge: arm)
    }

    /// Every deployment was tried: wait for a racing attempt, come back to the last one after a
    /// backoff, or give up with the last error.
    private mutating func finishOrWait(
        remaining: Duration, using random: inout some RandomNumberGenerator, retryAllowed: Bool
    ) -> Action {
        if running > 0 { return .wait }
        guard retryAllowed, let previous = last, previous.error.isRetryable, attempts < maxAttempts else { return finish() }
        guard let delay = retryPolicy.delay(
            retry: retriesOfLast, hint: previous.error.retryAfterSeconds, remaining: Executor.seconds(remaining), using: &random)
        else { return finish() }
        return .backoff(.nanoseconds(Int64(delay * 1e9)))
    }

    private func finish() -> Action {
        if let last { return .fail(last.error) }
        return .fail(.noHealthyDeployment(plan.primary.first?.alias ?? ""))
    }
}
