public import SwitchyardCore

/// Writes canonical stream events as the Responses API's typed SSE events, each with its
/// `sequence_number`: `response.created`, `response.in_progress`, then per output item
/// `response.output_item.added` … `response.output_item.done` (text through
/// `response.content_part.added`, `response.output_text.delta`/`.done`,
/// `response.content_part.done`; calls through `response.function_call_arguments.delta`/`.done`),
/// and `response.completed` (or `response.incomplete`). A failure is `response.failed` then an
/// `error` event, which the SDKs raise.
public struct ResponsesStreamEncoder: ClientStreamEncoder {
    public let object: ResponseObject
    private var sequence = 0
    private var started = false
    private var output: [JSONValue] = []
    private var open: OpenItem?
    private var usage: Usage?
    private var finishReason: FinishReason?

    /// The output item being streamed.
    private enum OpenItem {
        case message(id: String, text: String)
        case reasoning(id: String, text: String, signature: String?)
        case functionCall(id: String, callID: String, name: String, arguments: String)
    }

    public init(object: ResponseObject) {
        self.object = object
    }

    /// The response as the stream left it: complete after `finish()`, failed after `failure`.
    public private(set) var final: JSONValue?

    public mutating func encode(_ event: ChatStreamEvent) -> [UInt8] {
        var out = start()
        switch event {
        case .start(_, _, let reported):
            if let reported { usage = reported }
        case .text(let text):
            if case .message(let id, let sofar) = open {
                open = .message(id: id, text: sofar + text)
                out += delta(id: id, text: text)
            } else {
                out += close()
                let id = object.itemID("msg", output.count)
                open = .message(id: id, text: text)
                out += emit("response.output_item.added", [
                    "output_index": .int(output.count), "item": object.messageItem(id: id, text: nil, status: "in_progress"),
                ])
                out += emit("response.content_part.added", [
                    "item_id": .string(id), "output_index": .int(output.count), "content_index": .int(0), "part": ResponseObject.textPart(""),
                ])
                out += delta(id: id, text: text)
            }
        case .reasoning(let text):
            if case .reasoning(let id, let sofar, let signature) = open {
                open = .reasoning(id: id, text: sofar + text, signature: signature)
            } else {
                out += close()
                let id = object.itemID("rs", output.count)
                open = .reasoning(id: id, text: text, signature: nil)
                out += emit("response.output_item.added", ["output_index": .int(output.count), "item": object.reasoningItem(id: id, text: nil)])
            }
        case .reasoningSignature(let signature):
            if case .reasoning(let id, let text, let sofar) = open { open = .reasoning(id: id, text: text, signature: (sofar ?? "") + signature) }
        case .toolCallStart(_, let callID, let name):
            out += close()
            let id = object.itemID("fc", output.count)
            open = .functionCall(id: id, callID: callID, name: name, arguments: "")
            out += emit("response.output_item.added", [
                "output_index": .int(output.count),
                "item": object.functionCallItem(id: id, callID: callID, name: name, arguments: "", status: "in_progress"),
            ])
        case .toolCallArguments(_, let fragment):
            guard case .functionCall(let id, let callID, let name, let arguments) = open else { break }
            open = .functionCall(id: id, callID: callID, name: name, arguments: arguments + fragment)
            out += emit("response.function_call_arguments.delta", ["item_id": .string(id), "output_index": .int(output.count), "delta": .string(fragment)])
        case .finish(let reason, _):
            finishReason = reason
        case .usage(let reported):
            usage = reported
        case .error:
            break
        }
        return out
    }

    public mutating func finish() -> [UInt8] {
        var out = start() + close()
        let incomplete = ResponseObject.incompleteReason(finishReason)
        let response = object.json(status: incomplete == nil ? "completed" : "incomplete", output: output, usage: usage, incompleteReason: incomplete)
        final = response
        out += emit(incomplete == nil ? "response.completed" : "response.incomplete", ["response": response])
        return out
    }

    public mutating func failure(_ error: GatewayError) -> [UInt8] {
        var out = start()
        let response = object.json(status: "failed", output: output, usage: usage, error: error)
        final = response
        out += emit("response.failed", ["response": response])
        // The spec's `error` event, plus the nested `error` object the SDKs raise on.
        out += emit(ResponsesStreamObserver.errorFields(error))
        return out
    }

    // MARK: - Events

    private mutating func start() -> [UInt8] {
        guard !started else { return [] }
        started = true
        let response = object.json(status: "in_progress", output: [], usage: nil)
        return emit("response.created", ["response": response]) + emit("response.in_progress", ["response": response])
    }

    private mutating func delta(id: String, text: String) -> [UInt8] {
        emit("response.output_text.delta", [
            "item_id": .string(id), "output_index": .int(output.count), "content_index": .int(0), "delta": .string(text), "logprobs": .array([]),
        ])
    }

    /// Ends the open item: its `.done` events, and it joins the output.
    private mutating func close() -> [UInt8] {
        guard let item = open else { return [] }
        open = nil
        let index = JSONValue.int(output.count)
        var out: [UInt8] = []
        let done: JSONValue
        switch item {
        case .message(let id, let text):
            out += emit("response.output_text.done", [
                "item_id": .string(id), "output_index": index, "content_index": .int(0), "text": .string(text), "logprobs": .array([]),
            ])
            out += emit("response.content_part.done", [
                "item_id": .string(id), "output_index": index, "content_index": .int(0), "part": ResponseObject.textPart(text),
            ])
            done = object.messageItem(id: id, text: text, status: "completed")
        case .reasoning(let id, let text, let signature):
            done = object.reasoningItem(id: id, text: text, signature: signature)
        case .functionCall(let id, let callID, let name, let arguments):
            out += emit("response.function_call_arguments.done", [
                "item_id": .string(id), "output_index": index, "name": .string(name), "arguments": .string(arguments),
            ])
            done = object.functionCallItem(id: id, callID: callID, name: name, arguments: arguments, status: "completed")
        }
        out += emit("response.output_item.done", ["output_index": index, "item": done])
        output.append(done)
        return out
    }

    private mutating func emit(_ type: String, _ fields: KeyValuePairs<String, JSONValue>) -> [UInt8] {
        emit([.init("type", .string(type))] + fields.map { JSONValue.JSONField($0.key, $0.value) })
    }

    /// An event of `fields` (the first is its `type`), numbered.
    private mutating func emit(_ fields: [JSONValue.JSONField]) -> [UInt8] {
        let type = fields.first?.value.stringValue ?? ""
        sequence += 1
        return SSEEncoder.event(name: type, data: JSONValue.object(fields + [.init("sequence_number", .int(sequence - 1))]).serialized)
    }
}
