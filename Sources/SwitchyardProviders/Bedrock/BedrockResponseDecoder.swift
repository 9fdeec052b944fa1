public import SwitchyardCore

/// Reads Bedrock `ConverseResponse` bodies in canonical form (PROTOCOLS §4.4, §5.1, §5.6).
public enum BedrockResponseDecoder {
    public static func decode(_ body: [UInt8], provider: String) throws(GatewayError) -> ChatResponse {
        guard let json = try? JSONValue.parse(body), let content = json["output"]?["message"]?["content"]?.arrayValue else {
            throw .upstreamMalformed(provider, "the response has no output message")
        }
        var response = ChatResponse(
            id: "", model: "", created: 0, text: nil, finishReason: finishReason(json["stopReason"]?.stringValue), usage: json["usage"].map(usage))
        for block in content {
            if let text = block["text"]?.stringValue {
                response.text = (response.text ?? "") + text
            } else if let toolUse = block["toolUse"] {
                response.toolCalls.append(ToolCall(
                    id: toolUse["toolUseId"]?.stringValue ?? "", name: toolUse["name"]?.stringValue ?? "",
                    arguments: (toolUse["input"] ?? .object([])).serializedString))
            } else if let reasoning = block["reasoningContent"] {
                if let text = reasoning["reasoningText"] {
                    response.reasoning.append(.thinking(text["text"]?.stringValue ?? "", signature: text["signature"]?.stringValue))
                } else if let redacted = reasoning["redactedContent"]?.stringValue {
                    response.reasoning.append(.redactedThinking(redacted))
                }
            }
        }
        return response
    }

    static func finishReason(_ value: String?) -> FinishReason {
        switch value {
        case "max_tokens", "model_context_window_exceeded": .length
        case "tool_use": .toolCalls
        case "guardrail_intervened", "content_filtered": .contentFilter
        default: .stop
        }
    }

    /// Converse usage: prompt = input + cache reads + cache writes.
    static func usage(_ json: JSONValue) -> Usage {
        let cacheRead = json["cacheReadInputTokens"]?.intValue ?? 0
        let cacheWrite = json["cacheWriteInputTokens"]?.intValue ?? 0
        return Usage(
            promptTokens: (json["inputTokens"]?.intValue ?? 0) + cacheRead + cacheWrite,
            completionTokens: json["outputTokens"]?.intValue ?? 0, cachedPromptTokens: cacheRead)
    }
}
