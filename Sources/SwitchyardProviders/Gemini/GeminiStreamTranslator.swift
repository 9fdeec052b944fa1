public import SwitchyardCore

/// Turns Gemini's `streamGenerateContent?alt=sse` (each `data:` a full response holding only
/// the new parts, no `[DONE]`; CRLF or LF framing) into canonical events.
public struct GeminiStreamTranslator: SSEStreamTranslator {
    public var parser = SSEParser()
    public let providerName: String
    public private(set) var isComplete = false
    private var started = false
    private var toolCalls = 0

    public init(providerName: String) {
        self.providerName = providerName
    }

    public mutating func translate(_ event: SSEEvent) -> [ChatStreamEvent] {
        let json: JSONValue
        switch StreamJSON.object(event.data, provider: providerName) {
        case .success(let value): json = value
        case .failure(let error): return [.error(error)]
        }
        if let error = json["error"] {
            let status = error["code"]?.intValue ?? 500
            return [.error(GeminiErrorClassifier.classify(
                provider: providerName, status: (400..<600).contains(status) ? status : 500, headers: HeaderList(), body: event.data))]
        }
        var events: [ChatStreamEvent] = []
        let id = json["responseId"]?.stringValue ?? ""
        if !started {
            started = true
            events.append(.start(id: id, model: json["modelVersion"]?.stringValue, usage: nil))
        }
        if let candidate = json["candidates"]?.arrayValue?.first {
            for part in candidate["content"]?["parts"]?.arrayValue ?? [] {
                if let text = part["text"]?.stringValue, !text.isEmpty {
                    events.append(part["thought"]?.boolValue == true ? .reasoning(text) : .text(text))
                } else if let call = part["functionCall"] {
                    let toolCall = GeminiResponseDecoder.toolCall(call, responseID: id, index: toolCalls)
                    events.append(.toolCallStart(index: toolCalls, id: toolCall.id, name: toolCall.name))
                    events.append(.toolCallArguments(index: toolCalls, fragment: toolCall.arguments))
                    toolCalls += 1
                }
            }
            if let reason = candidate["finishReason"]?.stringValue {
                events.append(.finish(GeminiResponseDecoder.finishReason(reason, sawFunctionCall: toolCalls > 0), stopSequence: nil))
                isComplete = true
            }
        } else if json["promptFeedback"]?["blockReason"] != nil {
            events.append(.finish(.contentFilter, stopSequence: nil))
            isComplete = true
        }
        if let usage = json["usageMetadata"] { events.append(.usage(GeminiResponseDecoder.usage(usage))) }
        return events
    }
}
