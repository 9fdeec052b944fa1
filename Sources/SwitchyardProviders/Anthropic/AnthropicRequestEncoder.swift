public import SwitchyardCore

/// Writes a canonical request as an Anthropic Messages body (PROTOCOLS §2.3, §5.2–5.5).
public enum AnthropicRequestEncoder {
    /// `max_tokens` is required by Anthropic; used when the client gave none.
    public static let defaultMaxTokens = 4096
    /// Thinking budgets for OpenAI's `reasoning_effort` (LiteLLM's mapping).
    static let effortBudgets = ["minimal": 1024, "low": 1024, "medium": 2048, "high": 4096]

    public static func encode(_ request: ChatRequest, model: String) -> [UInt8] {
        var fields: [JSONValue.JSONField] = [.init("model", .string(model))]
        let maxTokens = request.maxTokens ?? defaultMaxTokens
        fields.append(.init("max_tokens", .int(maxTokens)))
        // Anthropic wants 1024 ≤ budget_tokens < max_tokens, and no sampling overrides with thinking on.
        let thinkingBudget = (request.thinkingBudget ?? request.reasoningEffort.flatMap { effortBudgets[$0] })
            .map { min(max(1024, $0), maxTokens - 1) }
            .flatMap { $0 >= 1024 ? $0 : nil }
        var system = request.system
        if let instruction = jsonInstruction(request.responseFormat) { system.append(instruction) }
        if !system.isEmpty { fields.append(.init("system", .string(system.joined(separator: "\n\n")))) }
        fields.append(.init("messages", .array(messages(request.messages))))
        if thinkingBudget == nil {
            if let temperature = request.temperature { fields.append(.init("temperature", .double(min(1, max(0, temperature))))) }
            if let topP = request.topP { fields.append(.init("top_p", .double(topP))) }
            if let topK = request.topK { fields.append(.init("top_k", .int(topK))) }
        }
        let stops = request.stop.filter { !$0.trimmingSpaces().isEmpty }
        if !stops.isEmpty { fields.append(.init("stop_sequences", .array(stops.map(JSONValue.string)))) }
        if !request.tools.isEmpty {
            fields.append(.init("tools", .array(request.tools.map { tool in
                .record([
                    "name": .string(tool.name), "description": tool.description.map(JSONValue.string),
                    "input_schema": tool.parameters ?? .record(["type": .string("object"), "properties": .object([])]),
                ])
            })))
        }
        if let choice = toolChoice(request) { fields.append(.init("tool_choice", choice)) }
        if let user = request.user, !user.contains("@") { fields.append(.init("metadata", .record(["user_id": .string(user)]))) }
        if let thinkingBudget {
            fields.append(.init("thinking", .record(["type": .string("enabled"), "budget_tokens": .int(thinkingBudget)])))
        }
        if request.stream { fields.append(.init("stream", .bool(true))) }
        return JSONValue.object(fields).serialized
    }

    /// OpenAI turns as Anthropic turns: tool results become `tool_result` blocks of a user turn,
    /// and consecutive turns of one role are merged (Anthropic wants them alternating).
    static func messages(_ messages: [ChatMessage]) -> [JSONValue] {
        var turns = AlternatingTurns()
        for message in messages { turns.append(role: message.role == .assistant ? "assistant" : "user", blocks(message)) }
        return turns.turns.map { turn in
            if turn.pieces.count == 1, turn.pieces[0]["type"]?.stringValue == "text", let text = turn.pieces[0]["text"] {
                return .record(["role": .string(turn.role), "content": text])
            }
            return .record(["role": .string(turn.role), "content": .array(turn.pieces)])
        }
    }

    static func blocks(_ message: ChatMessage) -> [JSONValue] {
        if message.role == .tool {
            return [.record([
                "type": .string("tool_result"), "tool_use_id": .string(message.toolCallID ?? ""), "content": .string(message.text),
                "is_error": message.isError ? .bool(true) : nil,
            ])]
        }
        var blocks: [JSONValue] = message.content.compactMap { part in
            switch part {
            case .text(let text): text.isEmpty ? nil : .record(["type": .string("text"), "text": .string(text)])
            case .image(.base64(let mediaType, let data)):
                .record(["type": .string("image"), "source": .record(["type": .string("base64"), "media_type": .string(mediaType), "data": .string(data)])])
            case .image(.url(let url)):
                .record(["type": .string("image"), "source": .record(["type": .string("url"), "url": .string(url)])])
            case .thinking(let text, let signature):
                // Thinking without Anthropic's signature cannot be replayed to Anthropic.
                signature.map { .record(["type": .string("thinking"), "thinking": .string(text), "signature": .string($0)]) }
            case .redactedThinking(let data): .record(["type": .string("redacted_thinking"), "data": .string(data)])
            }
        }
        for call in message.toolCalls {
            blocks.append(.record(["type": .string("tool_use"), "id": .string(call.id), "name": .string(call.name), "input": call.argumentsObject]))
        }
        return blocks
    }

    static func toolChoice(_ request: ChatRequest) -> JSONValue? {
        let disableParallel: JSONValue? = request.parallelToolCalls == false ? .bool(true) : nil
        switch request.toolChoice {
        case .auto?: return .record(["type": .string("auto"), "disable_parallel_tool_use": disableParallel])
        case .required?: return .record(["type": .string("any"), "disable_parallel_tool_use": disableParallel])
        case .none?: return request.tools.isEmpty ? nil : .record(["type": .string("none")])
        case .function(let name)?: return .record(["type": .string("tool"), "name": .string(name), "disable_parallel_tool_use": disableParallel])
        case nil: return disableParallel != nil && !request.tools.isEmpty ? .record(["type": .string("auto"), "disable_parallel_tool_use": disableParallel]) : nil
        }
    }

    /// Anthropic has no `response_format`; the JSON contract becomes an instruction.
    static func jsonInstruction(_ format: ResponseFormat?) -> String? {
        switch format {
        case .jsonObject?: "Respond with a single valid JSON object and nothing else."
        case .jsonSchema(_, let schema, _)?: "Respond with a single valid JSON object matching this JSON Schema, and nothing else: \(schema.serializedString)"
        default: nil
        }
    }
}
