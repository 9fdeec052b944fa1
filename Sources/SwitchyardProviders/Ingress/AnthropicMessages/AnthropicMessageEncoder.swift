public import SwitchyardCore

/// Writes a canonical response as an Anthropic `Message` for `/v1/messages` clients.
public enum AnthropicMessageEncoder {
    public static func encode(_ response: ChatResponse, id: String, model: String) -> [UInt8] {
        var content: [JSONValue] = response.reasoning.compactMap { part in
            switch part {
            case .thinking(let text, let signature):
                .record(["type": .string("thinking"), "thinking": .string(text), "signature": .string(signature ?? "")])
            case .redactedThinking(let data): .record(["type": .string("redacted_thinking"), "data": .string(data)])
            default: nil
            }
        }
        if let text = response.text, !text.isEmpty || response.toolCalls.isEmpty {
            content.append(.record(["type": .string("text"), "text": .string(text)]))
        }
        for call in response.toolCalls {
            content.append(.record(["type": .string("tool_use"), "id": .string(call.id), "name": .string(call.name), "input": call.argumentsObject]))
        }
        return JSONValue.record([
            "id": .string(id), "type": .string("message"), "role": .string("assistant"), "model": .string(model),
            "content": .array(content), "stop_reason": .string(stopReason(response.finishReason, stopSequence: response.stopSequence)),
            "stop_sequence": response.stopSequence.map(JSONValue.string) ?? .null,
            "usage": usageJSON(response.usage ?? Usage(promptTokens: 0, completionTokens: 0)),
        ]).serialized
    }

    static func stopReason(_ reason: FinishReason, stopSequence: String?) -> String {
        reason == .stop && stopSequence != nil ? "stop_sequence" : reason.anthropicStopReason
    }

    /// Anthropic usage for canonical usage: `input_tokens` excludes cache reads and writes (PROTOCOLS §5.6).
    static func usageJSON(_ usage: Usage) -> JSONValue {
        .record([
            "input_tokens": .int(uncachedInput(usage)), "output_tokens": .int(usage.completionTokens),
            "cache_creation_input_tokens": .int(usage.cacheWriteTokens), "cache_read_input_tokens": .int(usage.cachedPromptTokens),
        ])
    }

    /// Anthropic's `input_tokens`: the prompt without cache reads and writes.
    static func uncachedInput(_ usage: Usage) -> Int {
        let usage = usage.sanitized
        return usage.promptTokens - usage.cachedPromptTokens - usage.cacheWriteTokens
    }
}
