/// A chat request in the gateway's canonical form: what every inbound format decodes into and
/// every translating adapter encodes from (DESIGN §1 step 2).
///
/// System and developer instructions are kept apart from the turns because most providers take
/// them apart (Anthropic `system`, Gemini `systemInstruction`, Bedrock `system`).
public struct ChatRequest: Sendable, Equatable {
    /// The name the client sent (an alias of this gateway).
    public var model: String
    /// System and developer instructions, in order.
    public var system: [String]
    public var messages: [ChatMessage]
    public var tools: [ToolDefinition]
    public var toolChoice: ToolChoice?
    /// False asks the provider for at most one tool call per turn.
    public var parallelToolCalls: Bool?
    public var maxTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var topK: Int?
    public var stop: [String]
    public var stream: Bool
    /// Whether the client asked for usage in the stream (OpenAI `stream_options.include_usage`).
    public var streamUsage: Bool
    public var responseFormat: ResponseFormat?
    /// An end-user id for abuse tracking (OpenAI `user`, Anthropic `metadata.user_id`).
    public var user: String?
    /// Extended thinking budget in tokens (Anthropic `thinking`, Gemini `thinkingBudget`).
    public var thinkingBudget: Int?
    /// OpenAI-style `reasoning_effort` (`low`, `medium`, `high`).
    public var reasoningEffort: String?
    /// Number of choices (only OpenAI-format and Gemini upstreams can give more than one).
    public var choiceCount: Int?

    public init(
        model: String, system: [String] = [], messages: [ChatMessage], tools: [ToolDefinition] = [], toolChoice: ToolChoice? = nil,
        parallelToolCalls: Bool? = nil, maxTokens: Int? = nil, temperature: Double? = nil, topP: Double? = nil, topK: Int? = nil,
        stop: [String] = [], stream: Bool = false, streamUsage: Bool = false, responseFormat: ResponseFormat? = nil, user: String? = nil,
        thinkingBudget: Int? = nil, reasoningEffort: String? = nil, choiceCount: Int? = nil
    ) {
        self.model = model
        self.system = system
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.stop = stop
        self.stream = stream
        self.streamUsage = streamUsage
        self.responseFormat = responseFormat
        self.user = user
        self.thinkingBudget = thinkingBudget
        self.reasoningEffort = reasoningEffort
        self.choiceCount = choiceCount
    }

    /// Bytes of prompt content (text, tool arguments and results, images) — the input to token
    /// estimates and reservations.
    public var promptByteCount: Int {
        system.reduce(0) { $0 + $1.utf8.count } + messages.reduce(0) { $0 + $1.byteCount }
            + tools.reduce(0) { $0 + $1.name.utf8.count + ($1.description?.utf8.count ?? 0) + ($1.parameters?.serialized.count ?? 0) }
    }

    /// Whether any message carries an image.
    public var hasImages: Bool {
        messages.contains { $0.content.contains { if case .image = $0 { true } else { false } } }
    }
}

/// One turn of a conversation.
public struct ChatMessage: Sendable, Equatable {
    /// Who speaks. Tool results are their own role, as in OpenAI.
    public enum Role: String, Sendable, Equatable { case user, assistant, tool }

    public var role: Role
    public var content: [ContentPart]
    /// The calls an assistant turn made.
    public var toolCalls: [ToolCall]
    /// For a tool turn: the id of the call it answers.
    public var toolCallID: String?
    /// For a tool turn: whether the tool reported a failure (Anthropic `is_error`, Bedrock `status`).
    public var isError: Bool

    public init(role: Role, content: [ContentPart], toolCalls: [ToolCall] = [], toolCallID: String? = nil, isError: Bool = false) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.isError = isError
    }

    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: .user, content: [.text(text)]) }

    /// The text parts joined (images and reasoning left out).
    public var text: String {
        content.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined()
    }

    var byteCount: Int {
        content.reduce(0) { total, part in
            switch part {
            case .text(let text): total + text.utf8.count
            case .image(let image): total + image.byteCount
            case .thinking(let text, _): total + text.utf8.count
            case .redactedThinking(let data): total + data.utf8.count / 2
            }
        } + toolCalls.reduce(0) { $0 + $1.name.utf8.count + $1.arguments.utf8.count }
    }
}

/// A piece of message content.
public enum ContentPart: Sendable, Equatable {
    case text(String)
    case image(ImageSource)
    /// Visible reasoning with the provider's signature (must be replayed unchanged to Anthropic).
    case thinking(String, signature: String?)
    /// Encrypted reasoning (Anthropic `redacted_thinking.data`).
    case redactedThinking(String)
}

/// Where an image comes from.
public enum ImageSource: Sendable, Equatable {
    case url(String)
    case base64(mediaType: String, data: String)

    /// `data:image/png;base64,…` URLs become inline data; other URLs stay URLs.
    public static func fromURL(_ url: String) -> ImageSource {
        guard url.hasPrefix("data:"), let comma = url.firstIndex(of: ","),
            url[..<comma].hasSuffix(";base64")
        else { return .url(url) }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
        return .base64(mediaType: String(header.dropLast(";base64".count)), data: String(url[url.index(after: comma)...]))
    }

    /// The OpenAI `image_url.url` form.
    public var url: String {
        switch self {
        case .url(let url): url
        case .base64(let mediaType, let data): "data:\(mediaType);base64,\(data)"
        }
    }

    /// A rough token-equivalent size (images are billed by tiles, not bytes).
    var byteCount: Int { 3_000 }
}

/// A tool call made by the model.
public struct ToolCall: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The arguments as JSON text (OpenAI's form; other providers carry an object).
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    /// The arguments parsed as an object (`{}` when empty or not an object).
    public var argumentsObject: JSONValue {
        guard let value = try? JSONValue.parse(Array(arguments.utf8)), value.isObject else { return .object([]) }
        return value
    }
}

/// A function the model may call.
public struct ToolDefinition: Sendable, Equatable {
    public var name: String
    public var description: String?
    /// The parameters' JSON Schema.
    public var parameters: JSONValue?

    public init(name: String, description: String? = nil, parameters: JSONValue? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

/// Whether and which tool the model must call.
public enum ToolChoice: Sendable, Equatable {
    case auto, none, required
    case function(String)
}

/// The shape the answer must take.
public enum ResponseFormat: Sendable, Equatable {
    case text
    case jsonObject
    case jsonSchema(name: String, schema: JSONValue, strict: Bool?)
}
