import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import SwitchyardTesting

@Suite struct FailoverTests {
    @Test func aDeploymentThatRefusesConnectionsFailsOverToTheNext() async throws {
        try await GatewayHarness.run { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("resilient")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-provider")!] == "fake")
                #expect(response.headers[HTTPField.Name("x-switchyard-attempts")!] == "2")
            }
            #expect(fake.requests.count == 1)
        }
    }

    @Test func aRetryableUpstreamErrorIsRetried() async throws {
        try await GatewayHarness.run { client, fake in
            fake.failNext(1, with: "500_server_error")
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("mini")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-attempts")!] == "2")
            }
            #expect(fake.requests.count == 2)
        }
    }

    @Test func configuredFallbacksServeWhenTheAliasFails() async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("with-fallback")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-model")!] == "mini")
            }
        }
    }
}
