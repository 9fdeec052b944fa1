import Synchronization
import Testing
import SwitchyardCore
import SwitchyardProviders
@testable import SwitchyardRouting

/// A deterministic generator so weighted choices are reproducible (the one the router metrics use).
typealias SeededGenerator = SplitMix64

func deployment(_ alias: String, _ provider: String, weight: Double = 1) -> Deployment {
    let preset = OpenAICompatiblePreset.all["openai-compatible"]!
    return Deployment(alias: alias, providerName: provider, upstreamModel: "m", weight: weight,
        adapter: OpenAICompatibleAdapter(providerName: provider, preset: preset, baseURL: "http://127.0.0.1:9", apiKey: nil))
}

@Suite struct ModelRouterTests {
    @Test func weightsAreRespectedWithinTolerance() throws {
        let router = ModelRouter(groups: [
            ModelGroup(name: "mini", deployments: [deployment("mini", "a", weight: 3), deployment("mini", "b", weight: 1)],
                price: nil, contextWindow: nil, fallbacks: [])
        ])
        var random = SeededGenerator(seed: 42)
        var firsts: [String: Int] = [:]
        for _ in 0..<10_000 {
            let candidates = try router.candidates(for: "mini", using: &random)
            #expect(candidates.count == 2)
            firsts[candidates[0].providerName, default: 0] += 1
        }
        let share = Double(firsts["a", default: 0]) / 10_000
        #expect(abs(share - 0.75) < 0.02)
    }

    @Test func fallbacksFollowTheAliasAndZeroWeightsGoLast() throws {
        let router = ModelRouter(groups: [
            ModelGroup(name: "a", deployments: [deployment("a", "spare", weight: 0), deployment("a", "main")],
                price: nil, contextWindow: nil, fallbacks: ["b", "a"]),
            ModelGroup(name: "b", deployments: [deployment("b", "other")], price: nil, contextWindow: nil, fallbacks: []),
        ])
        var random = SeededGenerator(seed: 1)
        #expect(try router.candidates(for: "a", using: &random).map(\.providerName) == ["main", "spare", "other"])
        #expect(router.aliases == ["a", "b"])
    }

    @Test func unknownModelIs404() {
        let router = ModelRouter(groups: [])
        var random = SeededGenerator(seed: 1)
        #expect(throws: GatewayError.modelNotFound("nope")) { try router.candidates(for: "nope", using: &random) }
    }
}

/// A clock the tests move by hand.
final class ManualClock: Sendable {
    private let storage = Mutex(0.0)
    var now: Double { storage.withLock { $0 } }
    func advance(_ seconds: Double) { storage.withLock { $0 += seconds } }
}

@Suite struct ExecutorTests {
    let candidates = [deployment("m", "first"), deployment("m", "second")]
    var plan: RoutePlan { RoutePlan(primary: candidates, onContextLength: [], onContentPolicy: []) }
    /// Two minutes from when a test asks (not from when the suite was made: a loaded machine may
    /// start a test late, and the whole suite starting at once can keep a backoff's wake-up waiting
    /// for seconds). No test here is about the deadline itself.
    var deadline: ContinuousClock.Instant { .now + .seconds(120) }

    func executor(attempts: Int = 3, health: DeploymentHealth = DeploymentHealth(failureThreshold: 100, cooldown: 30)) -> Executor {
        Executor(maxAttempts: attempts, retryPolicy: RetryPolicy(baseDelay: 0.001, maxDelay: 0.002), health: health)
    }

    @Test func failsOverOnRetryableErrors() async throws {
        let result = try await executor().run(plan: plan, deadline: deadline) { deployment, _ in
            if deployment.providerName == "first" { throw GatewayError.upstreamUnreachable("first") }
            return Executor.Attempt(value: deployment.providerName, timeToFirstByte: nil)
        }
        #expect(result.value == "second")
        #expect(result.attempts == 2)
    }

    /// Without a hedge (nothing else to race) every attempt — failover included — runs in the
    /// caller's task, not a child task per attempt; with a hedge armed, attempts are child tasks.
    @Test func attemptsWithoutAHedgeRunInTheCallersTask() async throws {
        // A task's identity (`UnsafeCurrentTask` is Hashable; its hash is the task's).
        @Sendable func currentTask() -> Int? { withUnsafeCurrentTask { $0?.hashValue } }
        let caller = currentTask()
        let tasks = Mutex<[Int?]>([])
        let result = try await executor().run(plan: plan, deadline: deadline) { deployment, _ in
            tasks.withLock { $0.append(currentTask()) }
            if deployment.providerName == "first" { throw GatewayError.upstreamUnreachable("first") }
            return Executor.Attempt(value: deployment.providerName, timeToFirstByte: nil)
        }
        #expect(result.value == "second")
        #expect(tasks.withLock { $0 } == [caller, caller])

        let hedged = Mutex<[Int?]>([])
        _ = try await executor().run(plan: plan, deadline: deadline, hedgeAfter: .seconds(60)) { deployment, _ in
            hedged.withLock { $0.append(currentTask()) }
            return Executor.Attempt(value: deployment.providerName, timeToFirstByte: nil)
        }
        #expect(hedged.withLock { $0.count } == 1)
        #expect(hedged.withLock { $0 } != [caller])
    }

    @Test func stopsAtClientErrors() async {
        let counter = Counter()
        await #expect(throws: GatewayError.invalidRequest("bad")) {
            try await executor().run(plan: plan, deadline: deadline) { _, _ -> Executor.Attempt<String> in
                counter.increment()
                throw GatewayError.invalidRequest("bad")
            }
        }
        #expect(counter.value == 1)
    }

    @Test func boundsAttemptsAndReturnsTheLastError() async {
        let counter = Counter()
        await #expect(throws: GatewayError.upstream(.upstreamServerError, "boom", status: 500)) {
            try await executor().run(plan: plan, deadline: deadline) { _, _ -> Executor.Attempt<String> in
                counter.increment()
                throw GatewayError.upstream(.upstreamServerError, "boom", status: 500)
            }
        }
        #expect(counter.value == 3)
    }

    @Test func retriesTheSameDeploymentWhenItIsTheOnlyOne() async throws {
        let counter = Counter()
        let single = RoutePlan(primary: [candidates[0]], onContextLength: [], onContentPolicy: [])
        let result = try await executor().run(plan: single, deadline: deadline) { _, _ in
            counter.increment()
            if counter.value < 3 { throw GatewayError.upstream(.upstreamOverloaded, "busy", status: 503) }
            return Executor.Attempt(value: "ok", timeToFirstByte: nil)
        }
        #expect(result.attempts == 3)
    }

    @Test func aLongRetryHintIsNotWaitedOut() async {
        let counter = Counter()
        let single = RoutePlan(primary: [candidates[0]], onContextLength: [], onContentPolicy: [])
        await #expect(throws: GatewayError.self) {
            try await executor().run(plan: single, deadline: deadline) { _, _ -> Executor.Attempt<String> in
                counter.increment()
                throw GatewayError.upstream(.upstreamRateLimited, "slow down", status: 429, retryAfterSeconds: 600)
            }
        }
        #expect(counter.value == 1)
    }

    @Test func contextLengthErrorsMoveToTheContextWindowFallbacks() async throws {
        let big = deployment("big", "large-context")
        let withFallback = RoutePlan(primary: [candidates[0]], onContextLength: [big], onContentPolicy: [])
        let result = try await executor().run(plan: withFallback, deadline: deadline) { deployment, _ in
            if deployment.alias == "m" { throw GatewayError.contextLengthExceeded("too long") }
            return Executor.Attempt(value: deployment.alias, timeToFirstByte: nil)
        }
        #expect(result.value == "big")
    }

    @Test func openBreakersTakeADeploymentOutForEveryone() async throws {
        let clock = ManualClock()
        let health = DeploymentHealth(failureThreshold: 2, window: 60, cooldown: 10, clock: { clock.now })
        let executor = executor(attempts: 2, health: health)
        for _ in 0..<2 {
            _ = try await executor.run(plan: plan, deadline: deadline) { deployment, _ in
                if deployment.providerName == "first" { throw GatewayError.upstreamUnreachable("first") }
                return Executor.Attempt(value: "ok", timeToFirstByte: nil)
            }
        }
        let tried = Counter()
        _ = try await executor.run(plan: plan, deadline: deadline) { deployment, _ in
            if deployment.providerName == "first" { tried.increment() }
            return Executor.Attempt(value: "ok", timeToFirstByte: nil)
        }
        #expect(tried.value == 0, "breaker open: the first deployment is skipped")
        clock.advance(11)
        let probe = try await executor.run(plan: plan, deadline: deadline) { deployment, _ in
            Executor.Attempt(value: deployment.providerName, timeToFirstByte: nil)
        }
        #expect(probe.value == "first", "after the cooldown one probe goes through and closes the breaker")
        #expect(health.snapshot([candidates[0].id])[candidates[0].id]?.breaker.state == .closed)
    }

    @Test func allBreakersOpenIs503() async throws {
        let health = DeploymentHealth(failureThreshold: 1, cooldown: 60)
        let single = RoutePlan(primary: [candidates[0]], onContextLength: [], onContentPolicy: [])
        _ = try? await executor(attempts: 1, health: health).run(plan: single, deadline: deadline) { _, _ -> Executor.Attempt<String> in
            throw GatewayError.upstreamUnreachable("first")
        }
        await #expect(throws: GatewayError.noHealthyDeployment("m")) {
            try await executor(health: health).run(plan: single, deadline: deadline) { _, _ in
                Executor.Attempt(value: "never", timeToFirstByte: nil)
            }
        }
    }
}

final class Counter: Sendable {
    private let storage = Mutex(0)
    func increment() { storage.withLock { $0 += 1 } }
    var value: Int { storage.withLock { $0 } }
}
