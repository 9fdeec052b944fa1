import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardCore
import SwitchyardTesting
import Testing

/// `GET /metrics`: Prometheus text with the served requests, tokens, cost, errors and breakers.
@Suite struct MetricsTests {
    func metrics(_ client: some TestClientProtocol) async throws -> String {
        try await client.execute(uri: "/metrics", method: .get) { response in
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            return String(buffer: response.body)
        }
    }

    @Test func servedRequestsErrorsAndBreakersAreExposed() async throws {
        try await GatewayHarness.run(edit: RouterServerTests.withRouters) { client, _ in
            for body in [chatBody("mini"), chatBody("mini", stream: true), chatBody("router-auto-0")] {
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: body) { response in
                    #expect(response.status == .ok)
                    _ = String(buffer: response.body)
                }
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("no-such-model")) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("resilient")) { response in
                #expect(response.status == .ok)
            }
            let text = try await metrics(client)
            #expect(text.contains(#"switchyard_requests_total{model="mini",provider="fake",status="200",stream="false"} 1"#), "\(text)")
            #expect(text.contains(#"switchyard_requests_total{model="mini",provider="fake",status="200",stream="true"} 1"#))
            #expect(text.contains(#"switchyard_tokens_total{model="mini",provider="fake",kind="prompt"}"#))
            #expect(text.contains(#"switchyard_cost_usd_total{model="mini",provider="fake"}"#))
            #expect(text.contains(#"switchyard_route_decisions_total{router="auto",label="strong",model="claude"} 1"#))
            #expect(text.contains(#"switchyard_errors_total{path="/v1/chat/completions",status="404"} 1"#))
            #expect(text.contains("switchyard_overhead_seconds_bucket"))
            #expect(text.contains("switchyard_time_to_first_byte_seconds_bucket"))
            #expect(text.contains(#"switchyard_retries_total{model="resilient",provider="fake"} 1"#))
            #expect(text.contains(#"switchyard_breaker_state{model="resilient",provider="down""#))
            #expect(text.contains("switchyard_requests_in_flight 0"))
            #expect(!text.contains(GatewayHarness.masterKey) && !text.contains(GatewayHarness.upstreamKey))
        }
    }
}
