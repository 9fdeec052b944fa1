import Testing
import SwitchyardCore
import SwitchyardTesting
@testable import SwitchyardProviders

@Suite struct AnthropicAdapterTests {
    let fixtures = Fixtures.locate()
    let adapter = AnthropicAdapter(providerName: "anthropic", baseURL: nil, apiKey: Secret("sk-ant-test"), version: nil)

    // MARK: - Requests (ingress decode → egress encode reproduces the SDK's bytes)

    @Test(arguments: ["messages_request.json", "messages_tools_request.json", "messages_tool_result_followup_request.json"])
    func anthropicRequestsRoundTripThroughTheCanonicalModel(_ name: String) throws {
        let original = try fixtures.data("anthropic", name)
        let canonical = try AnthropicMessagesRequest.decode(original)
        let request = adapter.chatRequest(canonical, upstreamModel: canonical.model)
        let produced = try JSONValue.parse(request.body)
        #expect(produced.isEquivalent(to: try JSONValue.parse(original)), "\(produced.serializedString)")
        #expect(request.url == "https://api.anthropic.com/v1/messages")
        #expect(request.headers.contains { $0 == ("x-api-key", "sk-ant-test") })
        #expect(request.headers.contains { $0 == ("anthropic-version", "2023-06-01") })
    }

    @Test func openAIRequestsMapRolesToolsAndParameters() throws {
        let body = try OpenAIChatRequestBody(bytes: Array(#"""
            {"model":"claude","max_tokens":100,"temperature":1.6,"stop":["  ","END"],"user":"u-1","parallel_tool_calls":false,
             "messages":[{"role":"system","content":"Be brief."},{"role":"developer","content":"Use tools."},
              {"role":"user","content":[{"type":"text","text":"Look:"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBOR"}}]},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"42"},{"role":"tool","tool_call_id":"call_2","content":"43"}],
             "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"integer"}}}}}],
             "tool_choice":"required"}
            """#.utf8))
        let produced = try JSONValue.parse(adapter.chatRequest(try body.canonical(), upstreamModel: "claude-sonnet-4-5").body)
        #expect(produced["system"] == .string("Be brief.\n\nUse tools."))
        #expect(produced["temperature"] == .number("1"))
        #expect(produced["stop_sequences"] == .array([.string("END")]))
        #expect(produced["metadata"]?["user_id"] == .string("u-1"))
        #expect(produced["tool_choice"] == .record(["type": .string("any"), "disable_parallel_tool_use": .bool(true)]))
        #expect(produced["tools"]?.arrayValue?.first?["input_schema"]?["type"] == .string("object"))
        let messages = try #require(produced["messages"]?.arrayValue)
        #expect(messages.map { $0["role"]?.stringValue } == ["user", "assistant", "user"])
        #expect(messages[0]["content"]?.arrayValue?[1]["source"] == .record([
            "type": .string("base64"), "media_type": .string("image/png"), "data": .string("iVBOR"),
        ]))
        #expect(messages[1]["content"]?.arrayValue?.first == .record([
            "type": .string("tool_use"), "id": .string("call_1"), "name": .string("f"), "input": .record(["a": .number("1")]),
        ]))
        // Consecutive tool results merge into one user turn.
        #expect(messages[2]["content"]?.arrayValue?.map { $0["tool_use_id"]?.stringValue } == ["call_1", "call_2"])
        #expect(produced["max_tokens"] == .number("100"))
    }

    @Test func maxTokensDefaultsBecauseAnthropicRequiresIt() throws {
        let body = try OpenAIChatRequestBody(bytes: Array(#"{"model":"c","messages":[{"role":"user","content":"hi"}]}"#.utf8))
        let produced = try JSONValue.parse(adapter.chatRequest(try body.canonical(), upstreamModel: "c").body)
        #expect(produced["max_tokens"]?.intValue == AnthropicRequestEncoder.defaultMaxTokens)
    }

    @Test func reasoningEffortBecomesAThinkingBudgetBelowMaxTokens() throws {
        let body = try OpenAIChatRequestBody(bytes: Array(#"{"model":"c","max_tokens":3000,"temperature":0.2,"reasoning_effort":"high","messages":[{"role":"user","content":"hi"}]}"#.utf8))
        let produced = try JSONValue.parse(adapter.chatRequest(try body.canonical(), upstreamModel: "c").body)
        #expect(produced["thinking"] == .record(["type": .string("enabled"), "budget_tokens": .int(2999)]))
        #expect(produced["temperature"] == nil, "Anthropic rejects temperature with thinking on")
        let tiny = try OpenAIChatRequestBody(bytes: Array(#"{"model":"c","max_tokens":500,"reasoning_effort":"low","messages":[{"role":"user","content":"hi"}]}"#.utf8))
        #expect(try JSONValue.parse(adapter.chatRequest(try tiny.canonical(), upstreamModel: "c").body)["thinking"] == nil)
    }

    // MARK: - Responses

    @Test func decodesTextAndToolUseResponses() throws {
        let text = try adapter.chatResponse(from: try fixtures.data("anthropic", "messages_response.json"))
        #expect(text.text == "Hello! How can I help you today?")
        #expect(text.finishReason == .stop)
        #expect(text.usage == Usage(promptTokens: 12, completionTokens: 11))
        let tools = try adapter.chatResponse(from: try fixtures.data("anthropic", "messages_tools_response.json"))
        #expect(tools.finishReason == .toolCalls)
        #expect(tools.toolCalls == [ToolCall(id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", arguments: #"{"location":"San Francisco, CA"}"#)])
        #expect(tools.usage?.promptTokens == 384)
    }

    @Test func cacheTokensCountAsPromptTokens() throws {
        let body = Array(#"{"id":"m","model":"c","content":[],"stop_reason":"max_tokens","usage":{"input_tokens":10,"output_tokens":5,"cache_creation_input_tokens":20,"cache_read_input_tokens":30}}"#.utf8)
        let response = try adapter.chatResponse(from: body)
        #expect(response.usage == Usage(promptTokens: 60, completionTokens: 5, cachedPromptTokens: 30, cacheWriteTokens: 20))
        #expect(response.finishReason == .length)
    }

    // MARK: - Streams

    @Test func textStream() throws {
        let summary = translate(adapter.streamTranslator(), try fixtures.data("anthropic", "messages_stream_text.sse"))
        #expect(!summary.text.isEmpty)
        #expect(summary.finish == .stop)
        #expect(summary.complete)
        #expect(summary.error == nil)
        #expect((summary.usage?.completionTokens ?? 0) > 1)
        #expect((summary.usage?.promptTokens ?? 0) > 0)
    }

    @Test func toolUseStreamReassemblesArguments() throws {
        let summary = translate(adapter.streamTranslator(), try fixtures.data("anthropic", "messages_stream_tool_use.sse"))
        #expect(summary.text == "Okay, let's check the weather for San Francisco, CA:")
        #expect(summary.toolCalls.count == 1)
        #expect(summary.toolCalls.first?.id == "toolu_01T1x1fJ34qAmk2tNTrN7Up6")
        #expect(summary.toolCalls.first?.arguments == #"{"location": "San Francisco, CA"}"#)
        #expect(summary.finish == .toolCalls)
        #expect(summary.usage == Usage(promptTokens: 472, completionTokens: 89))
    }

    @Test func thinkingStreamYieldsReasoning() throws {
        let summary = translate(adapter.streamTranslator(), try fixtures.data("anthropic", "messages_stream_thinking.sse"))
        #expect(summary.reasoning.hasPrefix("I need to find the GCD"))
        #expect(summary.text.contains("**21**"))
    }

    @Test func inStreamErrorIsClassified() throws {
        let summary = translate(adapter.streamTranslator(), try fixtures.data("anthropic", "messages_stream_error.sse"))
        #expect(summary.text == "Hello")
        #expect(summary.error?.kind == .upstreamOverloaded)
        #expect(!summary.complete)
    }

    @Test func truncatedAndInvalidStreamsEndWithAnError() throws {
        let full = try fixtures.data("anthropic", "messages_stream_text.sse")
        let truncated = translate(adapter.streamTranslator(), Array(full.prefix(full.count / 2)))
        #expect(truncated.error?.kind == .upstreamMalformed)
        let invalid = translate(adapter.streamTranslator(), Array("event: message_start\ndata: {nope\n\n".utf8))
        #expect(invalid.error?.kind == .upstreamMalformed)
    }

    // MARK: - Errors

    @Test(arguments: [
        ("400", GatewayError.Kind.upstreamInvalidRequest), ("401", .upstreamAuthentication), ("402", .upstreamQuotaExhausted),
        ("403", .upstreamAuthentication), ("404", .upstreamNotFound), ("413", .payloadTooLarge), ("429", .upstreamRateLimited),
        ("500", .upstreamServerError), ("504", .upstreamTimeout), ("529", .upstreamOverloaded),
    ])
    func classifiesEveryDocumentedError(_ key: String, _ kind: GatewayError.Kind) throws {
        let error = try fixtures.error("anthropic", key)
        let classified = adapter.classifyError(status: error.status, headers: HeaderList(error.headers.map { (name: $0.0, value: $0.1) }), body: error.body)
        #expect(classified.kind == kind)
    }
}
