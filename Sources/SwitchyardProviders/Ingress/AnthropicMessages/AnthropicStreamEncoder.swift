public import SwitchyardCore

/// Writes canonical stream events as Anthropic SSE for `/v1/messages` clients: `message_start`
/// (with non-zero input usage), `content_block_start/delta/stop` per text, thinking or tool_use
/// block, `message_delta` with the stop reason and usage, `message_stop` — every event with its
/// `event:` line, which Anthropic's SDKs dispatch on.
public struct AnthropicStreamEncoder: ClientStreamEncoder {
    private enum Block: Equatable { case text, thinking, toolUse(Int) }

    private var id: String
    private let model: String
    private let estimatedInputTokens: Int
    private var started = false
    private var open: Block?
    private var nextIndex = 0
    private var usage: Usage?
    private var finishReason: FinishReason?
    private var stopSequence: String?
    private var sawToolCall = false

    public init(id: String, model: String, estimatedInputTokens: Int) {
        self.id = id
        self.model = model
        self.estimatedInputTokens = max(1, estimatedInputTokens)
    }

    public mutating func encode(_ event: ChatStreamEvent) -> [UInt8] {
        var out: [UInt8] = []
        if !started {
            started = true
            var inputUsage = Usage(promptTokens: estimatedInputTokens, completionTokens: 1)
            if case .start(_, _, let known?) = event, known.promptTokens > 0 { inputUsage = Usage(promptTokens: known.promptTokens, completionTokens: 1, cachedPromptTokens: known.cachedPromptTokens) }
            out += emit("message_start", .record([
                "type": .string("message_start"),
                "message": .record([
                    "id": .string(id), "type": .string("message"), "role": .string("assistant"), "model": .string(model),
                    "content": .array([]), "stop_reason": .null, "stop_sequence": .null,
                    "usage": AnthropicMessageEncoder.usageJSON(inputUsage),
                ]),
            ]))
        }
        switch event {
        case .start, .error: break
        case .text(let text):
            out += openBlock(.text, start: .record(["type": .string("text"), "text": .string("")]))
            out += delta(.record(["type": .string("text_delta"), "text": .string(text)]))
        case .reasoning(let text):
            out += openBlock(.thinking, start: .record(["type": .string("thinking"), "thinking": .string(""), "signature": .string("")]))
            out += delta(.record(["type": .string("thinking_delta"), "thinking": .string(text)]))
        case .reasoningSignature(let signature):
            out += openBlock(.thinking, start: .record(["type": .string("thinking"), "thinking": .string(""), "signature": .string("")]))
            out += delta(.record(["type": .string("signature_delta"), "signature": .string(signature)]))
        case .toolCallStart(let index, let callID, let name):
            sawToolCall = true
            out += openBlock(.toolUse(index), start: .record([
                "type": .string("tool_use"), "id": .string(callID), "name": .string(name), "input": .object([]),
            ]))
        case .toolCallArguments(let index, let fragment):
            guard open == .toolUse(index) else { break }
            out += delta(.record(["type": .string("input_json_delta"), "partial_json": .string(fragment)]))
        case .finish(let reason, let sequence):
            finishReason = reason
            stopSequence = sequence
        case .usage(let usage): self.usage = usage
        }
        return out
    }

    public mutating func finish() -> [UInt8] {
        var out: [UInt8] = []
        if !started { out += encode(.start(id: nil, model: nil, usage: nil)) }
        out += closeBlock()
        let reason = finishReason ?? (sawToolCall ? .toolCalls : .stop)
        var usageFields: [JSONValue.JSONField] = [.init("output_tokens", .int(usage?.completionTokens ?? 0))]
        if let usage {
            usageFields.insert(.init("input_tokens", .int(AnthropicMessageEncoder.uncachedInput(usage))), at: 0)
            usageFields.append(.init("cache_creation_input_tokens", .int(usage.cacheWriteTokens)))
            usageFields.append(.init("cache_read_input_tokens", .int(usage.cachedPromptTokens)))
        }
        out += emit("message_delta", .record([
            "type": .string("message_delta"),
            "delta": .record([
                "stop_reason": .string(AnthropicMessageEncoder.stopReason(reason, stopSequence: stopSequence)),
                "stop_sequence": stopSequence.map(JSONValue.string) ?? .null,
            ]),
            "usage": .object(usageFields),
        ]))
        return out + emit("message_stop", .record(["type": .string("message_stop")]))
    }

    public mutating func failure(_ error: GatewayError) -> [UInt8] { error.anthropicStreamEvent }

    private mutating func openBlock(_ block: Block, start: JSONValue) -> [UInt8] {
        guard open != block else { return [] }
        var out = closeBlock()
        open = block
        out += emit("content_block_start", .record(["type": .string("content_block_start"), "index": .int(nextIndex), "content_block": start]))
        return out
    }

    private mutating func closeBlock() -> [UInt8] {
        guard open != nil else { return [] }
        open = nil
        defer { nextIndex += 1 }
        return emit("content_block_stop", .record(["type": .string("content_block_stop"), "index": .int(nextIndex)]))
    }

    private func delta(_ delta: JSONValue) -> [UInt8] {
        emit("content_block_delta", .record(["type": .string("content_block_delta"), "index": .int(nextIndex), "delta": delta]))
    }

    private func emit(_ name: String, _ payload: JSONValue) -> [UInt8] {
        SSEEncoder.event(name: name, data: payload.serialized)
    }
}
