import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardCore
import SwitchyardTesting
import Testing

func json(_ buffer: ByteBuffer) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
}

func errorObject(_ buffer: ByteBuffer) throws -> [String: Any] {
    try #require(try json(buffer)["error"] as? [String: Any])
}

func chatBody(_ model: String, stream: Bool = false, extra: String = "") -> ByteBuffer {
    ByteBuffer(string: #"{"model":"\#(model)","stream":\#(stream),"messages":[{"role":"user","content":"Hello!"}]\#(extra)}"#)
}

@Suite struct ChatCompletionsTests {
    @Test func nonStreamingReturnsTheUpstreamBodyWithGatewayHeaders() async throws {
        try await GatewayHarness.run { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("mini")) { response in
                #expect(response.status == .ok)
                let body = try json(response.body)
                #expect(body["object"] as? String == "chat.completion")
                #expect(response.headers[HTTPField.Name("x-switchyard-model")!] == "mini")
                #expect(response.headers[HTTPField.Name("x-switchyard-provider")!] == "fake")
                #expect(response.headers[HTTPField.Name("x-request-id")!]?.hasPrefix("req_") == true)
                #expect(Double(response.headers[HTTPField.Name("x-switchyard-overhead-ms")!] ?? "") != nil)
                // 19 prompt tokens × 0.15 + 10 completion tokens × 0.60 per million
                #expect(response.headers[HTTPField.Name("x-switchyard-cost-usd")!] == "0.00000885")
            }
            let sent = try #require(fake.requests.last)
            #expect(sent.headers["authorization"] == "Bearer \(GatewayHarness.upstreamKey)")
            #expect(sent.json?["model"] as? String == "gpt-4o-mini")
        }
    }

    @Test func theGatewayOwnsXRequestIDAndEchoesTheCallersAsXClientRequestID() async throws {
        try await GatewayHarness.run { client, _ in
            var headers = HTTPFields.authorized
            headers[HTTPField.Name("x-request-id")!] = "caller-123"
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: chatBody("mini")) { response in
                #expect(response.headers[HTTPField.Name("x-request-id")!]?.hasPrefix("req_") == true)
                #expect(response.headers[HTTPField.Name("x-client-request-id")!] == "caller-123")
            }
        }
    }

    @Test func streamingInjectsIncludeUsageUpstreamAndStripsItForTheClient() async throws {
        try await GatewayHarness.run { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("mini", stream: true)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                let text = String(buffer: response.body)
                #expect(text.contains(#""content":"Hello""#))
                #expect(!text.contains(#""choices":[],"usage""#), "usage chunk must not reach a client that did not ask")
                #expect(text.hasSuffix("data: [DONE]\n\n"))
            }
            let options = try #require(fake.requests.last?.json?["stream_options"] as? [String: Any])
            #expect(options["include_usage"] as? Bool == true)
        }
    }

    @Test func streamingKeepsTheUsageChunkWhenTheClientAsked() async throws {
        try await GatewayHarness.run { client, _ in
            let body = chatBody("mini", stream: true, extra: #","stream_options":{"include_usage":true}"#)
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: body) { response in
                #expect(String(buffer: response.body).contains(#""choices":[],"usage":{"prompt_tokens":19"#))
            }
        }
    }

    @Test func streamedToolCallsArePassedThrough() async throws {
        try await GatewayHarness.run { client, _ in
            let body = chatBody("mini", stream: true, extra: #","tools":[{"type":"function","function":{"name":"get_current_weather","parameters":{"type":"object"}}}]"#)
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: body) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#""id":"call_abc123""#))
                #expect(text.contains(#""finish_reason":"tool_calls""#))
                #expect(text.hasSuffix("data: [DONE]\n\n"))
            }
        }
    }

    @Test func anUpstreamInStreamErrorReachesTheClientWithoutDone() async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("broken-stream", stream: true)) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"data: {"error":"#))
                #expect(!text.contains("[DONE]"))
            }
        }
    }

    @Test func aTruncatedUpstreamStreamEndsWithAnErrorEvent() async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("truncated", stream: true)) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#""content":"Hello""#))
                #expect(text.contains(#""code":null"#) || text.contains(#""type":"server_error""#))
                #expect(!text.contains("[DONE]"))
            }
        }
    }
}
