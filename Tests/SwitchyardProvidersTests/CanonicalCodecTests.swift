import Testing
import SwitchyardCore
import SwitchyardTesting
@testable import SwitchyardProviders

/// The OpenAI codecs of the canonical model and the Anthropic ingress encoders.
@Suite struct CanonicalCodecTests {
    let fixtures = Fixtures.locate()

    @Test func openAIToolStreamTranslatesToCanonicalEvents() throws {
        let summary = translate(OpenAIStreamTranslator(providerName: "p"), try fixtures.data("openai", "chat_stream_tool_calls.sse"))
        #expect(summary.toolCalls.count >= 1)
        #expect(summary.toolCalls.allSatisfy { (try? JSONValue.parse(Array($0.arguments.utf8)))?.isObject == true })
        #expect(summary.finish == .toolCalls)
        #expect(summary.complete)
    }

    @Test func openAIInStreamErrorIsClassified() throws {
        let summary = translate(OpenAIStreamTranslator(providerName: "p"), try fixtures.data("openai", "chat_stream_error.sse"))
        #expect(summary.error != nil)
        #expect(!summary.complete)
    }

    @Test func openAIResponsesRoundTrip() throws {
        let response = try OpenAIChatResponseCodec.decode(try fixtures.data("openai", "chat_tools_response.json"), provider: "p")
        #expect(response.finishReason == .toolCalls)
        let encoded = try JSONValue.parse(OpenAIChatResponseCodec.encode(response, model: "m"))
        let original = try fixtures.json("openai", "chat_tools_response.json")
        #expect(encoded["choices"]?.arrayValue?.first?["message"]?["tool_calls"] == original["choices"]?.arrayValue?.first?["message"]?["tool_calls"])
        #expect(encoded["usage"]?["prompt_tokens"] == original["usage"]?["prompt_tokens"])
    }

    /// Encodes events with the OpenAI chunk encoder and parses them back as the SDK would.
    @Test func chunkEncoderWritesWhatTheOpenAITranslatorReads() throws {
        var encoder = OpenAIChunkEncoder(id: "chatcmpl-1", model: "m", created: 1, includeUsage: true)
        var bytes: [UInt8] = []
        for event: ChatStreamEvent in [
            .start(id: nil, model: nil, usage: nil), .text("Hi"), .toolCallStart(index: 0, id: "call_a", name: "f"),
            .toolCallArguments(index: 0, fragment: "{\"x\":"), .toolCallArguments(index: 0, fragment: "1}"), .finish(.toolCalls, stopSequence: nil),
            .usage(Usage(promptTokens: 5, completionTokens: 7)),
        ] { bytes += encoder.encode(event) }
        bytes += encoder.finish()
        let summary = translate(OpenAIStreamTranslator(providerName: "p"), bytes)
        #expect(summary.text == "Hi")
        #expect(summary.toolCalls.first?.arguments == #"{"x":1}"#)
        #expect(summary.finish == .toolCalls)
        #expect(summary.usage == Usage(promptTokens: 5, completionTokens: 7))
        #expect(summary.complete)
        #expect(String(decoding: bytes, as: UTF8.self).hasSuffix("data: [DONE]\n\n"))
    }

    /// The Anthropic ingress encoder's events, read back by the Anthropic upstream translator.
    @Test func anthropicStreamEncoderProducesAValidEventSequence() throws {
        var encoder = AnthropicStreamEncoder(id: "msg_1", model: "m", estimatedInputTokens: 12)
        var bytes: [UInt8] = []
        for event: ChatStreamEvent in [
            .start(id: "chatcmpl-x", model: "m", usage: nil), .text("Let me "), .text("check."), .toolCallStart(index: 0, id: "call_a", name: "get_weather"),
            .toolCallArguments(index: 0, fragment: "{\"location\":"), .toolCallArguments(index: 0, fragment: "\"Boston\"}"),
            .finish(.toolCalls, stopSequence: nil), .usage(Usage(promptTokens: 30, completionTokens: 9)),
        ] { bytes += encoder.encode(event) }
        bytes += encoder.finish()
        var parser = SSEParser()
        let events = try parser.feed(bytes)
        #expect(events.map(\.event) == [
            "message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
            "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop",
        ])
        let start = try JSONValue.parse(events[0].data)
        #expect(start["message"]?["usage"]?["input_tokens"]?.intValue == 12)
        #expect(try JSONValue.parse(events[5].data)["index"]?.intValue == 1)
        let delta = try JSONValue.parse(events[9].data)
        #expect(delta["delta"]?["stop_reason"] == .string("tool_use"))
        #expect(delta["usage"]?["output_tokens"]?.intValue == 9)
        let summary = translate(AnthropicStreamTranslator(providerName: "p"), bytes)
        #expect(summary.text == "Let me check.")
        #expect(summary.toolCalls.first?.arguments == #"{"location":"Boston"}"#)
        #expect(summary.complete)
    }

    @Test func anthropicFailureIsAnErrorEventWithoutMessageStop() {
        var encoder = AnthropicStreamEncoder(id: "msg_1", model: "m", estimatedInputTokens: 1)
        let bytes = encoder.encode(.text("a")) + encoder.failure(.upstreamTimeout("p"))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"timeout_error\""))
        #expect(!text.contains("message_stop"))
    }

    @Test func anthropicMessageEncoderWritesUsageWithoutCacheReads() throws {
        let response = ChatResponse(
            id: "x", model: "m", created: 0, text: "hi", toolCalls: [ToolCall(id: "c", name: "f", arguments: "{}")], finishReason: .toolCalls,
            usage: Usage(promptTokens: 100, completionTokens: 5, cachedPromptTokens: 40))
        let json = try JSONValue.parse(AnthropicMessageEncoder.encode(response, id: "msg_1", model: "m"))
        #expect(json["usage"]?["input_tokens"]?.intValue == 60)
        #expect(json["usage"]?["cache_read_input_tokens"]?.intValue == 40)
        #expect(json["stop_reason"] == .string("tool_use"))
        #expect(json["content"]?.arrayValue?.map { $0["type"]?.stringValue } == ["text", "tool_use"])
    }

    @Test func anthropicIngressValidation() {
        for (body, param) in [
            (#"{"max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#, "model"),
            (#"{"model":"m","messages":[{"role":"user","content":"x"}]}"#, "max_tokens"),
            (#"{"model":"m","max_tokens":5,"messages":[]}"#, "messages"),
            (#"{"model":"m","max_tokens":5,"messages":[{"role":"robot","content":"x"}]}"#, "messages.0.role"),
            (#"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"video"}]}]}"#, "messages.0.content.0.type"),
        ] {
            #expect(throws: GatewayError.self) { try AnthropicMessagesRequest.decode(Array(body.utf8)) }
            do {
                _ = try AnthropicMessagesRequest.decode(Array(body.utf8))
            } catch {
                #expect(error.param == param)
                #expect(error.anthropicType == "invalid_request_error")
            }
        }
    }

    @Test func azureURLsUseDeploymentsAndAPIVersion() throws {
        let adapter = OpenAICompatibleAdapter(
            providerName: "az", preset: try #require(OpenAICompatiblePreset.all["azure"]), baseURL: "https://x.openai.azure.com/", apiKey: Secret("k"))
        let body = try OpenAIChatRequestBody(bytes: Array(#"{"model":"a","messages":[{"role":"user","content":"hi"}]}"#.utf8))
        let request = adapter.chatCompletionsRequest(body, upstreamModel: "gpt-4o-mini")
        #expect(request.url == "https://x.openai.azure.com/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21")
        #expect(request.headers.contains { $0 == ("api-key", "k") })
        #expect(!request.headers.contains { $0.name == "authorization" })
        let v1 = OpenAICompatibleAdapter(
            providerName: "az", preset: try #require(OpenAICompatiblePreset.all["azure"]), baseURL: "https://x.openai.azure.com", apiKey: Secret("k"), apiVersion: "v1")
        #expect(v1.chatCompletionsRequest(body, upstreamModel: "gpt-4o-mini").url == "https://x.openai.azure.com/openai/v1/chat/completions")
    }
}
