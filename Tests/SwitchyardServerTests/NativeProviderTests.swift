import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardCore
import SwitchyardTesting
import Testing

/// OpenAI-format clients served by Anthropic, Gemini, Bedrock and Azure deployments, through the
/// server and the fake upstreams on real sockets.
@Suite struct NativeProviderTests {
    static let toolsExtra = #","tools":[{"type":"function","function":{"name":"get_weather","description":"Get the weather","parameters":{"type":"object","properties":{"location":{"type":"string"}}}}}]"#

    @Test(arguments: [("claude", "anthropic", "/v1/messages"), ("gemini-flash", "gemini", "/v1beta/models/gemini-2.5-flash:generateContent"),
        ("nova", "bedrock", "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"),
        ("azure-mini", "azure", "/openai/deployments/gpt-4o-mini/chat/completions")])
    func chatIsTranslatedBothWays(_ alias: String, _ provider: String, _ path: String) async throws {
        try await GatewayHarness.run { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody(alias)) { response in
                #expect(response.status == .ok)
                let body = try json(response.body)
                #expect(body["object"] as? String == "chat.completion")
                let choice = try #require((body["choices"] as? [[String: Any]])?.first)
                let message = try #require(choice["message"] as? [String: Any])
                #expect((message["content"] as? String)?.hasPrefix("Hello") == true)
                #expect(choice["finish_reason"] as? String == "stop")
                #expect(((body["usage"] as? [String: Any])?["prompt_tokens"] as? Int ?? 0) > 0)
                #expect(response.headers[HTTPField.Name("x-switchyard-provider")!] == provider)
                #expect(response.headers[HTTPField.Name("x-switchyard-cost-usd")!] != nil)
            }
            let sent = try #require(fake.requests.last)
            #expect(sent.path == path)
        }
    }

    @Test(arguments: ["claude", "gemini-flash", "nova", "azure-mini"])
    func toolCallsComeBackInOpenAIShape(_ alias: String) async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody(alias, extra: Self.toolsExtra)) { response in
                #expect(response.status == .ok)
                let choice = try #require((try json(response.body)["choices"] as? [[String: Any]])?.first)
                #expect(choice["finish_reason"] as? String == "tool_calls")
                let call = try #require(((choice["message"] as? [String: Any])?["tool_calls"] as? [[String: Any]])?.first)
                #expect((call["id"] as? String)?.isEmpty == false)
                let function = try #require(call["function"] as? [String: Any])
                let arguments = try #require((function["arguments"] as? String)?.data(using: .utf8))
                #expect((try JSONSerialization.jsonObject(with: arguments) as? [String: Any])?["location"] != nil)
            }
        }
    }

    @Test(arguments: ["claude", "gemini-flash", "nova", "azure-mini"])
    func streamsAreTranslatedToOpenAIChunks(_ alias: String) async throws {
        try await GatewayHarness.run { client, _ in
            let body = chatBody(alias, stream: true, extra: #","stream_options":{"include_usage":true}"#)
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: body) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains(#""role":"assistant""#))
                #expect(text.contains(#""finish_reason":"stop""#))
                #expect(text.contains(#""choices":[],"usage":{"prompt_tokens":"#))
                #expect(text.hasSuffix("data: [DONE]\n\n"))
            }
        }
    }

    @Test(arguments: ["claude", "gemini-flash", "nova"])
    func streamedToolCallsAreTranslated(_ alias: String) async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody(alias, stream: true, extra: Self.toolsExtra)) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#""tool_calls":[{"index":0,"id":""#))
                #expect(text.contains(#""finish_reason":"tool_calls""#))
                #expect(text.hasSuffix("data: [DONE]\n\n"))
            }
        }
    }

    @Test(arguments: [("claude-stream-error", "service_unavailable"), ("claude-truncated", "server_error"), ("gemini-truncated", "server_error"),
        ("bedrock-throttled", "rate_limit_error"), ("bedrock-bad-crc", "server_error"), ("bedrock-truncated", "server_error")])
    func badUpstreamStreamsEndWithACleanInStreamError(_ alias: String, _ type: String) async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody(alias, stream: true)) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"data: {"error":{"#))
                #expect(text.contains(#""type":"\#(type)""#))
                #expect(!text.contains("[DONE]"))
            }
        }
    }

    @Test func upstreamErrorsAreClassifiedPerProvider() async throws {
        // No retries: Gemini's 429 asks for 23 s (RetryInfo), which the gateway would honour.
        try await GatewayHarness.run(edit: { $0.routing.retries = 0 }) { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("gemini-limited")) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] != nil)
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("claude-overloaded")) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
    }

    @Test func anOverloadedAnthropicDeploymentFailsOverToAnOpenAIOne() async throws {
        try await GatewayHarness.run { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("claude-then-mini")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-provider")!] == "fake")
                let body = try json(response.body)
                #expect(body["object"] as? String == "chat.completion")
            }
            #expect(fake.requests.map(\.path).contains("/v1/messages"))
        }
    }

    @Test func geminiEmbeddingsAnswerInOpenAIShape() async throws {
        try await GatewayHarness.run(edit: { configuration in
            configuration.models.append(ModelSettings(name: "gemini-embed", targets: [TargetSettings(provider: "gemini", model: "text-embedding-004")]))
        }) { client, _ in
            let body = ByteBuffer(string: #"{"model":"gemini-embed","input":["one","two"]}"#)
            try await client.execute(uri: "/v1/embeddings", method: .post, headers: .authorized, body: body) { response in
                #expect(response.status == .ok)
                let data = try #require(try json(response.body)["data"] as? [[String: Any]])
                #expect(data.count == 2)
                #expect((data.first?["embedding"] as? [Double])?.count == 3)
            }
        }
    }
}
