import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardCore
import SwitchyardTesting
import Testing

/// `tracing:` — OpenTelemetry spans over OTLP/HTTP to a collector, continuing the caller's trace.
@Suite struct TracingTests {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let parentSpanID = "00f067aa0ba902b7"

    @Test func aRequestBecomesAServerSpanWithAnUpstreamChildAndTheTraceReachesTheProvider() async throws {
        let collector = try await ScriptedHTTPServer { _, _ in .respond(ScriptedHTTPServer.json("{}")) }
        let endpoint = "http://127.0.0.1:\(collector.port)"
        try await GatewayHarness.run(edit: { configuration in
            configuration.tracing.otlpEndpoint = endpoint
            configuration.tracing.otlpProtocol = "http/json"
        }) { client, fake in
            var headers = HTTPFields.authorized
            headers[HTTPField.Name("traceparent")!] = "00-\(Self.traceID)-\(Self.parentSpanID)-01"
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: chatBody("mini")) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("mini", stream: true)) { response in
                #expect(response.status == .ok)
                _ = String(buffer: response.body)
            }
            let upstreamTrace = try #require(fake.requests.first?.headers["traceparent"])
            #expect(upstreamTrace.hasPrefix("00-\(Self.traceID)-"))
            #expect(!upstreamTrace.contains(Self.parentSpanID), "the provider sees the gateway's client span as its parent")
        }
        // Shutting the gateway down flushed the batch of spans.
        var exported = ""
        for _ in 0..<50 where !exported.contains("chat gpt-4o-mini") || exported.components(separatedBy: "POST /v1/chat/completions").count < 3 {
            try await Task.sleep(for: .milliseconds(100))
            exported = collector.bodies.joined(separator: "\n")
        }
        #expect(exported.contains(#""name":"POST /v1/chat/completions""#), "\(exported.prefix(2000))")
        #expect(exported.contains(#""name":"chat gpt-4o-mini""#))
        // Both the streamed and the buffered request were metered onto their spans.
        #expect(exported.components(separatedBy: #""key":"gen_ai.usage.output_tokens""#).count == 3)
        #expect(exported.contains(#""key":"gen_ai.provider.name""#))
        #expect(exported.contains(#""key":"server.address","value":{"stringValue":"127.0.0.1"}"#))
        let base64 = Data(hex: Self.traceID).base64EncodedString()
        #expect(exported.contains(Self.traceID) || exported.contains(base64), "the caller's trace is continued")
        try await collector.close()
    }

    @Test func tracingIsOffUnlessConfigured() async throws {
        try await GatewayHarness.run { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("mini")) { response in
                #expect(response.status == .ok)
            }
            #expect(fake.requests.first?.headers["traceparent"] == nil)
        }
    }
}

extension Data {
    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        self.init(bytes)
    }
}
