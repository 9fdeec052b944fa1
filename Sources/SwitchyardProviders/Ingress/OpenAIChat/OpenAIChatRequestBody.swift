public import SwitchyardCore

/// A validated OpenAI `CreateChatCompletionRequest` body, kept as bytes plus the positions of
/// its top-level fields so adapters can forward it with minimal edits.
public struct OpenAIChatRequestBody: Sendable {
    public let scanner: JSONScanner
    public let root: JSONSpan
    /// The `model` the client sent.
    public let model: String
    public let stream: Bool
    /// Whether the client itself asked for the final usage chunk (`stream_options.include_usage`).
    public let clientWantsUsage: Bool
    /// Bytes of the client's messages (text, images, tool results) — the input to token estimates.
    public let messagesByteCount: Int
    /// `max_completion_tokens` or `max_tokens`, when given.
    public let maxTokens: Int?
    /// `n`: how many answers the client asked for (1 when unset).
    public let choices: Int

    public var bytes: [UInt8] { scanner.bytes }

    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]
    static let numberFields = ["temperature", "top_p", "presence_penalty", "frequency_penalty"]
    static let integerFields = ["n", "max_tokens", "max_completion_tokens", "seed", "top_logprobs"]
    static let booleanFields = ["stream", "logprobs", "parallel_tool_calls", "store"]
    static let objectFields = ["response_format", "stream_options", "metadata", "logit_bias"]

    /// Parses and validates `bytes` strictly (duplicate keys, invalid UTF-8, out-of-range
    /// numbers); every problem becomes a 400 naming the offending field.
    public init(bytes: [UInt8]) throws(GatewayError) {
        let (scanner, root) = try JSONScanner.requestObject(bytes)
        let members = scanner.members(of: root)
        func field(_ name: String) -> JSONSpan? { members.first { $0.key == name }?.value }

        guard let modelSpan = field("model") else {
            throw .invalidRequest("You must provide a model parameter.", param: "model")
        }
        guard let model = scanner.string(modelSpan), !model.isEmpty else {
            throw .invalidRequest("'model' must be a non-empty string.", param: "model")
        }
        guard let messages = field("messages") else {
            throw .invalidRequest("Missing required parameter: 'messages'.", param: "messages")
        }
        guard messages.kind == .array else {
            throw .invalidRequest("'messages' must be an array of message objects.", param: "messages")
        }
        let elements = scanner.elements(of: messages)
        guard !elements.isEmpty else {
            throw .invalidRequest("'messages' must contain at least one message.", param: "messages")
        }
        for (index, element) in elements.enumerated() {
            try OpenAIChatRequestBody.validateMessage(element, index: index, scanner: scanner)
        }
        try OpenAIChatRequestBody.validateTypes(members, scanner: scanner)

        var stream = false
        if let span = field("stream"), span.kind == .bool { stream = scanner.bool(span) ?? false }
        var wantsUsage = false
        if let options = field("stream_options"), let include = scanner.member("include_usage", of: options) {
            wantsUsage = scanner.bool(include.value) ?? false
        }
        self.scanner = scanner
        self.root = root
        self.model = model
        self.stream = stream
        self.clientWantsUsage = wantsUsage
        self.messagesByteCount = messages.range.count
        self.maxTokens = (field("max_completion_tokens") ?? field("max_tokens")).flatMap(scanner.int)
        self.choices = field("n").flatMap(scanner.int) ?? 1
    }

    private static func validateMessage(_ message: JSONSpan, index: Int, scanner: JSONScanner) throws(GatewayError) {
        let path = "messages[\(index)]"
        guard message.kind == .object else {
            throw .invalidRequest("'\(path)' must be an object with a 'role'.", param: path)
        }
        let members = scanner.members(of: message)
        guard let roleSpan = members.first(where: { $0.key == "role" })?.value, let role = scanner.string(roleSpan) else {
            throw .invalidRequest("Missing required parameter: '\(path).role'.", param: "\(path).role")
        }
        guard roles.contains(role) else {
            throw .invalidRequest(
                "Invalid value for '\(path).role': '\(role)'. Supported values are: 'system', 'developer', 'user', 'assistant', 'tool'.",
                param: "\(path).role")
        }
        let content = members.first { $0.key == "content" }?.value
        switch content?.kind {
        case .string?, .array?: break
        case .null?, nil:
            let hasToolCalls = members.contains { $0.key == "tool_calls" || $0.key == "function_call" }
            guard role == "assistant" && (content != nil || hasToolCalls) else {
                throw .invalidRequest("Missing required parameter: '\(path).content'.", param: "\(path).content")
            }
        default:
            throw .invalidRequest("Invalid type for '\(path).content': expected a string or an array of content parts.", param: "\(path).content")
        }
        if role == "tool" {
            guard let id = members.first(where: { $0.key == "tool_call_id" })?.value, id.kind == .string else {
                throw .invalidRequest("Missing required parameter: '\(path).tool_call_id'.", param: "\(path).tool_call_id")
            }
        }
    }

    private static func validateTypes(_ members: [JSONMember], scanner: JSONScanner) throws(GatewayError) {
        for member in members where member.value.kind != .null {
            let kind = member.value.kind
            let expected: String?
            if numberFields.contains(member.key) {
                expected = kind == .number ? nil : "a number"
            } else if integerFields.contains(member.key) {
                expected = kind == .number && scanner.int(member.value) != nil ? nil : "an integer"
            } else if booleanFields.contains(member.key) {
                expected = kind == .bool ? nil : "a boolean"
            } else if objectFields.contains(member.key) {
                expected = kind == .object ? nil : "an object"
            } else if member.key == "tools" {
                expected = kind == .array ? nil : "an array"
            } else if member.key == "stop" {
                expected = kind == .string || kind == .array ? nil : "a string or an array of strings"
            } else if member.key == "tool_choice" {
                expected = kind == .string || kind == .object ? nil : "a string or an object"
            } else {
                expected = nil
            }
            if let expected {
                throw .invalidRequest("Invalid type for '\(member.key)': expected \(expected).", param: member.key)
            }
        }
        try checkRanges(members, scanner: scanner)
    }

    /// Numbers a client controls, in the ranges OpenAI documents (token counts within the
    /// gateway's cap): never forwarded as `inf`, never a negative or absurd reservation.
    static let integerRanges: [String: ClosedRange<Int>] = [
        "n": 1...RequestLimits.maxChoices, "max_tokens": 1...RequestLimits.maxOutputTokens,
        "max_completion_tokens": 1...RequestLimits.maxOutputTokens, "top_logprobs": 0...20,
    ]
    static let numberRanges: [String: ClosedRange<Double>] = [
        "temperature": 0...2, "top_p": 0...1, "presence_penalty": -2...2, "frequency_penalty": -2...2,
    ]

    private static func checkRanges(_ members: [JSONMember], scanner: JSONScanner) throws(GatewayError) {
        for member in members where member.value.kind == .number {
            if let range = integerRanges[member.key], let value = scanner.int(member.value) {
                try RequestLimits.check(value, range, field: member.key)
            } else if let range = numberRanges[member.key] {
                try RequestLimits.check(scanner.double(member.value) ?? .nan, range, field: member.key)
            }
        }
    }
}
