public import SwitchyardCore

/// Turns Anthropic's SSE (message_start … message_stop, PROTOCOLS §2.5) into canonical events.
/// Dispatches on the `event:` line like the SDK does, falling back to the payload's `type`.
public struct AnthropicStreamTranslator: SSEStreamTranslator {
    public var parser = SSEParser()
    public let providerName: String
    public private(set) var isComplete = false
    private var toolIndexes: [Int: Int] = [:]
    /// What `message_start` reported (input and cache counts; `message_delta` may carry only output).
    private var startUsage: Usage?

    public init(providerName: String) {
        self.providerName = providerName
    }

    public mutating func translate(_ event: SSEEvent) -> [ChatStreamEvent] {
        let json: JSONValue
        switch StreamJSON.object(event.data, provider: providerName) {
        case .success(let value): json = value
        case .failure(let error): return [.error(error)]
        }
        switch event.event ?? json["type"]?.stringValue {
        case "message_start":
            let message = json["message"]
            let usage = message?["usage"].map { AnthropicResponseDecoder.usage($0) }
            startUsage = usage
            return [.start(id: message?["id"]?.stringValue, model: message?["model"]?.stringValue, usage: usage)]
        case "content_block_start":
            guard let block = json["content_block"], block["type"]?.stringValue == "tool_use" else { return [] }
            let index = toolIndexes.count
            toolIndexes[json["index"]?.intValue ?? 0] = index
            return [.toolCallStart(index: index, id: block["id"]?.stringValue ?? "", name: block["name"]?.stringValue ?? "")]
        case "content_block_delta":
            guard let delta = json["delta"] else { return [] }
            switch delta["type"]?.stringValue {
            case "text_delta": return [.text(delta["text"]?.stringValue ?? "")]
            case "thinking_delta": return [.reasoning(delta["thinking"]?.stringValue ?? "")]
            case "signature_delta": return [.reasoningSignature(delta["signature"]?.stringValue ?? "")]
            case "input_json_delta":
                guard let fragment = delta["partial_json"]?.stringValue, !fragment.isEmpty,
                    let index = toolIndexes[json["index"]?.intValue ?? 0]
                else { return [] }
                return [.toolCallArguments(index: index, fragment: fragment)]
            default: return []
            }
        case "message_delta":
            var events: [ChatStreamEvent] = []
            if let reason = json["delta"]?["stop_reason"]?.stringValue {
                events.append(.finish(AnthropicResponseDecoder.finishReason(reason), stopSequence: json["delta"]?["stop_sequence"]?.stringValue))
            }
            if let usage = json["usage"] {
                events.append(.usage(AnthropicResponseDecoder.usage(usage, known: startUsage)))
            }
            return events
        case "message_stop":
            isComplete = true
            return []
        case "error":
            let type = json["error"]?["type"]?.stringValue ?? "api_error"
            return [.error(AnthropicErrorClassifier.classify(
                provider: providerName, status: AnthropicErrorClassifier.status(forType: type), headers: HeaderList(), body: event.data))]
        default:
            return []  // ping, and event types added later
        }
    }
}
