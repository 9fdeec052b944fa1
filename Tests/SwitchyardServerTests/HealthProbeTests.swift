import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardCore
import SwitchyardTesting
import Testing

@Suite struct HealthProbeTests {
    @Test func probesOpenTheBreakerOfADeadProviderBeforeAnyTraffic() async throws {
        try await GatewayHarness.run(edit: { configuration in
            configuration.routing.healthProbeSeconds = 0.05
            configuration.routing.cooldownFailures = 2
            configuration.models.append(ModelSettings(name: "probed", targets: [TargetSettings(provider: "down", model: "x")]))
        }) { client, fake in
            var downState: String?
            for _ in 0..<40 {
                try await Task.sleep(for: .milliseconds(50))
                downState = try await client.execute(uri: "/admin/models", method: .get, headers: .authorized) { response in
                    let data = try #require(try json(response.body)["data"] as? [[String: Any]])
                    return data.first { $0["model"] as? String == "probed" }?["state"] as? String
                }
                if downState == "open" { break }
            }
            #expect(downState == "open")
            #expect(!fake.requests.isEmpty && fake.requests.allSatisfy { $0.path == "/v1/models" }, "the live provider is probed too; no chat traffic")
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("probed")) { response in
                #expect(response.status == .serviceUnavailable, "no healthy deployment left")
            }
        }
    }
}
