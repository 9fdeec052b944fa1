public import SwitchyardCore

/// Writes OpenAI `Response` objects (`object: "response"`) for answers that came through the
/// canonical model: the output items, the usage, and the request's settings echoed back.
public struct ResponseObject: Sendable {
    public let id: String
    public let createdAt: Int
    public let model: String
    public let request: ResponsesRequest

    public init(id: String, createdAt: Int, model: String, request: ResponsesRequest) {
        self.id = id
        self.createdAt = createdAt
        self.model = model
        self.request = request
    }

    /// An item id derived from the response's (`msg_…`, `fc_…`, `rs_…`), stable for one response.
    public func itemID(_ prefix: String, _ index: Int) -> String {
        "\(prefix)_\(id.dropFirst(5))\(index)"
    }

    /// The `Response` with `status` (`in_progress`, `completed`, `incomplete`, `failed`).
    public func json(status: String, output: [JSONValue], usage: Usage?, error: GatewayError? = nil, incompleteReason: String? = nil) -> JSONValue {
        let echo = request.json
        return .record([
            "id": .string(id), "object": .string("response"), "created_at": .int(createdAt), "status": .string(status),
            "background": .bool(false),
            "error": error.map { .record(["code": .string(ResponseObject.errorCode($0)), "message": .string($0.message)]) } ?? .null,
            "incomplete_details": incompleteReason.map { .record(["reason": .string($0)]) } ?? .null,
            "instructions": echo["instructions"] ?? .null,
            "max_output_tokens": echo["max_output_tokens"] ?? .null,
            "metadata": echo["metadata"] ?? .object([]),
            "model": .string(model), "output": .array(output),
            "parallel_tool_calls": echo["parallel_tool_calls"] ?? .bool(true),
            "previous_response_id": request.previousResponseID.map(JSONValue.string) ?? .null,
            "reasoning": .record(["effort": echo["reasoning"]?["effort"] ?? .null, "summary": .null]),
            "store": .bool(request.store),
            "temperature": echo["temperature"] ?? .double(1), "top_p": echo["top_p"] ?? .double(1),
            "text": echo["text"] ?? .record(["format": .record(["type": .string("text")])]),
            "tool_choice": echo["tool_choice"] ?? .string("auto"), "tools": echo["tools"] ?? .array([]),
            "truncation": echo["truncation"] ?? .string("disabled"),
            "usage": usage.map(ResponseObject.usageJSON) ?? .null,
            "user": echo["user"] ?? .null,
        ])
    }

    /// The output items of a complete canonical answer: reasoning, the message, the calls.
    public func output(of response: ChatResponse) -> [JSONValue] {
        var items: [JSONValue] = []
        for part in response.reasoning {
            if case .thinking(let text, let signature) = part {
                items.append(reasoningItem(id: itemID("rs", items.count), text: text, signature: signature))
            }
        }
        if let text = response.text, !text.isEmpty || response.toolCalls.isEmpty {
            items.append(messageItem(id: itemID("msg", items.count), text: text, status: "completed"))
        }
        for call in response.toolCalls {
            items.append(functionCallItem(id: itemID("fc", items.count), callID: call.id, name: call.name, arguments: call.arguments, status: "completed"))
        }
        return items
    }

    /// A finished `Response` (`completed` or `incomplete`) as a canonical answer; nil when it
    /// is not finished or holds an item the canonical answer has no place for (a built-in
    /// tool's call, an image), so nothing is kept that could not be given back whole.
    public static func answer(from json: JSONValue) -> ChatResponse? {
        let finishReason: FinishReason
        switch json["status"]?.stringValue {
        case "completed": finishReason = .stop
        case "incomplete":
            finishReason = json["incomplete_details"]?["reason"]?.stringValue == "content_filter" ? .contentFilter : .length
        default: return nil
        }
        var text: String?
        var reasoning: [ContentPart] = []
        var calls: [ToolCall] = []
        for item in json["output"]?.arrayValue ?? [] {
            switch item["type"]?.stringValue {
            case "message":
                for part in item["content"]?.arrayValue ?? [] {
                    switch part["type"]?.stringValue {
                    case "output_text": text = (text ?? "") + (part["text"]?.stringValue ?? "")
                    case "refusal": text = (text ?? "") + (part["refusal"]?.stringValue ?? "")
                    default: return nil
                    }
                }
            case "function_call":
                guard let id = item["call_id"]?.stringValue, let name = item["name"]?.stringValue else { return nil }
                calls.append(ToolCall(id: id, name: name, arguments: item["arguments"]?.stringValue ?? ""))
            case "reasoning":
                let summary = (item["summary"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined(separator: "\n\n")
                reasoning.append(.thinking(summary, signature: item["encrypted_content"]?.stringValue))
            default:
                return nil
            }
        }
        let usage = json["usage"].flatMap { $0.isObject ? ResponseObject.usage($0) : nil }
        return ChatResponse(
            id: json["id"]?.stringValue ?? "", model: json["model"]?.stringValue ?? "", created: json["created_at"]?.intValue ?? 0, text: text,
            reasoning: reasoning, toolCalls: calls, finishReason: finishReason == .stop && !calls.isEmpty ? .toolCalls : finishReason,
            usage: usage)
    }

    func messageItem(id: String, text: String?, status: String) -> JSONValue {
        .record([
            "id": .string(id), "type": .string("message"), "status": .string(status), "role": .string("assistant"),
            "content": .array(text.map { [ResponseObject.textPart($0)] } ?? []),
        ])
    }

    static func textPart(_ text: String) -> JSONValue {
        .record(["type": .string("output_text"), "text": .string(text), "annotations": .array([]), "logprobs": .array([])])
    }

    func functionCallItem(id: String, callID: String, name: String, arguments: String, status: String) -> JSONValue {
        .record([
            "id": .string(id), "type": .string("function_call"), "status": .string(status), "call_id": .string(callID), "name": .string(name),
            "arguments": .string(arguments),
        ])
    }

    /// A reasoning item: the provider's visible reasoning as its summary, and its signature (an
    /// Anthropic thinking block's, which must come back unchanged on the next turn) as
    /// `encrypted_content`, so a conversation continued on Anthropic replays the block whole.
    func reasoningItem(id: String, text: String?, signature: String? = nil) -> JSONValue {
        .record([
            "id": .string(id), "type": .string("reasoning"),
            "summary": .array(text.map { [.record(["type": .string("summary_text"), "text": .string($0)])] } ?? []),
            "encrypted_content": signature.map(JSONValue.string),
        ])
    }

    /// Responses usage: `input_tokens` include cached ones, `output_tokens` reasoning ones.
    public static func usageJSON(_ usage: Usage) -> JSONValue {
        let usage = usage.sanitized
        return .record([
            "input_tokens": .int(usage.promptTokens),
            "input_tokens_details": .record(["cached_tokens": .int(usage.cachedPromptTokens)]),
            "output_tokens": .int(usage.completionTokens),
            "output_tokens_details": .record(["reasoning_tokens": .int(usage.reasoningTokens)]),
            "total_tokens": .int(usage.totalTokens),
        ])
    }

    /// The usage of a Responses `usage` object.
    public static func usage(_ json: JSONValue) -> Usage {
        Usage(
            promptTokens: json["input_tokens"]?.intValue ?? 0, completionTokens: json["output_tokens"]?.intValue ?? 0,
            cachedPromptTokens: json["input_tokens_details"]?["cached_tokens"]?.intValue ?? 0,
            reasoningTokens: json["output_tokens_details"]?["reasoning_tokens"]?.intValue ?? 0)
    }

    /// `incomplete_details.reason` for a finish reason, nil when the answer is complete.
    public static func incompleteReason(_ reason: FinishReason?) -> String? {
        switch reason {
        case .length?: "max_output_tokens"
        case .contentFilter?: "content_filter"
        default: nil
        }
    }

    static func errorCode(_ error: GatewayError) -> String {
        switch error.kind {
        case .upstreamRateLimited, .rateLimited: "rate_limit_exceeded"
        default: "server_error"
        }
    }
}
