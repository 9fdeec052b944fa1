public import SwitchyardCore

/// Reads Anthropic `Message` bodies and usage objects in canonical form.
public enum AnthropicResponseDecoder {
    public static func decode(_ body: [UInt8], provider: String) throws(GatewayError) -> ChatResponse {
        guard let json = try? JSONValue.parse(body), json.isObject, let content = json["content"]?.arrayValue else {
            throw .upstreamMalformed(provider, "the response is not an Anthropic message")
        }
        var text: String?
        var reasoning: [ContentPart] = []
        var calls: [ToolCall] = []
        for block in content {
            switch block["type"]?.stringValue {
            case "text": text = (text ?? "") + (block["text"]?.stringValue ?? "")
            case "tool_use":
                calls.append(ToolCall(
                    id: block["id"]?.stringValue ?? "", name: block["name"]?.stringValue ?? "",
                    arguments: (block["input"] ?? .object([])).serializedString))
            case "thinking": reasoning.append(.thinking(block["thinking"]?.stringValue ?? "", signature: block["signature"]?.stringValue))
            case "redacted_thinking": reasoning.append(.redactedThinking(block["data"]?.stringValue ?? ""))
            default: break
            }
        }
        return ChatResponse(
            id: json["id"]?.stringValue ?? "", model: json["model"]?.stringValue ?? "", created: 0, text: text, reasoning: reasoning,
            toolCalls: calls, finishReason: finishReason(json["stop_reason"]?.stringValue),
            stopSequence: json["stop_sequence"]?.stringValue, usage: json["usage"].map { usage($0) })
    }

    /// Anthropic's `stop_reason` in OpenAI's vocabulary (PROTOCOLS §5.1).
    public static func finishReason(_ stopReason: String?) -> FinishReason {
        switch stopReason {
        case "max_tokens", "model_context_window_exceeded": .length
        case "tool_use": .toolCalls
        case "refusal": .contentFilter
        default: .stop
        }
    }

    /// Anthropic usage: `input_tokens` excludes cache reads and writes; the canonical prompt count includes them.
    /// `known`: the usage `message_start` reported, for a `message_delta` that carries only output tokens.
    /// Sums saturate: the counts are the upstream's and may be absurd.
    public static func usage(_ json: JSONValue, known: Usage? = nil) -> Usage {
        let cacheRead = json["cache_read_input_tokens"]?.intValue
        let cacheWrite = json["cache_creation_input_tokens"]?.intValue
        let prompt = json["input_tokens"]?.intValue.map { Usage.sum($0, cacheWrite ?? 0, cacheRead ?? 0) } ?? known?.promptTokens ?? 0
        return Usage(
            promptTokens: prompt, completionTokens: json["output_tokens"]?.intValue ?? 0,
            cachedPromptTokens: cacheRead ?? known?.cachedPromptTokens ?? 0, cacheWriteTokens: cacheWrite ?? known?.cacheWriteTokens ?? 0)
    }
}
