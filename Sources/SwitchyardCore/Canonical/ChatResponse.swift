/// A complete (non-streamed) answer in canonical form.
public struct ChatResponse: Sendable, Equatable {
    public var id: String
    /// The model the provider says answered.
    public var model: String
    /// Unix seconds.
    public var created: Int
    /// The answer's text, nil when the model only called tools.
    public var text: String?
    /// Reasoning the provider exposed (thinking blocks), in order.
    public var reasoning: [ContentPart]
    public var toolCalls: [ToolCall]
    public var finishReason: FinishReason
    /// The stop sequence that ended the answer, when the provider says which.
    public var stopSequence: String?
    public var usage: Usage?

    public init(
        id: String, model: String, created: Int, text: String?, reasoning: [ContentPart] = [], toolCalls: [ToolCall] = [],
        finishReason: FinishReason, stopSequence: String? = nil, usage: Usage?
    ) {
        self.id = id
        self.model = model
        self.created = created
        self.text = text
        self.reasoning = reasoning
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.stopSequence = stopSequence
        self.usage = usage
    }

    /// Bytes of generated content (for an estimate when the provider reports no usage).
    public var completionByteCount: Int {
        (text?.utf8.count ?? 0) + toolCalls.reduce(0) { $0 + $1.name.utf8.count + $1.arguments.utf8.count }
    }

    /// The complete answer as the events of a stream: reasoning, text, tool calls, the finish
    /// and the usage. `split` cuts text and arguments into the pieces a stream carries (default:
    /// each whole).
    public func streamEvents(split: (String) -> [String] = { $0.isEmpty ? [] : [$0] }) -> [ChatStreamEvent] {
        var events: [ChatStreamEvent] = [.start(id: id, model: model, usage: nil)]
        for part in reasoning {
            switch part {
            case .text(let text): events += split(text).map(ChatStreamEvent.reasoning)
            case .thinking(let text, let signature):
                events += split(text).map(ChatStreamEvent.reasoning)
                if let signature { events.append(.reasoningSignature(signature)) }
            default: break
            }
        }
        events += split(text ?? "").map(ChatStreamEvent.text)
        for (index, call) in toolCalls.enumerated() {
            events.append(.toolCallStart(index: index, id: call.id, name: call.name))
            events += split(call.arguments).map { .toolCallArguments(index: index, fragment: $0) }
        }
        events.append(.finish(finishReason, stopSequence: stopSequence))
        if let usage { events.append(.usage(usage)) }
        return events
    }
}

/// Why generation ended, in OpenAI's vocabulary (PROTOCOLS §5.1 maps every provider into it).
public enum FinishReason: String, Sendable, Equatable {
    case stop
    case length
    case toolCalls = "tool_calls"
    case contentFilter = "content_filter"

    /// Anthropic's `stop_reason` for this reason.
    public var anthropicStopReason: String {
        switch self {
        case .stop: "end_turn"
        case .length: "max_tokens"
        case .toolCalls: "tool_use"
        case .contentFilter: "refusal"
        }
    }

    /// OpenAI's `finish_reason`, including the values some compatible servers send instead
    /// (Together `eos`, Mistral `model_length`, DeepSeek `insufficient_system_resource`).
    public init(openAI value: String) {
        switch value {
        case "length", "model_length": self = .length
        case "tool_calls", "function_call": self = .toolCalls
        case "content_filter": self = .contentFilter
        default: self = .stop
        }
    }
}

/// One step of a stream in canonical form: what stream translators produce from a provider's
/// frames and what client encoders turn into OpenAI or Anthropic SSE.
public enum ChatStreamEvent: Sendable, Equatable {
    /// The answer began (id and model as the provider gave them; prompt usage when known early).
    case start(id: String?, model: String?, usage: Usage?)
    case text(String)
    case reasoning(String)
    /// The signature closing a reasoning block (Anthropic `signature_delta`).
    case reasoningSignature(String)
    /// A tool call began; `index` counts tool calls from 0 within the answer.
    case toolCallStart(index: Int, id: String, name: String)
    case toolCallArguments(index: Int, fragment: String)
    case finish(FinishReason, stopSequence: String?)
    /// Token usage (the latest report wins; providers report cumulative figures).
    case usage(Usage)
    /// The provider reported a failure mid-stream.
    case error(GatewayError)
}
