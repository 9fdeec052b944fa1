import SwitchyardCore

/// A cached answer as JSON, for a store outside the process (Redis): every field of the
/// canonical response that a replay renders.
extension CachedAnswer {
    var json: [UInt8] {
        let response = self.response
        let usage = response.usage.map { usage in
            JSONValue.record([
                "prompt": .int(usage.promptTokens), "completion": .int(usage.completionTokens), "cached": .int(usage.cachedPromptTokens),
                "cache_write": .int(usage.cacheWriteTokens), "reasoning": .int(usage.reasoningTokens), "estimated": .bool(usage.isEstimated),
            ])
        }
        // Reasoning with its signature (an Anthropic thinking block must come back unchanged).
        let reasoning: [JSONValue] = response.reasoning.compactMap { part in
            switch part {
            case .text(let text): .string(text)
            case .thinking(let text, let signature): .record(["text": .string(text), "signature": signature.map(JSONValue.string) ?? .null])
            default: nil
            }
        }
        return JSONValue.record([
            "v": .int(1), "provider": .string(provider), "upstream_model": .string(upstreamModel), "id": .string(response.id),
            "model": .string(response.model), "text": response.text.map(JSONValue.string), "reasoning": .array(reasoning),
            "tool_calls": .array(response.toolCalls.map { .record(["id": .string($0.id), "name": .string($0.name), "arguments": .string($0.arguments)]) }),
            "finish": .string(response.finishReason.rawValue), "stop": response.stopSequence.map(JSONValue.string), "usage": usage,
        ]).serialized
    }

    /// Reads `json`; nil for anything else (an entry another version wrote is a miss, not an error).
    init?(json bytes: [UInt8]) {
        guard let json = try? JSONValue.parse(bytes), json["v"]?.intValue == 1, let provider = json["provider"]?.stringValue,
            let upstreamModel = json["upstream_model"]?.stringValue, let finish = json["finish"]?.stringValue.flatMap(FinishReason.init(rawValue:))
        else { return nil }
        let usage = json["usage"].flatMap { usage -> Usage? in
            guard usage.isObject else { return nil }
            return Usage(
                promptTokens: usage["prompt"]?.intValue ?? 0, completionTokens: usage["completion"]?.intValue ?? 0,
                cachedPromptTokens: usage["cached"]?.intValue ?? 0, cacheWriteTokens: usage["cache_write"]?.intValue ?? 0,
                reasoningTokens: usage["reasoning"]?.intValue ?? 0, isEstimated: usage["estimated"]?.boolValue ?? false
            ).sanitized
        }
        let calls = (json["tool_calls"]?.arrayValue ?? []).map { call in
            ToolCall(id: call["id"]?.stringValue ?? "", name: call["name"]?.stringValue ?? "", arguments: call["arguments"]?.stringValue ?? "")
        }
        let response = ChatResponse(
            id: json["id"]?.stringValue ?? "", model: json["model"]?.stringValue ?? "", created: 0, text: json["text"]?.stringValue,
            reasoning: (json["reasoning"]?.arrayValue ?? []).compactMap(Self.reasoningPart), toolCalls: calls, finishReason: finish,
            stopSequence: json["stop"]?.stringValue, usage: usage)
        self.init(response: response, provider: provider, upstreamModel: upstreamModel)
    }

    private static func reasoningPart(_ json: JSONValue) -> ContentPart? {
        if let text = json.stringValue { return .text(text) }
        guard let text = json["text"]?.stringValue else { return nil }
        return .thinking(text, signature: json["signature"]?.stringValue)
    }
}
