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
            #expect(fake.requests.map { $0.json?["model"] as? String } == ["fault-slow-first-byte", "gpt-4o-mini"])
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
}
