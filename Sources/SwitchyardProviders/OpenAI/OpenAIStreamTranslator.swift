public import SwitchyardCore

/// Turns an OpenAI-format chunk stream into canonical events (for clients in another format).
public struct OpenAIStreamTranslator: SSEStreamTranslator {
    public var parser = SSEParser()
    public let providerName: String
    public let usageLocation: OpenAIStreamUsageLocation
    public private(set) var isComplete = false
    private var started = false
    private var toolIndexes: [Int: Int] = [:]

    public init(providerName: String, usageLocation: OpenAIStreamUsageLocation = .topLevel) {
        self.providerName = providerName
        self.usageLocation = usageLocation
    }

    public mutating func translate(_ event: SSEEvent) -> [ChatStreamEvent] {
        if event.isDone {
            isComplete = true
            return []
        }
        let json: JSONValue
        switch StreamJSON.object(event.data, provider: providerName) {
        case .success(let value): json = value
        case .failure(let error): return [.error(error)]
        }
        if let error = json["error"] {
            let status = error["code"]?.intValue ?? 500
            let body = JSONValue.record(["error": error]).serialized
            return [.error(OpenAIErrorClassifier.classify(provider: providerName, status: (400..<600).contains(status) ? status : 500, headers: HeaderList(), body: body))]
        }
        var events: [ChatStreamEvent] = []
        if !started {
            started = true
            events.append(.start(id: json["id"]?.stringValue, model: json["model"]?.stringValue, usage: nil))
        }
        for choice in json["choices"]?.arrayValue ?? [] where (choice["index"]?.intValue ?? 0) == 0 {
            if let delta = choice["delta"] {
                if let reasoning = delta["reasoning_content"]?.stringValue, !reasoning.isEmpty { events.append(.reasoning(reasoning)) }
                if let text = delta["content"]?.stringValue, !text.isEmpty { events.append(.text(text)) }
                for call in delta["tool_calls"]?.arrayValue ?? [] {
                    let upstreamIndex = call["index"]?.intValue ?? 0
                    if let id = call["id"]?.stringValue {
                        let index = toolIndexes.count
                        toolIndexes[upstreamIndex] = index
                        events.append(.toolCallStart(index: index, id: id, name: call["function"]?["name"]?.stringValue ?? ""))
                    }
                    if let fragment = call["function"]?["arguments"]?.stringValue, !fragment.isEmpty, let index = toolIndexes[upstreamIndex] {
                        events.append(.toolCallArguments(index: index, fragment: fragment))
                    }
                }
            }
            if let reason = choice["finish_reason"]?.stringValue {
                events.append(.finish(FinishReason(openAI: reason), stopSequence: nil))
            }
        }
        let scanner = JSONScanner(event.data)
        if let root = try? scanner.root(), let usage = OpenAIUsageReader.usage(in: scanner, object: root, location: usageLocation) {
            events.append(.usage(usage))
        }
        return events
    }
}
