import SwitchyardCore

/// An answer kept for replay: the canonical response (text, reasoning, tool calls, finish
/// reason, usage) and where it came from — what every client format can be rendered from, as a
/// JSON body or a stream, whichever the request that stored it was.
struct CachedAnswer: Sendable, Equatable {
    var response: ChatResponse
    /// The deployment that produced it (for the ledger and the headers of a hit).
    var provider: String
    var upstreamModel: String

    /// Bytes the entry takes (what `cache.max_entry_bytes` and `cache.max_bytes` bound).
    var byteCount: Int {
        256 + response.completionByteCount + response.reasoning.reduce(0) { total, part in
            if case .text(let text) = part { return total + text.utf8.count }
            return total
        } + provider.utf8.count + upstreamModel.utf8.count + response.toolCalls.reduce(0) { $0 + $1.id.utf8.count }
    }
}

/// Assembles the canonical events of a stream into the answer it amounts to (pure).
struct AnswerAccumulator: Sendable {
    private(set) var response = ChatResponse(id: "", model: "", created: 0, text: nil, finishReason: .stop, usage: nil)
    private(set) var finished = false
    private(set) var failed = false
    private var reasoning = ""
    private var signature: String?

    mutating func add(_ events: [ChatStreamEvent]) {
        for event in events {
            switch event {
            case .start(let id, let model, _):
                response.id = id ?? ""
                response.model = model ?? ""
            case .text(let text): response.text = (response.text ?? "") + text
            case .reasoning(let text): reasoning += text
            case .reasoningSignature(let value): signature = value
            case .toolCallStart(_, let id, let name): response.toolCalls.append(ToolCall(id: id, name: name, arguments: ""))
            case .toolCallArguments(let index, let fragment):
                if response.toolCalls.indices.contains(index) { response.toolCalls[index].arguments += fragment }
            case .finish(let reason, let stop):
                response.finishReason = reason
                response.stopSequence = stop
                finished = true
            case .usage(let usage): response.usage = usage
            case .error: failed = true
            }
        }
    }

    /// The answer, when the stream completed without an error.
    var answer: ChatResponse? {
        guard finished, !failed else { return nil }
        var answer = response
        if !reasoning.isEmpty { answer.reasoning = [.thinking(reasoning, signature: signature)] }
        return answer
    }
}

/// A stored answer as the events of a stream, chunked the way a model streams: a few words
/// per text event, tool arguments in pieces (pure).
enum CacheReplay {
    /// Characters per text chunk (about a token or two of English).
    static let chunkCharacters = 12

    static func events(_ response: ChatResponse) -> [ChatStreamEvent] {
        response.streamEvents(split: chunks)
    }

    /// `text` in pieces ending after a space where one is near, never splitting a character.
    static func chunks(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if current.count >= chunkCharacters && (character == " " || character == "\n" || current.count >= 2 * chunkCharacters) {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }
}
