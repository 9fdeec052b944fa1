public import SwitchyardCore

/// The body of an inbound `POST /v1/responses` (OpenAI's `CreateResponse`), validated once.
/// Forwarded as it came to deployments that speak Responses natively; translated through the
/// canonical chat model for every other one, where what has no equivalent is a 400 naming the
/// field (PROTOCOLS §1.6).
public struct ResponsesRequest: Sendable {
    public let scanner: JSONScanner
    public let root: JSONSpan
    public let json: JSONValue
    public let model: String
    public let stream: Bool
    /// Whether the answer is kept for `GET /v1/responses/{id}` and `previous_response_id` (default true).
    public let store: Bool
    public let previousResponseID: String?
    public let maxOutputTokens: Int?
    /// This turn's input as items (a string input becomes one user message).
    public let input: [JSONValue]

    public init(bytes: [UInt8]) throws(GatewayError) {
        let (scanner, root) = try JSONScanner.requestObject(bytes)
        let json = JSONValue(scanner: scanner, span: root)
        guard let model = json["model"]?.stringValue, !model.isEmpty else {
            throw .invalidRequest("Missing required parameter: 'model'.", param: "model")
        }
        self.scanner = scanner
        self.root = root
        self.json = json
        self.model = model
        self.stream = try ResponsesRequest.flag(json, "stream") ?? false
        self.store = try ResponsesRequest.flag(json, "store") ?? true
        if let previous = json["previous_response_id"], !previous.isNull {
            guard let id = previous.stringValue, !id.isEmpty else {
                throw .invalidRequest("Invalid type for 'previous_response_id': expected a string.", param: "previous_response_id")
            }
            self.previousResponseID = id
        } else {
            self.previousResponseID = nil
        }
        if let value = json["max_output_tokens"], !value.isNull {
            guard let tokens = value.intValue else {
                throw .invalidRequest("Invalid type for 'max_output_tokens': expected an integer.", param: "max_output_tokens")
            }
            try RequestLimits.check(tokens, 16...RequestLimits.maxOutputTokens, field: "max_output_tokens")
            self.maxOutputTokens = tokens
        } else {
            self.maxOutputTokens = nil
        }
        for (key, range) in [("temperature", 0.0...2.0), ("top_p", 0.0...1.0)] {
            guard let value = json[key], !value.isNull else { continue }
            guard let number = value.doubleValue else { throw .invalidRequest("Invalid type for '\(key)': expected a number.", param: key) }
            try RequestLimits.check(number, range, field: key)
        }
        switch json["input"] {
        case .string(let text)?:
            self.input = [.record(["type": .string("message"), "role": .string("user"), "content": .string(text)])]
        case .array(let items)?:
            for (index, item) in items.enumerated() where !item.isObject {
                throw .invalidRequest("Invalid type for 'input[\(index)]': expected an object.", param: "input[\(index)]")
            }
            self.input = items
        case nil, .null?:
            guard previousResponseID != nil else { throw .invalidRequest("Missing required parameter: 'input'.", param: "input") }
            self.input = []
        default:
            throw .invalidRequest("Invalid type for 'input': expected a string or an array of input items.", param: "input")
        }
    }

    private static func flag(_ json: JSONValue, _ key: String) throws(GatewayError) -> Bool? {
        guard let value = json[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw .invalidRequest("Invalid type for '\(key)': expected a boolean.", param: key) }
        return flag
    }

    /// Bytes of prompt content (instructions and the text of `items`), for token estimates.
    public func promptByteCount(items: [JSONValue]) -> Int {
        (json["instructions"]?.stringValue?.utf8.count ?? 0) + items.reduce(0) { $0 + ResponsesRequest.textBytes($1) }
            + (json["tools"]?.serialized.count ?? 0)
    }

    static func textBytes(_ value: JSONValue) -> Int {
        switch value {
        case .string(let text): return text.utf8.count
        case .array(let items): return items.reduce(0) { $0 + textBytes($1) }
        case .object(let fields):
            if value["type"]?.stringValue == "input_image" || value["type"]?.stringValue == "input_file" { return 3_000 }
            return fields.reduce(0) { $0 + ($1.key == "id" || $1.key == "type" || $1.key == "role" ? 0 : textBytes($1.value)) }
        default: return 0
        }
    }
}

// MARK: - Translation to the canonical model

extension ResponsesRequest {
    /// The canonical chat request for a deployment that does not speak Responses: `items` are
    /// the whole conversation (stored history, then this turn's input).
    public func canonical(items: [JSONValue]) throws(GatewayError) -> ChatRequest {
        for field in ["background", "conversation", "prompt"] where json[field] != nil && json[field] != .null && json[field] != .bool(false) {
            throw .invalidRequest("'\(field)' has no equivalent on this model's provider (it is served through the chat format).", param: field)
        }
        if let include = json["include"]?.arrayValue, !include.isEmpty {
            throw .invalidRequest("'include' has no equivalent on this model's provider (it is served through the chat format).", param: "include")
        }
        var request = ChatRequest(model: model, messages: [], maxTokens: maxOutputTokens, stream: stream, streamUsage: true)
        if let instructions = json["instructions"]?.stringValue, !instructions.isEmpty { request.system.append(instructions) }
        for (index, item) in items.enumerated() {
            try ResponsesRequest.append(item, path: "input[\(index)]", to: &request)
        }
        request.tools = try tools()
        request.toolChoice = try toolChoice()
        request.parallelToolCalls = json["parallel_tool_calls"]?.boolValue
        request.temperature = json["temperature"]?.doubleValue
        request.topP = json["top_p"]?.doubleValue
        request.user = json["user"]?.stringValue ?? json["safety_identifier"]?.stringValue
        if let effort = json["reasoning"]?["effort"]?.stringValue, effort != "none" { request.reasoningEffort = effort }
        request.responseFormat = try responseFormat()
        return request
    }

    private static func append(_ item: JSONValue, path: String, to request: inout ChatRequest) throws(GatewayError) {
        let type = item["type"]?.stringValue ?? (item["role"] != nil ? "message" : nil)
        switch type {
        case "message":
            let role = item["role"]?.stringValue
            let parts = try content(item["content"], path: "\(path).content")
            switch role {
            case "system", "developer":
                let text = parts.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined(separator: "\n")
                if !text.isEmpty { request.system.append(text) }
            case "user":
                request.messages.append(ChatMessage(role: .user, content: parts))
            case "assistant":
                if let last = request.messages.last, last.role == .assistant, last.toolCalls.isEmpty,
                    last.content.allSatisfy({ if case .thinking = $0 { true } else { false } })
                {
                    // The text after its reasoning: one turn.
                    request.messages[request.messages.count - 1].content += parts
                } else {
                    request.messages.append(ChatMessage(role: .assistant, content: parts))
                }
            default:
                throw .invalidRequest("Invalid value for '\(path).role': expected 'user', 'assistant', 'system' or 'developer'.", param: "\(path).role")
            }
        case "function_call":
            guard let callID = item["call_id"]?.stringValue, let name = item["name"]?.stringValue else {
                throw .invalidRequest("'\(path)': a function_call item needs call_id and name.", param: path)
            }
            let call = ToolCall(id: callID, name: name, arguments: item["arguments"]?.stringValue ?? "{}")
            if let last = request.messages.last, last.role == .assistant {
                request.messages[request.messages.count - 1].toolCalls.append(call)
            } else {
                request.messages.append(ChatMessage(role: .assistant, content: [], toolCalls: [call]))
            }
        case "function_call_output":
            guard let callID = item["call_id"]?.stringValue else {
                throw .invalidRequest("Missing required parameter: '\(path).call_id'.", param: "\(path).call_id")
            }
            let output: String
            switch item["output"] {
            case .string(let text)?: output = text
            case .array(let parts)?: output = parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
            default: throw .invalidRequest("Missing required parameter: '\(path).output'.", param: "\(path).output")
            }
            request.messages.append(ChatMessage(role: .tool, content: [.text(output)], toolCallID: callID))
        case "reasoning":
            // A thinking block this gateway returned (its signature as `encrypted_content`) goes back
            // whole, opening the assistant turn its calls follow; other reasoning summaries are
            // context a chat upstream cannot take back.
            guard let signature = item["encrypted_content"]?.stringValue else { break }
            let text = (item["summary"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
            request.messages.append(ChatMessage(role: .assistant, content: [.thinking(text, signature: signature)]))
        default:
            throw .invalidRequest(
                "'\(path).type' ('\(type ?? "?")') has no equivalent on this model's provider (it is served through the chat format).",
                param: "\(path).type")
        }
    }

    private static func content(_ value: JSONValue?, path: String) throws(GatewayError) -> [ContentPart] {
        switch value {
        case .string(let text)?: return [.text(text)]
        case .array(let parts)?:
            var result: [ContentPart] = []
            for (index, part) in parts.enumerated() {
                let partPath = "\(path)[\(index)]"
                switch part["type"]?.stringValue {
                case "input_text", "output_text", "text":
                    result.append(.text(part["text"]?.stringValue ?? ""))
                case "refusal":
                    result.append(.text(part["refusal"]?.stringValue ?? ""))
                case "input_image":
                    guard let url = part["image_url"]?.stringValue else {
                        throw .invalidRequest("'\(partPath)': only images given by image_url can be sent to this model's provider.", param: "\(partPath).image_url")
                    }
                    result.append(.image(.fromURL(url)))
                default:
                    throw .invalidRequest(
                        "'\(partPath).type' ('\(part["type"]?.stringValue ?? "?")') has no equivalent on this model's provider.", param: "\(partPath).type")
                }
            }
            return result
        default:
            throw .invalidRequest("Missing required parameter: '\(path)'.", param: path)
        }
    }

    private func tools() throws(GatewayError) -> [ToolDefinition] {
        guard let list = json["tools"]?.arrayValue else { return [] }
        var tools: [ToolDefinition] = []
        for (index, tool) in list.enumerated() {
            guard tool["type"]?.stringValue == "function" else {
                throw .invalidRequest(
                    "'tools[\(index)].type' ('\(tool["type"]?.stringValue ?? "?")'): built-in tools have no equivalent on this model's provider; use function tools.",
                    param: "tools[\(index)].type")
            }
            guard let name = tool["name"]?.stringValue else {
                throw .invalidRequest("Missing required parameter: 'tools[\(index)].name'.", param: "tools[\(index)].name")
            }
            tools.append(ToolDefinition(name: name, description: tool["description"]?.stringValue, parameters: tool["parameters"]))
        }
        return tools
    }

    private func toolChoice() throws(GatewayError) -> ToolChoice? {
        switch json["tool_choice"] {
        case nil, .null?: return nil
        case .string("auto")?: return .auto
        case .string("none")?: return ToolChoice.none
        case .string("required")?: return .required
        case let choice?:
            guard choice["type"]?.stringValue == "function", let name = choice["name"]?.stringValue else {
                throw .invalidRequest("'tool_choice' has no equivalent on this model's provider (only auto, none, required and a function).", param: "tool_choice")
            }
            return .function(name)
        }
    }

    private func responseFormat() throws(GatewayError) -> ResponseFormat? {
        guard let format = json["text"]?["format"], !format.isNull else { return nil }
        switch format["type"]?.stringValue {
        case "text": return .text
        case "json_object": return .jsonObject
        case "json_schema":
            guard let name = format["name"]?.stringValue, let schema = format["schema"] else {
                throw .invalidRequest("'text.format': json_schema needs a name and a schema.", param: "text.format")
            }
            return .jsonSchema(name: name, schema: schema, strict: format["strict"]?.boolValue)
        default:
            throw .invalidRequest("Invalid value for 'text.format.type'.", param: "text.format.type")
        }
    }
}
