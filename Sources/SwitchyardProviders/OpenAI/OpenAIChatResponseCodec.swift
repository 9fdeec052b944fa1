public import SwitchyardCore

/// Reads and writes OpenAI `CreateChatCompletionResponse` bodies in canonical form.
public enum OpenAIChatResponseCodec {
    /// Decodes an OpenAI-format response (from OpenAI or a compatible server).
    public static func decode(_ body: [UInt8], provider: String, usageLocation: OpenAIStreamUsageLocation = .topLevel) throws(GatewayError) -> ChatResponse {
        guard let json = try? JSONValue.parse(body), json.isObject else {
            throw .upstreamMalformed(provider, "the response body is not a JSON object")
        }
        guard let choice = json["choices"]?.arrayValue?.first, let message = choice["message"] else {
            throw .upstreamMalformed(provider, "the response has no choices")
        }
        let calls = (message["tool_calls"]?.arrayValue ?? []).compactMap { call -> ToolCall? in
            guard let function = call["function"], let name = function["name"]?.stringValue else { return nil }
            return ToolCall(id: call["id"]?.stringValue ?? "call_\(name)", name: name, arguments: function["arguments"]?.stringValue ?? "{}")
        }
        var reasoning: [ContentPart] = []
        if let text = message["reasoning_content"]?.stringValue, !text.isEmpty { reasoning.append(.thinking(text, signature: nil)) }
        let scanner = JSONScanner(body)
        let usage = (try? scanner.root()).flatMap { OpenAIUsageReader.usage(in: scanner, object: $0, location: usageLocation) }
        return ChatResponse(
            id: json["id"]?.stringValue ?? "", model: json["model"]?.stringValue ?? "", created: json["created"]?.intValue ?? 0,
            text: message["content"]?.stringValue, reasoning: reasoning, toolCalls: calls,
            finishReason: FinishReason(openAI: choice["finish_reason"]?.stringValue ?? "stop"), usage: usage)
    }

    /// Encodes a canonical response for an OpenAI-format client.
    public static func encode(_ response: ChatResponse, model: String) -> [UInt8] {
        var message: [JSONValue.JSONField] = [.init("role", .string("assistant")), .init("content", response.text.map(JSONValue.string) ?? .null)]
        let reasoning = response.reasoning.compactMap { if case .thinking(let text, _) = $0 { text } else { nil } }.joined()
        if !reasoning.isEmpty { message.append(.init("reasoning_content", .string(reasoning))) }
        if !response.toolCalls.isEmpty {
            message.append(.init("tool_calls", .array(response.toolCalls.map(toolCall))))
        }
        message.append(.init("refusal", .null))
        let choice = JSONValue.record([
            "index": .int(0), "message": .object(message), "logprobs": .null, "finish_reason": .string(response.finishReason.rawValue),
        ])
        return JSONValue.record([
            "id": .string(response.id), "object": .string("chat.completion"), "created": .int(response.created), "model": .string(model),
            "choices": .array([choice]), "usage": response.usage.map(usageJSON) ?? .null,
        ]).serialized
    }

    static func toolCall(_ call: ToolCall) -> JSONValue {
        .record(["id": .string(call.id), "type": .string("function"), "function": .record(["name": .string(call.name), "arguments": .string(call.arguments)])])
    }

    /// OpenAI's `CompletionUsage` for canonical usage.
    public static func usageJSON(_ usage: Usage) -> JSONValue {
        .record([
            "prompt_tokens": .int(usage.promptTokens), "completion_tokens": .int(usage.completionTokens), "total_tokens": .int(usage.totalTokens),
            "prompt_tokens_details": .record(["cached_tokens": .int(usage.cachedPromptTokens)]),
            "completion_tokens_details": .record(["reasoning_tokens": .int(usage.reasoningTokens)]),
        ])
    }
}
