public import SwitchyardCore

/// Writes a canonical request as an OpenAI `CreateChatCompletionRequest` body (for clients in
/// another format, e.g. Anthropic's, served by an OpenAI-format provider).
public enum OpenAIChatRequestEncoder {
    public static func encode(_ request: ChatRequest, model: String) -> [UInt8] {
        var fields: [JSONValue.JSONField] = [.init("model", .string(model))]
        var messages: [JSONValue] = request.system.map { .record(["role": .string("system"), "content": .string($0)]) }
        for message in request.messages { messages.append(encode(message)) }
        fields.append(.init("messages", .array(messages)))
        if let maxTokens = request.maxTokens { fields.append(.init("max_tokens", .int(maxTokens))) }
        if let temperature = request.temperature { fields.append(.init("temperature", .double(temperature))) }
        if let topP = request.topP { fields.append(.init("top_p", .double(topP))) }
        if !request.stop.isEmpty { fields.append(.init("stop", .array(request.stop.map(JSONValue.string)))) }
        if !request.tools.isEmpty {
            fields.append(.init("tools", tools(request.tools)))
            if let parallel = request.parallelToolCalls { fields.append(.init("parallel_tool_calls", .bool(parallel))) }
        }
        switch request.toolChoice {
        case .auto?: fields.append(.init("tool_choice", .string("auto")))
        case .none?: fields.append(.init("tool_choice", .string("none")))
        case .required?: fields.append(.init("tool_choice", .string("required")))
        case .function(let name)?:
            fields.append(.init("tool_choice", .record(["type": .string("function"), "function": .record(["name": .string(name)])])))
        case nil: break
        }
        switch request.responseFormat {
        case .jsonObject?: fields.append(.init("response_format", .record(["type": .string("json_object")])))
        case .jsonSchema(let name, let schema, let strict)?:
            fields.append(.init("response_format", .record([
                "type": .string("json_schema"),
                "json_schema": .record(["name": .string(name), "schema": schema, "strict": strict.map(JSONValue.bool)]),
            ])))
        default: break
        }
        if let user = request.user { fields.append(.init("user", .string(user))) }
        if let effort = request.reasoningEffort { fields.append(.init("reasoning_effort", .string(effort))) }
        if request.stream {
            fields.append(.init("stream", .bool(true)))
            fields.append(.init("stream_options", .record(["include_usage": .bool(true)])))
        }
        return JSONValue.object(fields).serialized
    }

    /// Function tools in OpenAI's shape (Cohere's v2 takes the same).
    static func tools(_ tools: [ToolDefinition]) -> JSONValue {
        .array(tools.map { tool in
            .record([
                "type": .string("function"),
                "function": .record([
                    "name": .string(tool.name), "description": tool.description.map(JSONValue.string),
                    "parameters": tool.parameters ?? .object([.init("type", .string("object")), .init("properties", .object([]))]),
                ]),
            ])
        })
    }

    static func encode(_ message: ChatMessage) -> JSONValue {
        switch message.role {
        case .tool:
            return .record(["role": .string("tool"), "tool_call_id": .string(message.toolCallID ?? ""), "content": .string(message.text)])
        case .assistant:
            let text = message.text
            return .record([
                "role": .string("assistant"),
                "content": text.isEmpty && !message.toolCalls.isEmpty ? .null : .string(text),
                "tool_calls": message.toolCalls.isEmpty ? nil : .array(message.toolCalls.map { call in
                    .record([
                        "id": .string(call.id), "type": .string("function"),
                        "function": .record(["name": .string(call.name), "arguments": .string(call.arguments)]),
                    ])
                }),
            ])
        case .user:
            let simple = message.content.allSatisfy { if case .text = $0 { true } else { false } }
            if simple { return .record(["role": .string("user"), "content": .string(message.text)]) }
            return .record(["role": .string("user"), "content": .array(message.content.compactMap { part in
                switch part {
                case .text(let text): .record(["type": .string("text"), "text": .string(text)])
                case .image(let image): .record(["type": .string("image_url"), "image_url": .record(["url": .string(image.url)])])
                case .thinking, .redactedThinking: nil
                }
            })])
        }
    }
}
