public import SwitchyardCore

/// Writes canonical stream events as OpenAI `chat.completion.chunk` SSE for an OpenAI-format
/// client: role chunk first, content and tool-call fragments, the finish chunk, the usage chunk
/// when the client asked for it, then `[DONE]`.
public struct OpenAIChunkEncoder: ClientStreamEncoder {
    private var id: String
    private let model: String
    private let created: Int
    private let includeUsage: Bool
    private var started = false
    private var usage: Usage?
    private var finishReason: FinishReason?
    private var sawToolCall = false

    public init(id: String, model: String, created: Int, includeUsage: Bool) {
        self.id = id
        self.model = model
        self.created = created
        self.includeUsage = includeUsage
    }

    public mutating func encode(_ event: ChatStreamEvent) -> [UInt8] {
        var out: [UInt8] = []
        if !started {
            started = true
            if case .start(let upstreamID?, _, _) = event, !upstreamID.isEmpty { id = upstreamID }
            out += chunk(delta: .record(["role": .string("assistant"), "content": .string("")]))
        }
        switch event {
        case .start, .reasoningSignature: break
        case .text(let text): out += chunk(delta: .record(["content": .string(text)]))
        case .reasoning(let text): out += chunk(delta: .record(["reasoning_content": .string(text)]))
        case .toolCallStart(let index, let callID, let name):
            sawToolCall = true
            out += chunk(delta: .record(["tool_calls": .array([.record([
                "index": .int(index), "id": .string(callID), "type": .string("function"),
                "function": .record(["name": .string(name), "arguments": .string("")]),
            ])])]))
        case .toolCallArguments(let index, let fragment):
            out += chunk(delta: .record(["tool_calls": .array([.record(["index": .int(index), "function": .record(["arguments": .string(fragment)])])])]))
        case .finish(let reason, _): finishReason = reason
        case .usage(let usage): self.usage = usage
        case .error: break
        }
        return out
    }

    public mutating func finish() -> [UInt8] {
        var out: [UInt8] = []
        if !started { out += encode(.start(id: nil, model: nil, usage: nil)) }
        let reason = finishReason ?? (sawToolCall ? .toolCalls : .stop)
        out += chunk(delta: .object([]), finishReason: reason)
        if includeUsage, let usage {
            out += SSEEncoder.event(data: JSONValue.record([
                "id": .string(id), "object": .string("chat.completion.chunk"), "created": .int(created), "model": .string(model),
                "choices": .array([]), "usage": OpenAIChatResponseCodec.usageJSON(usage),
            ]).serialized)
        }
        return out + SSEEncoder.done
    }

    public mutating func failure(_ error: GatewayError) -> [UInt8] { error.openAIStreamEvent }

    private func chunk(delta: JSONValue, finishReason: FinishReason? = nil) -> [UInt8] {
        let choice = JSONValue.record([
            "index": .int(0), "delta": delta, "logprobs": .null, "finish_reason": finishReason.map { .string($0.rawValue) } ?? .null,
        ])
        var fields: [JSONValue.JSONField] = [
            .init("id", .string(id)), .init("object", .string("chat.completion.chunk")), .init("created", .int(created)),
            .init("model", .string(model)), .init("choices", .array([choice])),
        ]
        if includeUsage { fields.append(.init("usage", .null)) }
        return SSEEncoder.event(data: JSONValue.object(fields).serialized)
    }
}
