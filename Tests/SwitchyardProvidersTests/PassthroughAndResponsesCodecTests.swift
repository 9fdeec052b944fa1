import Foundation
import SwitchyardCore
import SwitchyardTesting
import Testing
@testable import SwitchyardProviders

/// Feeds `bytes` to a client relay in `chunkSize` pieces and collects what it writes.
func relay(_ relay: some ClientStreamRelay, _ bytes: [UInt8], chunkSize: Int = 7) -> (output: [UInt8], end: RelayEnd?, relay: any ClientStreamRelay) {
    var relay = relay
    var output: [UInt8] = []
    var offset = 0
    while offset < bytes.count {
        let step = relay.feed(Array(bytes[offset..<min(bytes.count, offset + chunkSize)]))
        output += step.output
        offset += chunkSize
        if let end = step.end { return (output, end, relay) }
    }
    let step = relay.upstreamEnded()
    return (output + step.output, step.end, relay)
}

@Suite struct PassthroughAndResponsesCodecTests {
    let fixtures = Fixtures.locate()

    @Test(arguments: ["messages_stream_text.sse", "messages_stream_thinking.sse", "messages_stream_tool_use.sse"])
    func anAnthropicStreamIsRelayedByteForByte(_ name: String) throws {
        let bytes = Array(try fixtures.sseEvents("anthropic", name).joined())
        let result = relay(AnthropicPassthroughRelay(providerName: "anthropic"), bytes)
        #expect(result.output == bytes)
        #expect(result.end == .complete)
        let usage = result.relay.usage(promptBytes: 0)
        #expect(!usage.isEstimated && usage.promptTokens > 0 && usage.completionTokens > 0)
    }

    @Test func anAnthropicStreamCutShortEndsInAnErrorEvent() throws {
        let events = try fixtures.sseEvents("anthropic", "messages_stream_text.sse")
        let bytes = Array(events.prefix(3).joined())
        let result = relay(AnthropicPassthroughRelay(providerName: "anthropic"), bytes)
        #expect(result.end == .failed(status: 502))
        #expect(String(decoding: result.output.suffix(200), as: UTF8.self).contains("event: error"))
        #expect(result.output.starts(with: bytes))
    }

    @Test func cacheUsageInAStreamIsReadFromMessageStart() {
        let stream = """
            event: message_start
            data: {"type":"message_start","message":{"id":"m","usage":{"input_tokens":10,"cache_creation_input_tokens":1000,"cache_read_input_tokens":2000,"output_tokens":1}}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5}}

            event: message_stop
            data: {"type":"message_stop"}


            """
        let result = relay(AnthropicPassthroughRelay(providerName: "anthropic"), Array(stream.utf8))
        #expect(result.relay.usage(promptBytes: 0) == Usage(promptTokens: 3010, completionTokens: 5, cachedPromptTokens: 2000, cacheWriteTokens: 1000))
    }

    @Test func aNativeResponsesStreamIsRelayedAndItsFinalResponseKept() throws {
        let bytes = Array(try fixtures.sseEvents("openai", "responses_stream_text.sse").joined())
        let result = relay(ResponsesPassthroughRelay(providerName: "openai"), bytes)
        #expect(result.output == bytes)
        #expect(result.end == .complete)
        let native = try #require(result.relay as? ResponsesPassthroughRelay)
        #expect(native.observer.final?["status"]?.stringValue == "completed")
        #expect(native.usage(promptBytes: 0) == Usage(promptTokens: 37, completionTokens: 11))
    }

    /// A native Responses stream read as canonical events (for the response cache), fed in
    /// chunks of 1, 5 and 64 bytes: the provider's text stream and the golden tool-call stream.
    @Test(arguments: [1, 5, 64])
    func nativeResponsesStreamsReadAsCanonicalAnswers(_ chunkSize: Int) throws {
        let text = translate(
            ResponsesStreamTranslator(providerName: "openai"), Array(try fixtures.sseEvents("openai", "responses_stream_text.sse").joined()),
            chunkSize: chunkSize)
        #expect(text.text == "Hi there! How can I assist you today?")
        #expect(text.finish == .stop && text.complete && text.error == nil)
        #expect(text.usage == Usage(promptTokens: 37, completionTokens: 11))
        let golden = fixtures.directory.deletingLastPathComponent().appendingPathComponent("golden/responses_from_chat_tool_calls.sse")
        let calls = translate(ResponsesStreamTranslator(providerName: "openai"), Array(try Data(contentsOf: golden)), chunkSize: chunkSize)
        #expect(calls.finish == .toolCalls && calls.toolCalls.count == 1 && calls.toolCalls.first?.name.isEmpty == false)
        let failed = translate(ResponsesStreamTranslator(providerName: "openai"), Array("event: response.failed\ndata: {\"type\":\"response.failed\"}\n\n".utf8))
        #expect(failed.error != nil)
    }

    @Test func aFinishedResponseIsACanonicalAnswerUnlessItHoldsWhatCannotBeGivenBack() throws {
        let json = try JSONValue.parse(try fixtures.data("openai", "responses_response.json"))
        let answer = try #require(ResponseObject.answer(from: json))
        #expect(answer.text?.isEmpty == false && answer.finishReason == .stop && answer.usage?.totalTokens == 48)
        let builtIn = try JSONValue.parse(Array(#"{"status":"completed","output":[{"type":"web_search_call","id":"ws_1","status":"completed"}]}"#.utf8))
        #expect(ResponseObject.answer(from: builtIn) == nil, "a built-in tool's item is not kept")
        let cut = try JSONValue.parse(Array(
            #"{"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"output":[{"type":"message","content":[{"type":"output_text","text":"Hal"}]}]}"#.utf8))
        #expect(ResponseObject.answer(from: cut)?.finishReason == .length)
        #expect(ResponseObject.answer(from: try JSONValue.parse(Array(#"{"status":"failed","output":[]}"#.utf8))) == nil)
    }

    /// The golden Responses event sequence for an OpenAI chat stream (text, then a tool-call
    /// stream), fed in small chunks: `Tests/Fixtures/golden/`. Regenerate with
    /// `SWITCHYARD_WRITE_GOLDEN=1` after a deliberate change, and read the diff.
    @Test(arguments: [("chat_stream_text.sse", "responses_from_chat_text.sse"), ("chat_stream_tool_calls.sse", "responses_from_chat_tool_calls.sse")])
    func chatStreamsBecomeTheGoldenResponsesSequence(_ source: String, _ golden: String) throws {
        let request = try ResponsesRequest(bytes: Array(#"{"model":"mini","input":"Hi","stream":true}"#.utf8))
        let object = ResponseObject(id: "resp_golden", createdAt: 1_700_000_000, model: "gpt-4o-mini", request: request)
        let bytes = Array(try fixtures.sseEvents("openai", source).joined())
        let result = relay(
            TranslatingStreamRelay(translator: OpenAIStreamTranslator(providerName: "fake"), encoder: ResponsesStreamEncoder(object: object), promptBytes: 2),
            bytes)
        #expect(result.end == .complete)
        let url = fixtures.directory.deletingLastPathComponent().appendingPathComponent("golden").appendingPathComponent(golden)
        if ProcessInfo.processInfo.environment["SWITCHYARD_WRITE_GOLDEN"] == "1" { try Data(result.output).write(to: url) }
        #expect(String(decoding: result.output, as: UTF8.self) == String(decoding: try Data(contentsOf: url), as: UTF8.self))
        let stored = try #require((result.relay as? TranslatingStreamRelay<ResponsesStreamEncoder>)?.clientEncoder.final)
        #expect(stored["status"]?.stringValue == "completed")
    }

    @Test func aResponsesRequestTranslatesToTheCanonicalChat() throws {
        let body = #"""
            {"model":"m","instructions":"Be brief.","input":[
              {"role":"developer","content":"Use metric units."},
              {"type":"message","role":"user","content":[{"type":"input_text","text":"Weather?"},{"type":"input_image","image_url":"data:image/png;base64,AAAA"}]},
              {"type":"function_call","call_id":"c1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
              {"type":"function_call_output","call_id":"c1","output":"22 C"}],
             "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}],
             "tool_choice":{"type":"function","name":"get_weather"},"parallel_tool_calls":false,
             "text":{"format":{"type":"json_schema","name":"w","schema":{"type":"object"},"strict":true}},
             "reasoning":{"effort":"high"},"max_output_tokens":512,"temperature":0.5}
            """#
        let request = try ResponsesRequest(bytes: Array(body.utf8))
        let chat = try request.canonical(items: request.input)
        #expect(chat.system == ["Be brief.", "Use metric units."])
        #expect(chat.messages.map(\.role) == [.user, .assistant, .tool])
        #expect(chat.messages[0].content == [.text("Weather?"), .image(.base64(mediaType: "image/png", data: "AAAA"))])
        #expect(chat.messages[1].toolCalls == [ToolCall(id: "c1", name: "get_weather", arguments: #"{"city":"Paris"}"#)])
        #expect(chat.messages[2].toolCallID == "c1")
        #expect(chat.toolChoice == .function("get_weather"))
        #expect(chat.parallelToolCalls == false)
        #expect(chat.reasoningEffort == "high")
        #expect(chat.maxTokens == 512)
        #expect(chat.responseFormat == .jsonSchema(name: "w", schema: .record(["type": .string("object")]), strict: true))
    }

    /// Anthropic requires a turn's thinking block, signature intact, before its tool use on the
    /// next request: through Responses it travels as a reasoning item's `encrypted_content`.
    @Test func thinkingSignaturesRoundTripThroughReasoningItems() throws {
        let request = try ResponsesRequest(bytes: Array(#"{"model":"m","input":"Weather?"}"#.utf8))
        let object = ResponseObject(id: "resp_x", createdAt: 0, model: "claude", request: request)
        let answer = ChatResponse(
            id: "msg", model: "claude", created: 0, text: nil, reasoning: [.thinking("Look it up.", signature: "sig-1")],
            toolCalls: [ToolCall(id: "toolu_1", name: "get_weather", arguments: "{}")], finishReason: .toolCalls, usage: nil)
        let output = object.output(of: answer)
        #expect(output.map { $0["type"]?.stringValue } == ["reasoning", "function_call"])
        #expect(output[0]["encrypted_content"]?.stringValue == "sig-1")
        let next = try ResponsesRequest(bytes: Array(#"{"model":"m","input":[{"type":"function_call_output","call_id":"toolu_1","output":"22 C"}]}"#.utf8))
        let chat = try next.canonical(items: request.input + output + next.input)
        #expect(chat.messages.map(\.role) == [.user, .assistant, .tool])
        #expect(chat.messages[1].content == [.thinking("Look it up.", signature: "sig-1")])
        #expect(chat.messages[1].toolCalls.map(\.id) == ["toolu_1"])
    }
}
