public import SwitchyardCore

/// Cohere's v2 API: chat (`/v2/chat`, with tools and SSE events), embed (`/v2/embed`) and
/// rerank (`/v2/rerank`). Pure translation between the canonical model and Cohere's JSON.
public enum CohereCodec {
    /// A canonical request as a v2 chat body. Cohere's messages and tools are OpenAI's shape
    /// (roles, `tool_calls`, `tool_call_id`, function tools); the sampling and format fields
    /// are renamed (`p`, `stop_sequences`, `response_format.json_schema` is the schema itself).
    public static func chatBody(_ request: ChatRequest, model: String) throws(GatewayError) -> [UInt8] {
        var fields: [JSONValue.JSONField] = [.init("model", .string(model))]
        var messages: [JSONValue] = request.system.map { .record(["role": .string("system"), "content": .string($0)]) }
        for message in request.messages {
            guard var encoded = OpenAIChatRequestEncoder.encode(message).fields else { continue }
            // An assistant turn that only called tools has no content (Cohere refuses `null`).
            encoded.removeAll { $0.key == "content" && $0.value.isNull }
            messages.append(.object(encoded))
        }
        fields.append(.init("messages", .array(messages)))
        if !request.tools.isEmpty { fields.append(.init("tools", OpenAIChatRequestEncoder.tools(request.tools))) }
        switch request.toolChoice {
        case .required?: fields.append(.init("tool_choice", .string("REQUIRED")))
        case .none?: fields.append(.init("tool_choice", .string("NONE")))
        case .function(let name)?:
            throw .invalidRequest("Cohere cannot be made to call one named tool (`tool_choice: \(name)`); use \"required\".", param: "tool_choice")
        case .auto?, nil: break
        }
        if let maxTokens = request.maxTokens { fields.append(.init("max_tokens", .int(maxTokens))) }
        if let temperature = request.temperature { fields.append(.init("temperature", .double(temperature))) }
        if let topP = request.topP { fields.append(.init("p", .double(topP))) }
        if let topK = request.topK { fields.append(.init("k", .int(topK))) }
        if !request.stop.isEmpty { fields.append(.init("stop_sequences", .array(request.stop.map(JSONValue.string)))) }
        switch request.responseFormat {
        case .jsonObject?: fields.append(.init("response_format", .record(["type": .string("json_object")])))
        case .jsonSchema(_, let schema, _)?: fields.append(.init("response_format", .record(["type": .string("json_object"), "json_schema": schema])))
        default: break
        }
        if (request.choiceCount ?? 1) > 1 { throw .invalidRequest("Cohere answers with one choice (`n` must be 1).", param: "n") }
        if request.stream { fields.append(.init("stream", .bool(true))) }
        return JSONValue.object(fields).serialized
    }

    /// A v2 chat answer as the canonical response.
    public static func chatResponse(_ body: [UInt8], provider: String) throws(GatewayError) -> ChatResponse {
        guard let json = try? JSONValue.parse(body), json.isObject, let message = json["message"] else {
            throw .upstreamMalformed(provider, "the chat response has no `message`")
        }
        let text = (message["content"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }.joined()
        let calls = (message["tool_calls"]?.arrayValue ?? []).enumerated().map { index, call in
            ToolCall(
                id: call["id"]?.stringValue ?? "call_\(index)", name: call["function"]?["name"]?.stringValue ?? "",
                arguments: call["function"]?["arguments"]?.stringValue ?? "{}")
        }
        var reasoning: [ContentPart] = []
        if let plan = message["tool_plan"]?.stringValue, !plan.isEmpty { reasoning.append(.text(plan)) }
        return ChatResponse(
            id: json["id"]?.stringValue ?? "", model: "", created: 0, text: text.isEmpty && !calls.isEmpty ? nil : text, reasoning: reasoning,
            toolCalls: calls, finishReason: finishReason(json["finish_reason"]?.stringValue), usage: json["usage"].flatMap(usage))
    }

    /// `COMPLETE`, `STOP_SEQUENCE`, `MAX_TOKENS`, `TOOL_CALL`, `ERROR`/`TIMEOUT`.
    static func finishReason(_ reason: String?) -> FinishReason {
        switch reason {
        case "MAX_TOKENS": .length
        case "TOOL_CALL": .toolCalls
        default: .stop
        }
    }

    /// `usage.tokens` (what the model read and wrote), else `usage.billed_units`.
    static func usage(_ usage: JSONValue) -> Usage? {
        guard let counts = usage["tokens"] ?? usage["billed_units"], counts.isObject else { return nil }
        return Usage(promptTokens: counts["input_tokens"]?.intValue ?? 0, completionTokens: counts["output_tokens"]?.intValue ?? 0)
    }

    /// An OpenAI embeddings body as a v2 embed body (`texts`, float embeddings, documents).
    public static func embedBody(texts: [String], model: String, inputType: String = "search_document") -> [UInt8] {
        JSONValue.record([
            "model": .string(model), "texts": .array(texts.map(JSONValue.string)), "input_type": .string(inputType),
            "embedding_types": .array([.string("float")]),
        ]).serialized
    }

    /// A v2 embed answer as OpenAI's `CreateEmbeddingResponse`, with the billed input tokens.
    public static func embeddingsResponse(_ body: [UInt8], model: String, provider: String) throws(GatewayError) -> (body: [UInt8], usage: Usage?) {
        guard let json = try? JSONValue.parse(body), let vectors = json["embeddings"]?["float"]?.arrayValue else {
            throw .upstreamMalformed(provider, "the embed response has no float embeddings")
        }
        let tokens = json["meta"]?["billed_units"]?["input_tokens"]?.intValue
        let data = vectors.enumerated().map { index, vector in
            JSONValue.record(["object": .string("embedding"), "index": .int(index), "embedding": vector])
        }
        let openAI = JSONValue.record([
            "object": .string("list"), "data": .array(data), "model": .string(model),
            "usage": .record(["prompt_tokens": .int(tokens ?? 0), "total_tokens": .int(tokens ?? 0)]),
        ])
        return (openAI.serialized, tokens.map { Usage(promptTokens: $0, completionTokens: 0) })
    }
}

/// Turns Cohere's v2 chat stream (`message-start`, `content-delta`, `tool-plan-delta`,
/// `tool-call-start`/`-delta`/`-end`, `message-end` with the finish reason and usage) into
/// canonical events.
public struct CohereStreamTranslator: SSEStreamTranslator {
    public var parser = SSEParser()
    public let providerName: String
    public private(set) var isComplete = false
    private var toolCalls = 0

    public init(providerName: String) {
        self.providerName = providerName
    }

    public mutating func translate(_ event: SSEEvent) -> [ChatStreamEvent] {
        if event.isDone { return [] }
        let json: JSONValue
        switch StreamJSON.object(event.data, provider: providerName) {
        case .success(let value): json = value
        case .failure(let error): return [.error(error)]
        }
        let message = json["delta"]?["message"]
        switch json["type"]?.stringValue ?? event.event {
        case "message-start":
            return [.start(id: json["id"]?.stringValue, model: nil, usage: nil)]
        case "content-delta":
            guard let text = message?["content"]?["text"]?.stringValue, !text.isEmpty else { return [] }
            return [.text(text)]
        case "tool-plan-delta":
            guard let plan = message?["tool_plan"]?.stringValue, !plan.isEmpty else { return [] }
            return [.reasoning(plan)]
        case "tool-call-start":
            let call = message?["tool_calls"]
            let index = toolCalls
            toolCalls += 1
            var events: [ChatStreamEvent] = [
                .toolCallStart(index: index, id: call?["id"]?.stringValue ?? "call_\(index)", name: call?["function"]?["name"]?.stringValue ?? "")
            ]
            if let arguments = call?["function"]?["arguments"]?.stringValue, !arguments.isEmpty {
                events.append(.toolCallArguments(index: index, fragment: arguments))
            }
            return events
        case "tool-call-delta":
            guard let fragment = message?["tool_calls"]?["function"]?["arguments"]?.stringValue, !fragment.isEmpty, toolCalls > 0 else { return [] }
            return [.toolCallArguments(index: toolCalls - 1, fragment: fragment)]
        case "message-end":
            isComplete = true
            let delta = json["delta"]
            if delta?["finish_reason"]?.stringValue == "ERROR" {
                return [.error(.upstream(.upstreamServerError, "Provider '\(providerName)' ended the answer with an error.", status: nil))]
            }
            var events: [ChatStreamEvent] = [.finish(CohereCodec.finishReason(delta?["finish_reason"]?.stringValue), stopSequence: nil)]
            if let usage = delta?["usage"].flatMap(CohereCodec.usage) { events.append(.usage(usage)) }
            return events
        default:
            return []
        }
    }
}
