public import SwitchyardCore

/// Turns a ConverseStream event stream into canonical events. Usage arrives in `metadata`
/// after `messageStop` (PROTOCOLS §0.4), so the stream is complete only after it (or at the
/// end of the body once `messageStop` was seen).
public struct BedrockStreamTranslator: StreamTranslator {
    public let providerName: String
    public private(set) var isComplete = false
    private var decoder = EventStreamDecoder()
    private var toolIndexes: [Int: Int] = [:]
    private var sawStop = false
    private var failed = false

    public init(providerName: String) {
        self.providerName = providerName
    }

    public mutating func feed(_ bytes: [UInt8]) -> [ChatStreamEvent] {
        guard !failed else { return [] }
        let messages: [EventStreamDecoder.Message]
        do {
            messages = try decoder.feed(bytes)
        } catch {
            failed = true
            return [.error(.upstreamMalformed(providerName, "an event-stream frame was invalid (\(error))"))]
        }
        var events: [ChatStreamEvent] = []
        for message in messages {
            events += translate(message)
            if case .error? = events.last {
                failed = true
                return events
            }
        }
        return events
    }

    public mutating func finish() -> [ChatStreamEvent] {
        guard !failed, !isComplete else { return [] }
        if sawStop && !decoder.hasPartialMessage {
            isComplete = true
            return []
        }
        return [.error(.upstreamMalformed(providerName, "the stream ended before it was complete"))]
    }

    private mutating func translate(_ message: EventStreamDecoder.Message) -> [ChatStreamEvent] {
        switch message.headers[":message-type"] {
        case "exception":
            let type = message.headers[":exception-type"] ?? "internalServerException"
            let body = (try? JSONValue.parse(message.payload)) ?? .object([])
            return [.error(BedrockErrorClassifier.classify(
                provider: providerName, status: BedrockErrorClassifier.status(forException: type), code: type, message: body["message"]?.stringValue))]
        case "error":
            return [.error(BedrockErrorClassifier.classify(
                provider: providerName, status: 500, code: message.headers[":error-code"] ?? "", message: message.headers[":error-message"]))]
        default:
            break
        }
        guard let json = try? JSONValue.parse(message.payload), json.isObject else {
            return [.error(.upstreamMalformed(providerName, "an event payload was not a JSON object"))]
        }
        switch message.headers[":event-type"] {
        case "messageStart":
            return [.start(id: nil, model: nil, usage: nil)]
        case "contentBlockStart":
            guard let toolUse = json["start"]?["toolUse"] else { return [] }
            let index = toolIndexes.count
            toolIndexes[json["contentBlockIndex"]?.intValue ?? 0] = index
            return [.toolCallStart(index: index, id: toolUse["toolUseId"]?.stringValue ?? "", name: toolUse["name"]?.stringValue ?? "")]
        case "contentBlockDelta":
            guard let delta = json["delta"] else { return [] }
            if let text = delta["text"]?.stringValue { return text.isEmpty ? [] : [.text(text)] }
            if let input = delta["toolUse"]?["input"]?.stringValue, !input.isEmpty,
                let index = toolIndexes[json["contentBlockIndex"]?.intValue ?? 0]
            {
                return [.toolCallArguments(index: index, fragment: input)]
            }
            if let reasoning = delta["reasoningContent"] {
                if let text = reasoning["text"]?.stringValue { return [.reasoning(text)] }
                if let signature = reasoning["signature"]?.stringValue { return [.reasoningSignature(signature)] }
            }
            return []
        case "messageStop":
            sawStop = true
            return [.finish(BedrockResponseDecoder.finishReason(json["stopReason"]?.stringValue), stopSequence: nil)]
        case "metadata":
            isComplete = true
            return json["usage"].map { [.usage(BedrockResponseDecoder.usage($0))] } ?? []
        default:
            return []
        }
    }
}
