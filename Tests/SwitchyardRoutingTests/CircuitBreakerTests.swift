import SwitchyardCore
import SwitchyardProviders
import Testing
@testable import SwitchyardRouting

@Suite struct CircuitBreakerTests {
    @Test func opensAfterThresholdFailuresInTheWindowAndProbesAfterCooldown() {
        var breaker = CircuitBreaker(failureThreshold: 3, window: 10, cooldown: 5)
        breaker.recordFailure(now: 0)
        breaker.recordFailure(now: 1)
        #expect(breaker.state == .closed)
        breaker.recordFailure(now: 2)
        #expect(breaker.state == .open)
        let permitted1 = breaker.permit(now: 6)
        #expect(!permitted1)
        let permitted2 = breaker.permit(now: 7.5)
        #expect(permitted2)
        #expect(breaker.state == .halfOpen)
        let permitted3 = breaker.permit(now: 7.6)
        #expect(!permitted3, "one probe at a time")
        breaker.recordFailure(now: 8)
        #expect(breaker.state == .open)
        let permitted4 = breaker.permit(now: 13.5)
        #expect(permitted4)
        breaker.recordSuccess()
        #expect(breaker.state == .closed)
    }

    @Test func failuresOutsideTheWindowDoNotCount() {
        var breaker = CircuitBreaker(failureThreshold: 2, window: 10, cooldown: 5)
        breaker.recordFailure(now: 0)
        breaker.recordFailure(now: 20)
        #expect(breaker.state == .closed)
    }

    @Test func anAbandonedProbeFreesTheSlot() {
        var breaker = CircuitBreaker(failureThreshold: 1, window: 10, cooldown: 1)
        breaker.recordFailure(now: 0)
        let permitted5 = breaker.permit(now: 2)
        #expect(permitted5)
        breaker.recordAbandoned()
        let permitted6 = breaker.permit(now: 2.1)
        #expect(permitted6)
    }
}

@Suite struct RetryPolicyTests {
    @Test func backoffGrowsWithJitterAndHonoursHintsAndDeadlines() {
        let policy = RetryPolicy(baseDelay: 0.5, maxDelay: 8, longHint: 60)
        var random = SeededGenerator(seed: 3)
        for retry in 0..<8 {
            let delay = policy.delay(retry: retry, hint: nil, remaining: 100, using: &random)
            #expect(delay != nil && delay! >= 0 && delay! <= min(8, 0.5 * Double(1 << retry)))
        }
        #expect(policy.delay(retry: 0, hint: 2, remaining: 100, using: &random) == 2)
        #expect(policy.delay(retry: 0, hint: 90, remaining: 100, using: &random) == nil, "long hints fail over instead")
        #expect(policy.delay(retry: 0, hint: 2, remaining: 1, using: &random) == nil, "never past the deadline")
    }
}

@Suite struct RoutingStrategyTests {
    let health = DeploymentHealth(failureThreshold: 3, cooldown: 30)

    @Test func latencyPrefersTheFasterDeploymentOfTwo() {
        let fast = deployment("m", "fast"), slow = deployment("m", "slow")
        for _ in 0..<5 {
            _ = health.begin(fast.id); health.end(fast.id, .success(latency: 0.1, timeToFirstByte: nil))
            _ = health.begin(slow.id); health.end(slow.id, .success(latency: 2.0, timeToFirstByte: nil))
        }
        var random = SeededGenerator(seed: 9)
        let stats = health.snapshot([fast.id, slow.id])
        for _ in 0..<20 {
            #expect(RoutingStrategy.latency.order([slow, fast], stats: stats, health: health, using: &random).first?.providerName == "fast")
        }
    }

    @Test func leastBusyPrefersFewerInFlight() {
        let busy = deployment("m", "busy"), idle = deployment("m", "idle")
        _ = health.begin(busy.id)
        var random = SeededGenerator(seed: 1)
        let order = RoutingStrategy.leastBusy.order([busy, idle], stats: health.snapshot([busy.id, idle.id]), health: health, using: &random)
        #expect(order.map(\.providerName) == ["idle", "busy"])
    }

    @Test func costPrefersTheCheaperDeployment() {
        let preset = OpenAICompatiblePreset.all["openai-compatible"]!
        func priced(_ name: String, _ input: Double) -> Deployment {
            Deployment(alias: "m", providerName: name, upstreamModel: "x", weight: 1,
                adapter: OpenAICompatibleAdapter(providerName: name, preset: preset, baseURL: "http://127.0.0.1:9", apiKey: nil),
                price: Price(input: input, output: input))
        }
        var random = SeededGenerator(seed: 1)
        let order = RoutingStrategy.cost.order([priced("dear", 5), priced("cheap", 0.1)], stats: [:], health: health, using: &random)
        #expect(order.first?.providerName == "cheap")
    }

    @Test func usagePrefersHeadroomAgainstRPMLimits() {
        let preset = OpenAICompatiblePreset.all["openai-compatible"]!
        func limited(_ name: String, rpm: Int) -> Deployment {
            Deployment(alias: "m", providerName: name, upstreamModel: "x", weight: 1,
                adapter: OpenAICompatibleAdapter(providerName: name, preset: preset, baseURL: "http://127.0.0.1:9", apiKey: nil), rpmLimit: rpm)
        }
        let small = limited("small", rpm: 2), large = limited("large", rpm: 100)
        _ = health.begin(small.id); health.end(small.id, .neutral)
        var random = SeededGenerator(seed: 1)
        let order = RoutingStrategy.usage.order([small, large], stats: health.snapshot([small.id, large.id]), health: health, using: &random)
        #expect(order.first?.providerName == "large")
    }
}

/// Blast radius (#12): failures a request may have caused are charged to its tenant; one tenant
/// alone cannot open a breaker for everyone.
@Suite struct TenantAttributedBreakerTests {
    @Test func oneTenantsFailuresAloneNeverOpenIt() {
        var breaker = CircuitBreaker(failureThreshold: 3, window: 60, cooldown: 30)
        for second in 0..<50 { breaker.recordFailure(now: Double(second) * 0.1, tenant: "key_a") }
        #expect(breaker.state == .closed)
    }

    @Test func twoTenantsOrUnattributedFailuresOpenIt() {
        var two = CircuitBreaker(failureThreshold: 3, window: 60, cooldown: 30)
        two.recordFailure(now: 0, tenant: "key_a")
        two.recordFailure(now: 1, tenant: "key_a")
        #expect(two.state == .closed)
        two.recordFailure(now: 2, tenant: "key_b")
        #expect(two.state == .open)
        var mixed = CircuitBreaker(failureThreshold: 3, window: 60, cooldown: 30)
        mixed.recordFailure(now: 0, tenant: "key_a")
        mixed.recordFailure(now: 1, tenant: "key_a")
        mixed.recordFailure(now: 2, tenant: "key_a")
        mixed.recordFailure(now: 3)
        #expect(mixed.state == .open, "2 (one tenant's cap) + 1 unattributed reach 3")
    }

    @Test func aTenantsFailedProbeDoesNotReopenIt() {
        var breaker = CircuitBreaker(failureThreshold: 1, window: 60, cooldown: 1)
        breaker.recordFailure(now: 0)
        #expect(breaker.state == .open)
        let probe = breaker.permit(now: 2)
        #expect(probe)
        breaker.recordFailure(now: 2, tenant: "key_a")
        #expect(breaker.state == .halfOpen)
        let next = breaker.permit(now: 2.1)
        #expect(next, "the next request probes again")
    }

    @Test func theExecutorChargesOnlyRequestCausableFailuresToTheTenant() {
        #expect(Executor.outcome(of: .upstreamMalformed("p", "x"), tenant: "k") == .tenantFailure("k"))
        #expect(Executor.outcome(of: .upstreamTimeout("p"), tenant: "k") == .tenantFailure("k"))
        #expect(Executor.outcome(of: .upstreamUnreachable("p"), tenant: "k") == .failure)
        #expect(Executor.outcome(of: .upstreamMalformed("p", "x"), tenant: nil) == .failure)
        #expect(Executor.outcome(of: .invalidRequest("x"), tenant: "k") == .neutral)
    }
}
