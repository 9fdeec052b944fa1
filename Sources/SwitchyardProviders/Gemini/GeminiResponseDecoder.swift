public import SwitchyardCore

/// Reads Gemini `GenerateContentResponse` objects in canonical form (PROTOCOLS §3.4, §5.1, §5.6).
public enum GeminiResponseDecoder {
    public static func decode(_ body: [UInt8], provider: String) throws(GatewayError) -> ChatResponse {
        guard let json = try? JSONValue.parse(body), json.isObject else {
            throw .upstreamMalformed(provider, "the response body is not a JSON object")
        }
        let id = json["responseId"]?.stringValue ?? ""
        var response = ChatResponse(
            id: id, model: json["modelVersion"]?.stringValue ?? "", created: 0, text: nil, finishReason: .stop,
            usage: json["usageMetadata"].map(usage))
        guard let candidate = json["candidates"]?.arrayValue?.first else {
            // A blocked prompt has no candidates (promptFeedback.blockReason).
            response.finishReason = json["promptFeedback"]?["blockReason"] != nil ? .contentFilter : .stop
            response.text = ""
            return response
        }
        for part in candidate["content"]?["parts"]?.arrayValue ?? [] {
            if let text = part["text"]?.stringValue {
                if part["thought"]?.boolValue == true {
                    response.reasoning.append(.thinking(text, signature: nil))
                } else {
                    response.text = (response.text ?? "") + text
                }
            } else if let call = part["functionCall"] {
                response.toolCalls.append(toolCall(call, responseID: id, index: response.toolCalls.count))
            }
        }
        response.finishReason = finishReason(candidate["finishReason"]?.stringValue, sawFunctionCall: !response.toolCalls.isEmpty)
        return response
    }

    /// A function call as a tool call; Gemini's `id` is optional, so one is made up when absent.
    static func toolCall(_ call: JSONValue, responseID: String, index: Int) -> ToolCall {
        let name = call["name"]?.stringValue ?? ""
        let id = call["id"]?.stringValue ?? "call_\(responseID.isEmpty ? "gemini" : responseID)_\(index)"
        return ToolCall(id: id, name: name, arguments: (call["args"] ?? .object([])).serializedString)
    }

    /// Gemini's `finishReason` in OpenAI's vocabulary; STOP with a function call is `tool_calls` (PROTOCOLS §0.3).
    static func finishReason(_ value: String?, sawFunctionCall: Bool) -> FinishReason {
        switch value {
        case "MAX_TOKENS": return .length
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "LANGUAGE", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT",
            "IMAGE_RECITATION", "IMAGE_OTHER":
            return .contentFilter
        default: return sawFunctionCall ? .toolCalls : .stop
        }
    }

    /// `usageMetadata`: candidates exclude thoughts, so completion = candidates + thoughts.
    static func usage(_ json: JSONValue) -> Usage {
        let thoughts = json["thoughtsTokenCount"]?.intValue ?? 0
        return Usage(
            promptTokens: json["promptTokenCount"]?.intValue ?? 0,
            completionTokens: (json["candidatesTokenCount"]?.intValue ?? 0) + thoughts,
            cachedPromptTokens: json["cachedContentTokenCount"]?.intValue ?? 0, reasoningTokens: thoughts)
    }
}
