import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardCore
import SwitchyardTesting
import Testing

/// `/v1/messages` to an Anthropic deployment is as faithful as calling Anthropic: the body goes
/// as it came (only `model` changed), `anthropic-*` headers are forwarded, and the answer comes
/// back byte for byte.
@Suite struct AnthropicPassthroughTests {
    /// What a coding agent sends on a turn deep in a session: system blocks with cache breakpoints,
    /// tools with input schemas (one cached), a server tool, a tool_use/tool_result round, thinking
    /// with its signature and a redacted block, a document, an image, metadata.
    static let codingAgentTurn = #"""
    {"model":"claude","max_tokens":8192,"stream":STREAM,
     "system":[{"type":"text","text":"You are a coding agent.","cache_control":{"type":"ephemeral"}},
               {"type":"text","text":"Repository map: Sources/, Tests/","cache_control":{"type":"ephemeral","ttl":"1h"}}],
     "tools":[{"name":"read_file","description":"Read a file","input_schema":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}},
              {"name":"run","input_schema":{"type":"object","properties":{"cmd":{"type":"string"}}},"cache_control":{"type":"ephemeral"}},
              {"type":"web_search_20250305","name":"web_search","max_uses":3}],
     "tool_choice":{"type":"auto","disable_parallel_tool_use":false},
     "thinking":{"type":"enabled","budget_tokens":4096},
     "metadata":{"user_id":"dev-42"},
     "messages":[
       {"role":"user","content":[{"type":"text","text":"Fix the failing test."},
         {"type":"document","source":{"type":"text","media_type":"text/plain","data":"test log: 1 failure"},"title":"log"},
         {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},
       {"role":"assistant","content":[
         {"type":"thinking","thinking":"I should read the test.","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxDb2RlU2lnbmF0dXJl"},
         {"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"},
         {"type":"tool_use","id":"toolu_01A","name":"read_file","input":{"path":"Tests/FooTests.swift"}}]},
       {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":[{"type":"text","text":"func testFoo() {}"}],
         "cache_control":{"type":"ephemeral"}}]}
     ]}
    """#

    static func turn(stream: Bool) -> String { codingAgentTurn.replacingOccurrences(of: "STREAM", with: String(stream)) }

    static var agentHeaders: HTTPFields {
        var headers = HTTPFields.anthropicSDK
        headers[HTTPField.Name("anthropic-beta")!] = "interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14"
        return headers
    }

    @Test(arguments: [false, true])
    func aCodingAgentsTurnReachesTheUpstreamAsSent(stream: Bool) async throws {
        try await GatewayHarness.run { client, fake in
            let sent = Self.turn(stream: stream)
            try await client.execute(uri: "/v1/messages", method: .post, headers: Self.agentHeaders, body: ByteBuffer(string: sent)) { response in
                #expect(response.status == .ok)
                let fixtures = Fixtures.locate()
                let fixture = stream
                    ? Array(try fixtures.sseEvents("anthropic", "messages_stream_tool_use.sse").joined())
                    : try fixtures.data("anthropic", "messages_tools_response.json")
                // The client receives the upstream's answer unchanged, event for event.
                #expect(Array(response.body.readableBytesView) == fixture)
            }
            let received = try #require(fake.requests.last)
            #expect(received.path == "/v1/messages")
            var expected = try #require(try JSONSerialization.jsonObject(with: Data(sent.utf8)) as? [String: Any])
            expected["model"] = "claude-sonnet-4-5"
            // The same JSON, key order aside.
            #expect(try sortedJSON(received.json ?? [:]) == sortedJSON(expected))
            #expect(received.headers["anthropic-beta"] == "interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14")
            #expect(received.headers["anthropic-version"] == "2026-10-21")
            #expect(received.headers["authorization"] == nil, "the client's gateway key is not forwarded")
        }
    }

    /// Claude on Bedrock: InvokeModel with the client's body (no `model` or `stream`, Bedrock's
    /// `anthropic_version`, the beta header as `anthropic_beta`), its event-stream answer relayed
    /// to the client as Anthropic's SSE, Bedrock's invocation metrics left out.
    @Test(arguments: [false, true])
    func claudeOnBedrockGetsTheBodyThroughInvokeModel(stream: Bool) async throws {
        try await GatewayHarness.run { client, fake in
            let sent = Self.turn(stream: stream).replacingOccurrences(of: #""model":"claude""#, with: #""model":"nova""#)
            let fixtures = Fixtures.locate()
            try await client.execute(uri: "/v1/messages", method: .post, headers: Self.agentHeaders, body: ByteBuffer(string: sent)) { response in
                #expect(response.status == .ok)
                if stream {
                    let relayed = try sseEvents(response.body)
                    let expected = try sseEvents(ByteBuffer(bytes: Array(try fixtures.sseEvents("anthropic", "messages_stream_tool_use.sse").joined())))
                    #expect(relayed.map(\.name) == expected.map(\.name))
                    #expect(try relayed.map { try sortedJSON($0.data) } == expected.map { try sortedJSON($0.data) })
                } else {
                    #expect(Array(response.body.readableBytesView) == (try fixtures.data("anthropic", "messages_tools_response.json")))
                }
            }
            let received = try #require(fake.requests.last)
            #expect(received.path.hasSuffix(stream ? "/invoke-with-response-stream" : "/invoke"))
            var expected = try #require(try JSONSerialization.jsonObject(with: Data(sent.utf8)) as? [String: Any])
            expected["model"] = nil
            expected["stream"] = nil
            expected["anthropic_version"] = "bedrock-2023-05-31"
            expected["anthropic_beta"] = ["interleaved-thinking-2025-05-14", "fine-grained-tool-streaming-2025-05-14"]
            #expect(try sortedJSON(received.json ?? [:]) == sortedJSON(expected))
        }
    }

    @Test func cacheReadsAndWritesAreMeteredAtTheirOwnPrices() async throws {
        try await GatewayHarness.run(edit: { configuration in
            configuration.models.append(ModelSettings(
                name: "claude-cached", targets: [TargetSettings(provider: "anthropic", model: "claude-cached")],
                price: Price(input: 3, output: 15, cachedInput: 0.30, cacheWrite: 3.75)))
        }) { client, _ in
            try await client.execute(uri: "/v1/messages", method: .post, headers: .anthropicSDK, body: messagesBody("claude-cached")) { response in
                #expect(response.status == .ok)
                let usage = try #require(try json(response.body)["usage"] as? [String: Any])
                #expect(usage["cache_creation_input_tokens"] as? Int == 1000)
                #expect(usage["cache_read_input_tokens"] as? Int == 2000)
                // 10 × 3 + 1,000 × 3.75 + 2,000 × 0.30 + 5 × 15 = 4,455 USD per million tokens.
                #expect(response.headers[HTTPField.Name("x-switchyard-cost-usd")!] == "0.004455")
            }
            // Translated to an OpenAI client, the same usage keeps its cache reads.
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("claude-cached")) { response in
                #expect(response.status == .ok)
                let usage = try #require(try json(response.body)["usage"] as? [String: Any])
                #expect(usage["prompt_tokens"] as? Int == 3010)
                #expect((usage["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int == 2000)
                #expect(response.headers[HTTPField.Name("x-switchyard-cost-usd")!] == "0.004455")
            }
        }
    }

    @Test func countTokensAsksAnthropicAndEstimatesElsewhere() async throws {
        try await GatewayHarness.run { client, fake in
            let body = #"{"model":"claude","system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"Hello, Claude"}]}"#
            try await client.execute(uri: "/v1/messages/count_tokens", method: .post, headers: Self.agentHeaders, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                let counted = try json(response.body)["input_tokens"] as? Int
                #expect(counted == 42)
                #expect(response.headers[HTTPField.Name("x-switchyard-estimated")!] == nil)
            }
            #expect(fake.requests.last?.path == "/v1/messages/count_tokens")
            #expect(fake.requests.last?.json?["model"] as? String == "claude-sonnet-4-5")
            #expect(fake.requests.last?.headers["anthropic-beta"] != nil)
            let count = fake.requests.count
            let mini = body.replacingOccurrences(of: #""model":"claude""#, with: #""model":"mini""#)
            try await client.execute(uri: "/v1/messages/count_tokens", method: .post, headers: .anthropicSDK, body: ByteBuffer(string: mini)) { response in
                #expect(response.status == .ok)
                let estimated = try json(response.body)["input_tokens"] as? Int ?? 0
                #expect(estimated > 0)
                #expect(response.headers[HTTPField.Name("x-switchyard-estimated")!] == "true")
            }
            #expect(fake.requests.count == count, "nothing was sent upstream for an estimate")
        }
    }

    @Test func whatHasNoEquivalentElsewhereIsA400NamingTheField() async throws {
        try await GatewayHarness.run { client, fake in
            try await client.execute(uri: "/v1/messages", method: .post, headers: Self.agentHeaders, body: ByteBuffer(string: Self.turn(stream: false).replacingOccurrences(of: #""model":"claude""#, with: #""model":"mini""#))) { response in
                #expect(response.status == .badRequest)
                let error = try #require(try json(response.body)["error"] as? [String: Any])
                #expect(error["type"] as? String == "invalid_request_error")
                #expect((error["message"] as? String)?.contains("tools.2") == true || (error["message"] as? String)?.contains("messages.0.content.1") == true)
            }
            #expect(fake.requests.isEmpty)
        }
    }
}

/// A JSON object serialised with sorted keys: equal for equal documents, whatever their key order.
func sortedJSON(_ object: [String: Any]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}
