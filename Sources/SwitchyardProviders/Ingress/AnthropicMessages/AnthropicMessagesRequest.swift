public import SwitchyardCore

/// The body of an inbound `POST /v1/messages` (Anthropic's `MessageCreateParams`): validated
/// once, forwarded as it came to Anthropic-format deployments, and decoded to the canonical
/// request only for the others.
public struct AnthropicMessagesBody: Sendable {
    /// The client's bytes, forwarded with only `model` changed to Anthropic deployments.
    public let scanner: JSONScanner
    public let root: JSONSpan
    public let json: JSONValue
    public let model: String
    public let maxTokens: Int
    public let stream: Bool

    /// Parses and validates the top level (every problem a 400 naming the field); content the
    /// canonical model cannot carry is only an error when the request is translated.
    public init(bytes: [UInt8]) throws(GatewayError) {
        let (scanner, root) = try JSONScanner.requestObject(bytes)
        let json = JSONValue(scanner: scanner, span: root)
        let header = try AnthropicMessagesRequest.validateTopLevel(json)
        self.scanner = scanner
        self.root = root
        self.json = json
        self.model = header.model
        self.maxTokens = header.maxTokens
        self.stream = header.stream
    }

    /// The canonical request, for deployments that speak another format; a 400 naming the
    /// field for what has no equivalent there (documents, server tools).
    public func canonical() throws(GatewayError) -> ChatRequest { try AnthropicMessagesRequest.decode(json: json) }

    /// The text of a messages-shaped body's system, messages and tools, attachments at a flat
    /// size: what `count_tokens` estimates from when no Anthropic deployment can count.
    public static func estimatedPromptBytes(_ json: JSONValue) -> Int {
        textBytes(json["system"]) + textBytes(json["messages"]) + textBytes(json["tools"])
    }

    private static func textBytes(_ value: JSONValue?) -> Int {
        switch value {
        case .string(let text)?: return text.utf8.count
        case .array(let items)?: return items.reduce(0) { $0 + textBytes($1) }
        case .object(let fields)?:
            if let type = value?["type"]?.stringValue, type == "image" || type == "document" { return 3_000 }
            return fields.reduce(0) { $0 + ($1.key == "signature" || $1.key == "data" ? 0 : textBytes($1.value)) }
        default: return 0
        }
    }
}

/// Validation and canonical decoding of `POST /v1/messages` bodies.
public enum AnthropicMessagesRequest {
    /// Parses, validates and decodes `bytes` to the canonical request.
    public static func decode(_ bytes: [UInt8]) throws(GatewayError) -> ChatRequest {
        try AnthropicMessagesBody(bytes: bytes).canonical()
    }

    /// The checks every request passes, whichever deployment serves it.
    static func validateTopLevel(_ json: JSONValue) throws(GatewayError) -> (model: String, maxTokens: Int, stream: Bool) {
        guard let model = json["model"]?.stringValue, !model.isEmpty else {
            throw .invalidRequest("model: Field required (a non-empty string).", param: "model")
        }
        guard let maxTokensValue = json["max_tokens"] else { throw .invalidRequest("max_tokens: Field required", param: "max_tokens") }
        guard let maxTokens = maxTokensValue.intValue, maxTokens >= 1 else {
            throw .invalidRequest("max_tokens: Input should be an integer greater than or equal to 1", param: "max_tokens")
        }
        try RequestLimits.check(maxTokens, 1...RequestLimits.maxOutputTokens, field: "max_tokens")
        guard let messages = json["messages"]?.arrayValue else {
            throw .invalidRequest("messages: Field required (an array of messages).", param: "messages")
        }
        guard !messages.isEmpty else { throw .invalidRequest("messages: at least one message is required", param: "messages") }
        for (index, message) in messages.enumerated() {
            let path = "messages.\(index)"
            guard message.isObject else { throw .invalidRequest("\(path): Input should be an object", param: path) }
            guard let role = message["role"]?.stringValue, role == "user" || role == "assistant" else {
                throw .invalidRequest("\(path).role: Input should be 'user' or 'assistant'", param: "\(path).role")
            }
            switch message["content"] {
            case .string?, .array?: break
            default: throw .invalidRequest("\(path).content: Field required (a string or a list of content blocks)", param: "\(path).content")
            }
        }
        _ = try number(json, "temperature", 0...1)
        _ = try number(json, "top_p", 0...1)
        if let topK = json["top_k"], !topK.isNull {
            guard let value = topK.intValue else { throw .invalidRequest("top_k: Input should be a valid integer", param: "top_k") }
            try RequestLimits.check(value, 0...Int(Int32.max), field: "top_k")
        }
        if let budget = json["thinking"]?["budget_tokens"], !budget.isNull {
            guard let value = budget.intValue else {
                throw .invalidRequest("thinking.budget_tokens: Input should be a valid integer", param: "thinking.budget_tokens")
            }
            try RequestLimits.check(value, 0...RequestLimits.maxOutputTokens, field: "thinking.budget_tokens")
        }
        var stream = false
        if let value = json["stream"], !value.isNull {
            guard let flag = value.boolValue else { throw .invalidRequest("stream: Input should be a valid boolean", param: "stream") }
            stream = flag
        }
        return (model, maxTokens, stream)
    }

    static func decode(json: JSONValue) throws(GatewayError) -> ChatRequest {
        let (model, maxTokens, stream) = try validateTopLevel(json)
        let messages = json["messages"]?.arrayValue ?? []
        var request = ChatRequest(model: model, messages: [], maxTokens: maxTokens)
        request.system = try system(json["system"])
        for (index, message) in messages.enumerated() {
            try append(message, path: "messages.\(index)", to: &request)
        }
        request.tools = try tools(json["tools"])
        try applyToolChoice(json["tool_choice"], to: &request)
        request.temperature = try number(json, "temperature", 0...1)
        request.topP = try number(json, "top_p", 0...1)
        request.topK = json["top_k"]?.intValue
        if let stops = json["stop_sequences"] {
            guard let list = stops.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw .invalidRequest("stop_sequences: Input should be a list of strings", param: "stop_sequences")
            }
            request.stop = list.compactMap(\.stringValue)
        }
        request.stream = stream
        request.user = json["metadata"]?["user_id"]?.stringValue
        if let thinking = json["thinking"], thinking["type"]?.stringValue == "enabled" {
            request.thinkingBudget = thinking["budget_tokens"]?.intValue
        }
        return request
    }

    private static func number(_ json: JSONValue, _ key: String, _ range: ClosedRange<Double>) throws(GatewayError) -> Double? {
        guard let value = json[key], !value.isNull else { return nil }
        guard let number = value.doubleValue else { throw .invalidRequest("\(key): Input should be a valid number", param: key) }
        try RequestLimits.check(number, range, field: key)
        return number
    }

    private static func system(_ value: JSONValue?) throws(GatewayError) -> [String] {
        switch value {
        case nil, .null?: return []
        case .string(let text)?: return text.isEmpty ? [] : [text]
        case .array(let blocks)?:
            let text = blocks.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }.joined(separator: "\n")
            return text.isEmpty ? [] : [text]
        default: throw .invalidRequest("system: Input should be a string or a list of text blocks", param: "system")
        }
    }

    private static func append(_ message: JSONValue, path: String, to request: inout ChatRequest) throws(GatewayError) {
        guard message.isObject else { throw .invalidRequest("\(path): Input should be an object", param: path) }
        let role = message["role"]?.stringValue
        let blocks: [JSONValue]
        switch message["content"] {
        case .string(let text)?: blocks = [.record(["type": .string("text"), "text": .string(text)])]
        case .array(let items)?: blocks = items
        default: throw .invalidRequest("\(path).content: Field required (a string or a list of content blocks)", param: "\(path).content")
        }
        switch role {
        case "user":
            var parts: [ContentPart] = []
            for (index, block) in blocks.enumerated() {
                let blockPath = "\(path).content.\(index)"
                switch block["type"]?.stringValue {
                case "tool_result":
                    guard let id = block["tool_use_id"]?.stringValue else {
                        throw .invalidRequest("\(blockPath).tool_use_id: Field required", param: "\(blockPath).tool_use_id")
                    }
                    request.messages.append(ChatMessage(
                        role: .tool, content: [.text(toolResultText(block["content"]))], toolCallID: id, isError: block["is_error"]?.boolValue ?? false))
                default:
                    if let part = try contentPart(block, path: blockPath) { parts.append(part) }
                }
            }
            if !parts.isEmpty { request.messages.append(ChatMessage(role: .user, content: parts)) }
        case "assistant":
            var parts: [ContentPart] = []
            var calls: [ToolCall] = []
            for (index, block) in blocks.enumerated() {
                let blockPath = "\(path).content.\(index)"
                switch block["type"]?.stringValue {
                case "tool_use":
                    guard let id = block["id"]?.stringValue, let name = block["name"]?.stringValue else {
                        throw .invalidRequest("\(blockPath): tool_use blocks need an id and a name", param: blockPath)
                    }
                    calls.append(ToolCall(id: id, name: name, arguments: (block["input"] ?? .object([])).serializedString))
                case "thinking":
                    parts.append(.thinking(block["thinking"]?.stringValue ?? "", signature: block["signature"]?.stringValue))
                case "redacted_thinking":
                    parts.append(.redactedThinking(block["data"]?.stringValue ?? ""))
                default:
                    if let part = try contentPart(block, path: blockPath) { parts.append(part) }
                }
            }
            request.messages.append(ChatMessage(role: .assistant, content: parts, toolCalls: calls))
        default:
            throw .invalidRequest("\(path).role: Input should be 'user' or 'assistant'", param: "\(path).role")
        }
    }

    private static func contentPart(_ block: JSONValue, path: String) throws(GatewayError) -> ContentPart? {
        switch block["type"]?.stringValue {
        case "text":
            guard let text = block["text"]?.stringValue else { throw .invalidRequest("\(path).text: Field required", param: "\(path).text") }
            return .text(text)
        case "image":
            let source = block["source"]
            switch source?["type"]?.stringValue {
            case "base64":
                guard let mediaType = source?["media_type"]?.stringValue, let data = source?["data"]?.stringValue else {
                    throw .invalidRequest("\(path).source: base64 images need media_type and data", param: "\(path).source")
                }
                return .image(.base64(mediaType: mediaType, data: data))
            case "url":
                guard let url = source?["url"]?.stringValue else { throw .invalidRequest("\(path).source.url: Field required", param: "\(path).source.url") }
                return .image(.url(url))
            default:
                throw .invalidRequest("\(path).source.type: Input should be 'base64' or 'url'", param: "\(path).source.type")
            }
        case "thinking", "redacted_thinking":
            return nil
        case let other:
            throw .invalidRequest(
                "\(path).type: content blocks of type '\(other ?? "?")' have no equivalent outside Anthropic's format; send them to an Anthropic deployment", param: "\(path).type")
        }
    }

    private static func toolResultText(_ content: JSONValue?) -> String {
        switch content {
        case .string(let text)?: text
        case .array(let blocks)?: blocks.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
        default: ""
        }
    }

    private static func tools(_ value: JSONValue?) throws(GatewayError) -> [ToolDefinition] {
        guard let value, !value.isNull else { return [] }
        guard let list = value.arrayValue else { throw .invalidRequest("tools: Input should be a list", param: "tools") }
        var tools: [ToolDefinition] = []
        for (index, tool) in list.enumerated() {
            if let type = tool["type"]?.stringValue, type != "custom" {
                throw .invalidRequest("tools.\(index): server tools ('\(type)') have no equivalent outside Anthropic's format; send them to an Anthropic deployment", param: "tools.\(index).type")
            }
            guard let name = tool["name"]?.stringValue else { throw .invalidRequest("tools.\(index).name: Field required", param: "tools.\(index).name") }
            guard let schema = tool["input_schema"], schema.isObject else {
                throw .invalidRequest("tools.\(index).input_schema: Field required", param: "tools.\(index).input_schema")
            }
            tools.append(ToolDefinition(name: name, description: tool["description"]?.stringValue, parameters: schema))
        }
        return tools
    }

    private static func applyToolChoice(_ value: JSONValue?, to request: inout ChatRequest) throws(GatewayError) {
        guard let value, !value.isNull else { return }
        if value["disable_parallel_tool_use"]?.boolValue == true { request.parallelToolCalls = false }
        switch value["type"]?.stringValue {
        case "auto": request.toolChoice = .auto
        case "any": request.toolChoice = .required
        case "none": request.toolChoice = ToolChoice.none
        case "tool":
            guard let name = value["name"]?.stringValue else { throw .invalidRequest("tool_choice.name: Field required", param: "tool_choice.name") }
            request.toolChoice = .function(name)
        default: throw .invalidRequest("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'", param: "tool_choice.type")
        }
    }
}
