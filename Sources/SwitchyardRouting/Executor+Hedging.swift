public import SwitchyardCore

extension Executor {
    /// Like `run`, but when the first attempt has not produced its first byte after `hedgeAfter`,
    /// a second attempt goes to the next deployment; the first to answer wins and the other is
    /// cancelled. If both fail, the remaining plan is tried as `run` would.
    public func runHedged<Value: Sendable>(
        plan: RoutePlan, deadline: ContinuousClock.Instant, hedgeAfter: Duration, tenant: String? = nil,
        attempt: @escaping @Sendable (Deployment, ContinuousClock.Instant) async throws -> Attempt<Value>
    ) async throws(GatewayError) -> (value: Value, deployment: Deployment, attempts: Int) {
        var tried: Set<String> = []
        func claimNext() -> Deployment? {
            guard let next = plan.primary.first(where: { !tried.contains($0.id) && health.begin($0.id) }) else { return nil }
            tried.insert(next.id)
            return next
        }
        guard let first = claimNext() else {
            return try await run(plan: plan, deadline: deadline, tenant: tenant, alreadyTried: tried, attemptsMade: 0, attempt: attempt)
        }

        let race: (outcome: Result<(Value, Deployment), GatewayError>, attempts: Int) = await withTaskGroup(of: HedgeEvent<Value>.self) { group in
            let launch: @Sendable (Deployment) async -> HedgeEvent<Value> = { deployment in
                let started = ContinuousClock.now
                do {
                    let result = try await attempt(deployment, deadline)
                    recordSuccess(deployment, started: started, result: result)
                    return .finished(deployment, .success(result.value))
                } catch {
                    let gatewayError = Executor.gatewayError(error)
                    // A cancelled loser says nothing about its deployment's health.
                    health.end(deployment.id, Task.isCancelled ? .neutral : Executor.outcome(of: gatewayError, tenant: tenant))
                    return .finished(deployment, .failure(gatewayError))
                }
            }
            group.addTask { await launch(first) }
            group.addTask {
                try? await Task.sleep(for: hedgeAfter)
                return .hedgeTimerFired
            }
            var running = 1
            var attempts = 1
            var lastError = GatewayError.noHealthyDeployment(first.alias)
            while let event = await group.next() {
                switch event {
                case .hedgeTimerFired:
                    guard running > 0, attempts < maxAttempts, !Task.isCancelled, let second = claimNext() else { continue }
                    running += 1
                    attempts += 1
                    group.addTask { await launch(second) }
                case .finished(let deployment, .success(let value)):
                    group.cancelAll()
                    return (.success((value, deployment)), attempts)
                case .finished(_, .failure(let error)):
                    running -= 1
                    lastError = error
                    if running == 0 {
                        group.cancelAll()
                        return (.failure(error), attempts)
                    }
                }
            }
            return (.failure(lastError), attempts)
        }
        switch race.outcome {
        case .success(let (value, deployment)):
            return (value, deployment, race.attempts)
        case .failure(let error):
            guard error.allowsFailover, race.attempts < maxAttempts else { throw error }
            return try await run(plan: plan, deadline: deadline, tenant: tenant, alreadyTried: tried, attemptsMade: race.attempts, attempt: attempt)
        }
    }
}

/// What a hedged race's child tasks report.
enum HedgeEvent<Value: Sendable>: Sendable {
    case finished(Deployment, Result<Value, GatewayError>)
    case hedgeTimerFired
}
