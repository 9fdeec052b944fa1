public import SwitchyardCore

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
    /// `tenant` (the caller's key id) is who the failures a request may cause are charged to
    /// in the breakers (`DeploymentHealth.Outcome.tenantFailure`).
    public func run<Value: Sendable>(
        plan: RoutePlan, deadline: ContinuousClock.Instant, tenant: String? = nil,
        attempt: (Deployment, ContinuousClock.Instant) async throws -> Attempt<Value>
    ) async throws(GatewayError) -> (value: Value, deployment: Deployment, attempts: Int) {
        try await run(plan: plan, deadline: deadline, tenant: tenant, alreadyTried: [], attemptsMade: 0, attempt: attempt)
    }

    func run<Value: Sendable>(
        plan: RoutePlan, deadline: ContinuousClock.Instant, tenant: String?, alreadyTried: Set<String>, attemptsMade: Int,
        attempt: (Deployment, ContinuousClock.Instant) async throws -> Attempt<Value>
    ) async throws(GatewayError) -> (value: Value, deployment: Deployment, attempts: Int) {
        var queue = plan.primary
        var tried = alreadyTried
        var attempts = attemptsMade
        var retriesOfLast = 0
        var last: (deployment: Deployment, error: GatewayError)?
        var random = SystemRandomNumberGenerator()
        var switchedForContext = false, switchedForPolicy = false

        while attempts < maxAttempts, ContinuousClock.now < deadline {
            var next = queue.first { !tried.contains($0.id) && health.begin($0.id) }
            if next == nil, let previous = last, previous.error.isRetryable {
                // Every deployment tried: come back to the last one after a backoff.
                let remaining = ContinuousClock.now.duration(to: deadline)
                let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
                guard let wait = retryPolicy.delay(retry: retriesOfLast, hint: previous.error.retryAfterSeconds, remaining: seconds, using: &random)
                else { break }
                do { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) } catch { break }
                retriesOfLast += 1
                if health.begin(previous.deployment.id) { next = previous.deployment }
            }
            guard let deployment = next else { break }
            tried.insert(deployment.id)
            attempts += 1
            let started = ContinuousClock.now
            do {
                let result = try await attempt(deployment, deadline)
                recordSuccess(deployment, started: started, result: result)
                return (result.value, deployment, attempts)
            } catch {
                let gatewayError = Executor.gatewayError(error)
                health.end(deployment.id, Executor.outcome(of: gatewayError, tenant: tenant))
                if last?.deployment.id != deployment.id { retriesOfLast = 0 }
                last = (deployment, gatewayError)
                if Task.isCancelled { throw gatewayError }
                if gatewayError.kind == .contextLengthExceeded, !switchedForContext, !plan.onContextLength.isEmpty {
                    switchedForContext = true
                    queue = plan.onContextLength
                    continue
                }
                if gatewayError.kind == .contentFiltered, !switchedForPolicy, !plan.onContentPolicy.isEmpty {
                    switchedForPolicy = true
                    queue = plan.onContentPolicy
                    continue
                }
                guard gatewayError.allowsFailover else { throw gatewayError }
            }
        }
        if let last { throw last.error }
        throw GatewayError.noHealthyDeployment(plan.primary.first?.alias ?? "")
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
