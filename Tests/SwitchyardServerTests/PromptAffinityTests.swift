import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting
import SwitchyardTesting
import Testing

@Suite struct PromptAffinityTests {
    static func deployment(_ id: String) -> Deployment {
        Deployment(
            alias: "a", providerName: id, upstreamModel: "m", weight: 1,
            adapter: OpenAICompatibleAdapter(providerName: id, preset: OpenAICompatiblePreset.all["openai-compatible"]!, baseURL: "http://x", apiKey: nil))
    }

    @Test func rendezvousOrderIsStableAndARemovedDeploymentMovesOnlyItsOwnPrefixes() {
        let three = ["p1", "p2", "p3"].map(Self.deployment)
        var moved = 0
        for key in (0..<300).map({ UInt64($0) &* 0x9E37_79B9 }) {
            let first = PromptAffinity.order(three, key: key)[0]
            #expect(PromptAffinity.order(three.reversed(), key: key)[0].id == first.id, "the order of the config does not matter")
            let without = PromptAffinity.order(three.filter { $0.id != "p3#0" && $0.providerName != "p3" }, key: key)[0]
            if first.providerName != "p3" { #expect(without.id == first.id, "prefixes of the others stay where they were") } else { moved += 1 }
        }
        #expect((60...140).contains(moved), "about a third of the prefixes lived on p3: \(moved)")
        #expect(PromptAffinity.key(prefixBytes: [Array(repeating: 65, count: 4000)[...]]) == nil, "under 1,024 tokens: no affinity")
        let long = Array(repeating: UInt8(65), count: 5000)
        #expect(PromptAffinity.key(prefixBytes: [long[...]]) == PromptAffinity.key(prefixBytes: [long[...]]))
        #expect(PromptAffinity.key(prefixBytes: [long[...]]) != PromptAffinity.key(prefixBytes: [long.dropLast()]))
    }

    /// Replays conversations sharing five long system prompts against two deployments whose fake
    /// provider caches prefixes per deployment: the share of prompt tokens served from its cache
    /// with affinity, and with the strategy spreading requests.
    @Test func affinityKeepsAPrefixOnOneDeploymentSoItsCacheKeepsHitting() async throws {
        try await GatewayHarness.run(edit: { configuration in
            configuration.models.append(ModelSettings(name: "sticky", targets: [
                TargetSettings(provider: "fake", model: "prefix-cache-a"), TargetSettings(provider: "fake", model: "prefix-cache-b"),
            ], price: Price(input: 1, output: 1)))
            var spread = ModelSettings(name: "spread", targets: [
                TargetSettings(provider: "fake", model: "prefix-cache-c"), TargetSettings(provider: "fake", model: "prefix-cache-d"),
            ], price: Price(input: 1, output: 1))
            spread.promptCacheAffinity = false
            configuration.models.append(spread)
        }) { client, _ in
            func replay(_ alias: String) async throws -> (cached: Int, prompt: Int, hits: Int) {
                var totals = (cached: 0, prompt: 0, hits: 0)
                for round in 0..<8 {
                    for prompt in 0..<5 {
                        let system = "You are assistant number \(prompt). " + String(repeating: "Follow the house style guide closely. ", count: 130)
                        let body = #"{"model":"\#(alias)","messages":[{"role":"system","content":"\#(system)"},{"role":"user","content":"question \#(round)"}]}"#
                        let usage = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: ByteBuffer(string: body)) {
                            try json($0.body)["usage"] as? [String: Any]
                        }
                        let cached = (usage?["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int ?? 0
                        totals.cached += cached
                        totals.prompt += usage?["prompt_tokens"] as? Int ?? 0
                        totals.hits += cached > 0 ? 1 : 0
                    }
                }
                return totals
            }
            let sticky = try await replay("sticky")
            let spread = try await replay("spread")
            print("prompt-cache replay: 40 requests, 5 prefixes of ~1,200 tokens, 2 deployments — cached-token share with affinity "
                + "\(Double(sticky.cached) / Double(sticky.prompt)), without \(Double(spread.cached) / Double(spread.prompt))")
            #expect(sticky.hits == 35, "with affinity only each prefix's first request misses")
            #expect(spread.hits < sticky.hits, "spread by the strategy, each deployment misses each prefix once")
        }
    }
}
