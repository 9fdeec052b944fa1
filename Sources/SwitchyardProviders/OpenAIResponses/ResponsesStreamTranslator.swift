public import SwitchyardCore

/// Reads a native Responses stream as canonical events (DESIGN §6.6), for what must see the
/// answer in the canonical model — the response cache — while the client gets the stream as it
/// came (`ResponsesPassthroughRelay`). The canonical events come at once from the final
/// `Response` (`response.completed` or `.incomplete`), which carries every item whole; a failed
/// stream, or an answer with items the canonical model has no place for, ends in `.error`.
public struct ResponsesStreamTranslator: SSEStreamTranslator {
    public var parser = SSEParser()
    public let providerName: String
    public private(set) var isComplete = false

    public init(providerName: String) {
        self.providerName = providerName
    }

    public mutating func translate(_ event: SSEEvent) -> [ChatStreamEvent] {
        let json: JSONValue
        switch StreamJSON.object(event.data, provider: providerName) {
        case .success(let value): json = value
        case .failure(let error): return [.error(error)]
        }
        switch json["type"]?.stringValue ?? event.event {
        case "response.completed", "response.incomplete":
            isComplete = true
            guard let final = json["response"], let answer = ResponseObject.answer(from: final) else {
                return [.error(.upstreamMalformed(providerName, "the answer holds an item the canonical model has no place for"))]
            }
            return answer.streamEvents()
        case "response.failed", "error":
            return [.error(.upstreamMalformed(providerName, "the provider reported a failure mid-stream"))]
        default:
            return []
        }
    }
}
