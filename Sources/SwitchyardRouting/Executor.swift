public import SwitchyardCore

/// What the executor's child tasks report.
enum ExecutorEvent<Value: Sendable>: Sendable {
    case finished(Deployment, Result<Value, GatewayError>)
    case hedgeTimerFired
    case backoffElapsed
    case cancelled
}

/// Runs one request over its `RoutePlan`: a failed attempt moves to the next untried
/// deployment (failover first), then retries the last one with backoff (`RetryPolicy`), all
/// within `maxAttempts` and the request deadline. Every attempt is reported to `DeploymentHealth`,
/// whose breakers take failing deployments out of rotation for all requests.
public struct Executor: Sendable {
    public let maxAttempts: Int
    public let retryPolicy: RetryPolicy
    public let health: DeploymentHealth

    public init(maxAttempts: Int, retryPolicy: RetryPolicy = RetryPolicy(), health: DeploymentHealth) {
        self.maxAttempts = max(1, maxAttempts)
        self.retryPolicy = retryPolicy
        self.health = health
    }

    /// What one attempt produced: its value, and how the deployment should be judged.
    public struct Attempt<Value: Sendable>: Sendable {
        public let value: Value
        /// Seconds to the response head (or first byte for streams), for the latency EWMA.
        public let timeToFirstByte: Double?
        public init(value: Value, timeToFirstByte: Double?) {
            self.value = value
            self.timeToFirstByte = timeToFirstByte
        }
    }

    /// The first successful attempt's value, its deployment and how many attempts were made.
    /// `AttemptPlanner` decides every step; this shell runs the attempts (concurrently when
    /// `hedgeAfter` lets a second one race the first), the timers and the breakers' admission.
    /// `tenant` (the caller's key id) is who the failures a request may cause are charged to
    /// in the breakers (`DeploymentHealth.Outcome.tenantFailure`). `abandon` receives the value
    /// of an attempt that succeeded after another had already won (a hedged race's loser).
    public func run<Value: Sendable>(
        plan: RoutePlan, deadline: ContinuousClock.Instant, tenant: String? = nil, hedgeAfter: Duration? = nil,
        attempt: @escaping @Sendable (Deployment, ContinuousClock.Instant) async throws -> Attempt<Value>,
        abandon: @escaping @Sendable (Value) -> Void = { _ in }
    ) async throws(GatewayError) -> (value: Value, deployment: Deployment, attempts: Int) {
        var planner = AttemptPlanner(plan: plan, maxAttempts: maxAttempts, retryPolicy: retryPolicy, hedgeAfter: hedgeAfter)
        let outcome: Result<(Value, Deployment), GatewayError> = await withTaskGroup(of: ExecutorEvent<Value>.self) { group in
            var random = SystemRandomNumberGenerator()
            var action = planner.event(.begin, remaining: ContinuousClock.now.duration(to: deadline), using: &random)
            var result: Result<(Value, Deployment), GatewayError>?
            var winner: Value?
            // Child tasks not yet reported (attempts, timers): with none, an attempt that arms no
            // hedge runs in this task instead of a child — one task per request on the usual path.
            var running = 0
            while result == nil {
                var event: AttemptPlanner.Event?
                var ranInline: ExecutorEvent<Value>?
                switch action {
                case .start(let deployment, let armHedge):
                    guard health.begin(deployment.id) else {
                        event = .declined(deployment)
                        break
                    }
                    if armHedge == nil, running == 0 {
                        ranInline = await launch(deployment, deadline: deadline, tenant: tenant, attempt: attempt)
                        break
                    }
                    group.addTask { await launch(deployment, deadline: deadline, tenant: tenant, attempt: attempt) }
                    running += 1
                    if let armHedge {
                        group.addTask {
                            try? await Task.sleep(for: armHedge)
                            return .hedgeTimerFired
                        }
                        running += 1
                    }
                case .backoff(let delay):
                    group.addTask {
                        do { try await Task.sleep(for: delay) } catch { return .cancelled }
                        return .backoffElapsed
                    }
                    running += 1
                case .wait:
                    break
                case .succeed(let deployment):
                    result = winner.map { .success(($0, deployment)) } ?? .failure(.internalError("An attempt succeeded without a value."))
                case .fail(let error):
                    result = .failure(error)
                }
                if result != nil { break }
                if event == nil {
                    let next: ExecutorEvent<Value>
                    if let ranInline {
                        next = ranInline
                    } else if let reported = await group.next() {
                        running -= 1
                        next = reported
                    } else {
                        result = .failure(.internalError("The attempt planner waited with nothing running."))
                        break
                    }
                    switch next {
                    case .finished(let deployment, .success(let value)):
                        winner = value
                        event = .succeeded(deployment)
                    case .finished(let deployment, .failure(let error)):
                        event = .failed(deployment, error)
                    case .hedgeTimerFired:
                        event = .hedgeTimerFired
                    case .backoffElapsed:
                        event = .backoffElapsed
                    case .cancelled:
                        result = .failure(.internalError("The request was cancelled."))
                        continue
                    }
                }
                if let event {
                    if Task.isCancelled, case .failed(_, let error) = event {
                        result = .failure(error)
                        break
                    }
                    action = planner.event(event, remaining: ContinuousClock.now.duration(to: deadline), using: &random)
                }
            }
            group.cancelAll()
            // A hedged race's loser that still answered: its value is not wanted.
            while let late = await group.next() {
                if case .finished(_, .success(let value)) = late { abandon(value) }
            }
            return result ?? .failure(.internalError("The attempt planner ended without a result."))
        }
        switch outcome {
        case .success(let (value, deployment)): return (value, deployment, planner.attempts)
        case .failure(let error): throw error
        }
    }

    /// One attempt as a child task: runs it and reports how the deployment fared.
    private func launch<Value: Sendable>(
        _ deployment: Deployment, deadline: ContinuousClock.Instant, tenant: String?,
        attempt: @Sendable (Deployment, ContinuousClock.Instant) async throws -> Attempt<Value>
    ) async -> ExecutorEvent<Value> {
        let started = ContinuousClock.now
        do {
            let result = try await attempt(deployment, deadline)
            recordSuccess(deployment, started: started, result: result)
            return .finished(deployment, .success(result.value))
        } catch {
            let gatewayError = Executor.gatewayError(error)
            // A cancelled attempt (a hedged race's loser) says nothing about its deployment's health.
            health.end(deployment.id, Task.isCancelled ? .neutral : Executor.outcome(of: gatewayError, tenant: tenant))
            return .finished(deployment, .failure(gatewayError))
        }
    }

    func recordSuccess<Value>(_ deployment: Deployment, started: ContinuousClock.Instant, result: Attempt<Value>) {
        let elapsed = Executor.seconds(started.duration(to: .now))
        health.end(deployment.id, .success(latency: elapsed, timeToFirstByte: result.timeToFirstByte))
        if let ttfb = result.timeToFirstByte { health.recordTimeToFirstByte(alias: deployment.alias, seconds: ttfb) }
    }

    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// How a failed attempt is judged: no verdict for client errors; a tenant's failure where
    /// the request's content may be the cause; a plain failure otherwise.
    static func outcome(of error: GatewayError, tenant: String?) -> DeploymentHealth.Outcome {
        guard error.countsAgainstDeployment else { return .neutral }
        if let tenant, error.mayBeCausedByRequest { return .tenantFailure(tenant) }
        return .failure
    }

    static func gatewayError(_ error: any Error) -> GatewayError {
        if let error = error as? GatewayError { return error }
        if error is CancellationError { return .internalError("The request was cancelled.") }
        return .internalError("Unexpected failure: \(error)")
    }
}

extension GatewayError {
    /// Whether this failure says something about the deployment's health (feeds its breaker).
    var countsAgainstDeployment: Bool {
        isRetryable || kind == .upstreamAuthentication || kind == .upstreamQuotaExhausted
    }

    /// Failures a request's own content can provoke (a body the upstream chokes on, an answer
    /// the gateway cannot read, a generation too long for the deadline).
    var mayBeCausedByRequest: Bool {
        kind == .upstreamMalformed || kind == .upstreamServerError || kind == .upstreamTimeout
    }
}
