import Foundation
import Testing
import SwitchyardCore
import SwitchyardTesting
@testable import SwitchyardProviders

@Suite struct GeminiAdapterTests {
    let fixtures = Fixtures.locate()
    let adapter = GeminiAdapter(providerName: "gemini", baseURL: nil, apiKey: Secret("AIza-test"), version: nil)
    let weather = ToolDefinition(
        name: "get_weather", description: "Get the current weather in a given location",
        parameters: .record([
            "type": .string("object"), "properties": .record(["location": .record(["type": .string("string"), "description": .string("The city and state")])]),
            "required": .array([.string("location")]),
        ]))

    @Test func plainRequestMatchesTheSDKsFixture() throws {
        let request = ChatRequest(
            model: "g", system: ["You are a helpful assistant."], messages: [.user("Hello!")], maxTokens: 256, temperature: 0.7, topP: 0.95,
            stop: ["END"])
        let upstream = adapter.chatRequest(request, upstreamModel: "gemini-2.5-flash")
        #expect(upstream.url == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent")
        #expect(upstream.headers.contains { $0 == ("x-goog-api-key", "AIza-test") })
        var expected = try fixtures.json("gemini", "generateContent_request.json")
        // The fixture also sets candidateCount 1 and a safety setting, which OpenAI requests cannot express.
        if case .object(var fields) = expected {
            fields.removeAll { $0.key == "safetySettings" }
            expected = .object(fields)
        }
        let produced = try JSONValue.parse(upstream.body)
        #expect(produced["contents"] == expected["contents"])
        #expect(produced["systemInstruction"] == expected["systemInstruction"])
        #expect(produced["generationConfig"]?.isEquivalent(to: .record([
            "temperature": .double(0.7), "topP": .double(0.95), "maxOutputTokens": .int(256), "stopSequences": .array([.string("END")]),
        ])) == true)
    }

    @Test func toolRequestsAndToolResultsMatchTheFixtures() throws {
        var request = ChatRequest(model: "g", messages: [.user("What is the weather like in Boston?")], tools: [weather], toolChoice: .auto)
        var produced = try JSONValue.parse(adapter.chatRequest(request, upstreamModel: "gemini-2.5-flash").body)
        let toolsFixture = try fixtures.json("gemini", "generateContent_tools_request.json")
        #expect(produced["contents"] == toolsFixture["contents"])
        #expect(produced["toolConfig"] == toolsFixture["toolConfig"])
        // JSON Schema passes verbatim as parametersJsonSchema (the fixture's `parameters` is Google's upper-case subset).
        let declaration = produced["tools"]?.arrayValue?.first?["functionDeclarations"]?.arrayValue?.first
        #expect(declaration?["name"] == .string("get_weather"))
        #expect(declaration?["parametersJsonSchema"] == weather.parameters)

        request.toolChoice = nil
        request.messages += [
            ChatMessage(role: .assistant, content: [], toolCalls: [ToolCall(id: "call_1", name: "get_weather", arguments: #"{"location":"Boston, MA"}"#)]),
            ChatMessage(role: .tool, content: [.text(#"{"temperature":22,"unit":"celsius"}"#)], toolCallID: "call_1"),
        ]
        produced = try JSONValue.parse(adapter.chatRequest(request, upstreamModel: "gemini-2.5-flash").body)
        #expect(produced["contents"] == (try fixtures.json("gemini", "generateContent_tool_result_followup_request.json"))["contents"])
    }

    @Test func streamingUsesAltSSE() {
        let request = ChatRequest(model: "g", messages: [.user("hi")], stream: true)
        #expect(adapter.chatRequest(request, upstreamModel: "gemini-2.5-flash").url.hasSuffix(":streamGenerateContent?alt=sse"))
    }

    @Test func decodesResponsesWithFunctionCallsAsToolCalls() throws {
        let text = try adapter.chatResponse(from: try fixtures.data("gemini", "generateContent_response.json"))
        #expect(text.text == "Hello! How can I help you today?")
        #expect(text.usage == Usage(promptTokens: 9, completionTokens: 9))
        let tools = try adapter.chatResponse(from: try fixtures.data("gemini", "generateContent_tools_response.json"))
        // STOP with a functionCall part is tool_calls (PROTOCOLS §0.3).
        #expect(tools.finishReason == .toolCalls)
        #expect(tools.toolCalls.first?.name == "get_weather")
        #expect(tools.toolCalls.first?.arguments == #"{"location":"Boston, MA"}"#)
        #expect(tools.toolCalls.first?.id.isEmpty == false)
    }

    @Test func blockedPromptsAndSafetyStopsAreContentFilter() throws {
        let blocked = try adapter.chatResponse(from: Array(#"{"promptFeedback":{"blockReason":"SAFETY"}}"#.utf8))
        #expect(blocked.finishReason == .contentFilter)
        let safety = try adapter.chatResponse(from: Array(#"{"candidates":[{"content":{"parts":[]},"finishReason":"SAFETY"}]}"#.utf8))
        #expect(safety.finishReason == .contentFilter)
    }

    @Test func sseStreamWithCRLFFraming() throws {
        let summary = translate(adapter.streamTranslator(), try fixtures.data("gemini", "streamGenerateContent_alt_sse.sse"), chunkSize: 5)
        #expect(summary.text == "Hello! How can I help you today?")
        #expect(summary.finish == .stop)
        #expect(summary.usage == Usage(promptTokens: 9, completionTokens: 9))
        #expect(summary.complete)
        #expect(summary.error == nil)
    }

    @Test func streamCutBeforeFinishReasonIsAnError() throws {
        let full = String(decoding: try fixtures.data("gemini", "streamGenerateContent_alt_sse.sse"), as: UTF8.self)
        let lastEvent = try #require(full.range(of: "data: ", options: .backwards))
        let summary = translate(adapter.streamTranslator(), Array(full[..<lastEvent.lowerBound].utf8))
        #expect(summary.text == "Hello! How can I")
        #expect(summary.error?.kind == .upstreamMalformed)
    }

    @Test(arguments: [
        ("400", GatewayError.Kind.upstreamInvalidRequest), ("400_api_key", .upstreamAuthentication), ("403", .upstreamAuthentication),
        ("404", .upstreamNotFound), ("429", .upstreamRateLimited), ("500", .upstreamServerError), ("503", .upstreamOverloaded),
        ("504", .upstreamTimeout),
    ])
    func classifiesEveryDocumentedError(_ key: String, _ kind: GatewayError.Kind) throws {
        let error = try fixtures.error("gemini", key)
        #expect(adapter.classifyError(status: error.status, headers: HeaderList(), body: error.body).kind == kind)
    }

    @Test func retryDelayComesFromTheBody() throws {
        let error = try fixtures.error("gemini", "429")
        let classified = adapter.classifyError(status: 429, headers: HeaderList(), body: error.body)
        #expect(classified.retryAfterSeconds != nil)
    }

    @Test func embeddingsUseBatchEmbedContentsAndAnswerInOpenAIShape() throws {
        let body = try OpenAIEmbeddingsRequestBody(bytes: Array(#"{"model":"e","input":["a","b"]}"#.utf8))
        let request = try adapter.embeddingsRequest(body, upstreamModel: "text-embedding-004")
        #expect(request.url.hasSuffix("/models/text-embedding-004:batchEmbedContents"))
        #expect(try JSONValue.parse(request.body)["requests"]?.arrayValue?.count == 2)
        let answer = try adapter.embeddingsResponse(
            from: Array(#"{"embeddings":[{"values":[0.1,0.2]},{"values":[0.3]}]}"#.utf8), request: body, upstreamModel: "text-embedding-004")
        let json = try JSONValue.parse(answer.body)
        #expect(json["data"]?.arrayValue?.map { $0["index"]?.intValue } == [0, 1])
        #expect(json["object"] == .string("list"))
        #expect(answer.usage?.isEstimated == true)
    }
}
