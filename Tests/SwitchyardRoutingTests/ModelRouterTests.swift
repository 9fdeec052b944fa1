import Synchronization
import Testing
import SwitchyardCore
import SwitchyardProviders
@testable import SwitchyardRouting

/// A deterministic generator (SplitMix64) so weighted choices are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

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
        var random = SeededGenerator(state: 42)
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
        var random = SeededGenerator(state: 1)
        #expect(try router.candidates(for: "a", using: &random).map(\.providerName) == ["main", "spare", "other"])
        #expect(router.aliases == ["a", "b"])
    }

    @Test func unknownModelIs404() {
        let router = ModelRouter(groups: [])
        var random = SeededGenerator(state: 1)
        #expect(throws: GatewayError.modelNotFound("nope")) { try router.candidates(for: "nope", using: &random) }
    }
}

@Suite struct ExecutorTests {
    let candidates = [deployment("m", "first"), deployment("m", "second")]

    @Test func failsOverOnRetryableErrors() async throws {
        let result = try await Executor(maxAttempts: 3).run(candidates: candidates) { deployment in
            if deployment.providerName == "first" { throw GatewayError.upstreamUnreachable("first") }
            return deployment.providerName
        }
        #expect(result.value == "second")
        #expect(result.attempts == 2)
    }

    @Test func stopsAtClientErrors() async {
        let counter = Counter()
        await #expect(throws: GatewayError.invalidRequest("bad")) {
            try await Executor(maxAttempts: 3).run(candidates: candidates) { _ -> String in
                counter.increment()
                throw GatewayError.invalidRequest("bad")
            }
        }
        #expect(counter.value == 1)
    }

    @Test func boundsAttemptsAndReturnsTheLastError() async {
        let counter = Counter()
        await #expect(throws: GatewayError.upstream(.upstreamServerError, "boom", status: 500)) {
            try await Executor(maxAttempts: 3, maxBackoffSeconds: 0).run(candidates: candidates) { _ -> String in
                counter.increment()
                throw GatewayError.upstream(.upstreamServerError, "boom", status: 500)
            }
        }
        #expect(counter.value == 3)
    }
}

final class Counter: Sendable {
    private let storage = Mutex(0)
    func increment() { storage.withLock { $0 += 1 } }
    var value: Int { storage.withLock { $0 } }
}
