public import SwitchyardCore

extension OpenAIChatRequestBody {
    /// The request in canonical form, for providers that do not speak OpenAI's format.
    /// The body was validated already; parts a provider cannot use are left out.
    public func canonical() throws(GatewayError) -> ChatRequest {
        let json = JSONValue(scanner: scanner, span: root)
        var request = ChatRequest(model: model, messages: [])
        request.stream = stream
        request.streamUsage = clientWantsUsage
        for (index, message) in (json["messages"]?.arrayValue ?? []).enumerated() {
            try OpenAIChatRequestBody.append(message, index: index, to: &request)
        }
        request.tools = (json["tools"]?.arrayValue ?? []).compactMap { tool in
            guard let function = tool["function"], let name = function["name"]?.stringValue else { return nil }
            return ToolDefinition(name: name, description: function["description"]?.stringValue, parameters: function["parameters"])
        }
        switch json["tool_choice"] {
        case .string("auto")?: request.toolChoice = .auto
        case .string("none")?: request.toolChoice = ToolChoice.none
        case .string("required")?: request.toolChoice = .required
        case let choice?: request.toolChoice = choice["function"]?["name"]?.stringValue.map(ToolChoice.function)
        case nil: break
        }
        request.parallelToolCalls = json["parallel_tool_calls"]?.boolValue
        request.maxTokens = maxTokens
        request.temperature = json["temperature"]?.doubleValue
        request.topP = json["top_p"]?.doubleValue
        request.topK = json["top_k"]?.intValue
        switch json["stop"] {
        case .string(let stop)?: request.stop = [stop]
        case .array(let stops)?: request.stop = stops.compactMap(\.stringValue)
        default: break
        }
        if let format = json["response_format"] {
            switch format["type"]?.stringValue {
            case "json_object": request.responseFormat = .jsonObject
            case "json_schema":
                let schema = format["json_schema"]
                request.responseFormat = .jsonSchema(
                    name: schema?["name"]?.stringValue ?? "response", schema: schema?["schema"] ?? .object([]),
                    strict: schema?["strict"]?.boolValue)
            default: request.responseFormat = .text
            }
        }
        request.user = json["user"]?.stringValue ?? json["safety_identifier"]?.stringValue
        request.reasoningEffort = json["reasoning_effort"]?.stringValue
        request.choiceCount = json["n"]?.intValue
        return request
    }

    private static func append(_ message: JSONValue, index: Int, to request: inout ChatRequest) throws(GatewayError) {
        let role = message["role"]?.stringValue ?? ""
        let parts = try contentParts(message["content"], path: "messages[\(index)].content")
        switch role {
        case "system", "developer":
            let text = parts.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined(separator: "\n")
            if !text.isEmpty { request.system.append(text) }
        case "assistant":
            let calls = (message["tool_calls"]?.arrayValue ?? []).compactMap { call -> ToolCall? in
                guard let id = call["id"]?.stringValue, let function = call["function"], let name = function["name"]?.stringValue else { return nil }
                return ToolCall(id: id, name: name, arguments: function["arguments"]?.stringValue ?? "{}")
            }
            var content = parts
            if let reasoning = message["reasoning_content"]?.stringValue, !reasoning.isEmpty {
                content.insert(.thinking(reasoning, signature: nil), at: 0)
            }
            request.messages.append(ChatMessage(role: .assistant, content: content, toolCalls: calls))
        case "tool", "function":
            let id = message["tool_call_id"]?.stringValue ?? message["name"]?.stringValue ?? ""
            request.messages.append(ChatMessage(role: .tool, content: parts, toolCallID: id))
        default:
            request.messages.append(ChatMessage(role: .user, content: parts))
        }
    }

    private static func contentParts(_ content: JSONValue?, path: String) throws(GatewayError) -> [ContentPart] {
        switch content {
        case .string(let text)?: return [.text(text)]
        case .array(let items)?:
            var parts: [ContentPart] = []
            for (index, item) in items.enumerated() {
                switch item["type"]?.stringValue {
                case "text": parts.append(.text(item["text"]?.stringValue ?? ""))
                case "image_url":
                    guard let url = item["image_url"]?["url"]?.stringValue ?? item["image_url"]?.stringValue else {
                        throw .invalidRequest("Missing required parameter: '\(path)[\(index)].image_url.url'.", param: "\(path)[\(index)].image_url.url")
                    }
                    parts.append(.image(.fromURL(url)))
                case "refusal": parts.append(.text(item["refusal"]?.stringValue ?? ""))
                case let other:
                    throw .invalidRequest(
                        "Content parts of type '\(other ?? "?")' cannot be sent to this model's provider ('\(path)[\(index)]').",
                        param: "\(path)[\(index)].type")
                }
            }
            return parts
        default:
            return []
        }
    }
}

extension OpenAIChatRequestBody {
    /// What routers look at, read leniently (content parts routers do not know are skipped).
    public var requestFeatures: RequestFeatures {
        RequestFeatures(scanner: scanner, object: root)
    }
}
