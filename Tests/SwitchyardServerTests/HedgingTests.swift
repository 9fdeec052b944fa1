import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardCore
import SwitchyardTesting
import Testing

@Suite struct HedgingTests {
    @Test func aSlowStartIsHedgedToAnotherDeploymentAndTheLoserCancelled() async throws {
        try await GatewayHarness.run(edit: { configuration in
            configuration.routing.firstByteTimeoutSeconds = 5
            var model = ModelSettings(name: "hedged", targets: [
                TargetSettings(provider: "fake", model: "fault-slow-first-byte", weight: 1000),
                TargetSettings(provider: "fake", model: "gpt-4o-mini", weight: 0),
            ])
            model.hedge = true
            model.hedgeAfterSeconds = 0.1
            configuration.models.append(model)
        }) { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("hedged", stream: true)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-attempts")!] == "2")
                #expect(String(buffer: response.body).hasSuffix("data: [DONE]\n\n"))
            }
            // Both went out (in either order at the fake: on a loaded machine the hedge may land first).
            #expect(Set(fake.requests.compactMap { $0.json?["model"] as? String }) == ["fault-slow-first-byte", "gpt-4o-mini"])
            for _ in 0..<60 where fake.streamsCancelled == 0 { try await Task.sleep(for: .milliseconds(50)) }
            #expect(fake.streamsCancelled == 1, "the slow loser was cancelled (completed: \(fake.streamsCompleted))")
        }
    }

    @Test func aFastFirstAttemptIsNotHedged() async throws {
        try await GatewayHarness.run(edit: { configuration in
            var model = ModelSettings(name: "hedged", targets: [
                TargetSettings(provider: "fake", model: "gpt-4o-mini", weight: 1000),
                TargetSettings(provider: "fake", model: "fault-slow-first-byte", weight: 0),
            ])
            model.hedge = true
            model.hedgeAfterSeconds = 2
            configuration.models.append(model)
        }) { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("hedged")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-attempts")!] == "1")
            }
            #expect(fake.requests.count == 1)
        }
    }

    /// Regression: hedged execution was a second loop that skipped the fallbacks, so a hedged
    /// alias answered a context-length error with a 400 instead of trying its
    /// `context_window_fallbacks` (and an ordinary failure never reached `fallbacks`).
    @Test func aHedgedAliasStillTriesItsFallbacks() async throws {
        try await GatewayHarness.run(edit: { configuration in
            var model = ModelSettings(name: "hedged", targets: [TargetSettings(provider: "fake", model: "fault-400_context_length")])
            // Armed, but long enough never to fire on a loaded machine: the path under test is the
            // planner's failover with a hedge armed, not the race.
            model.hedge = true
            model.hedgeAfterSeconds = 60
            model.contextWindowFallbacks = ["big"]
            model.fallbacks = ["spare"]
            configuration.models.append(model)
            configuration.models.append(ModelSettings(name: "big", targets: [TargetSettings(provider: "fake", model: "gpt-4o-mini")]))
            var failing = ModelSettings(name: "hedged-failing", targets: [TargetSettings(provider: "fake", model: "fault-status-502")])
            failing.hedge = true
            failing.hedgeAfterSeconds = 60
            failing.fallbacks = ["spare"]
            configuration.models.append(failing)
            configuration.models.append(ModelSettings(name: "spare", targets: [TargetSettings(provider: "fake", model: "gpt-4o")]))
        }) { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("hedged")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-model")!] == "big")
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("hedged-failing", stream: true)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-model")!] == "spare")
            }
            #expect(fake.requests.map { $0.json?["model"] as? String } == ["fault-400_context_length", "gpt-4o-mini", "fault-status-502", "gpt-4o"])
        }
    }
}
