public import SwitchyardCore

/// Writes a canonical request as a Bedrock `ConverseRequest` (PROTOCOLS §4.3, §5.2–5.5).
public enum BedrockConverseEncoder {
    public static func encode(_ request: ChatRequest) throws(GatewayError) -> [UInt8] {
        var fields: [JSONValue.JSONField] = [.init("messages", .array(try messages(request.messages)))]
        var system = request.system
        if let instruction = AnthropicRequestEncoder.jsonInstruction(request.responseFormat) { system.append(instruction) }
        if !system.isEmpty { fields.append(.init("system", .array(system.map { .record(["text": .string($0)]) }))) }
        var inference: [JSONValue.JSONField] = []
        if let maxTokens = request.maxTokens { inference.append(.init("maxTokens", .int(maxTokens))) }
        if let temperature = request.temperature { inference.append(.init("temperature", .double(min(1, max(0, temperature))))) }
        if let topP = request.topP { inference.append(.init("topP", .double(topP))) }
        if !request.stop.isEmpty { inference.append(.init("stopSequences", .array(request.stop.map(JSONValue.string)))) }
        if !inference.isEmpty { fields.append(.init("inferenceConfig", .object(inference))) }
        if !request.tools.isEmpty {
            let tools = JSONValue.array(request.tools.map { tool in
                .record(["toolSpec": .record([
                    "name": .string(tool.name), "description": tool.description.map(JSONValue.string),
                    "inputSchema": .record(["json": tool.parameters ?? .record(["type": .string("object"), "properties": .object([])])]),
                ])])
            })
            // Converse has no `none`: the tools stay declared (earlier turns may use them) and the choice is left out.
            let choice: JSONValue? = switch request.toolChoice {
            case .auto?: .record(["auto": .object([])])
            case .required?: .record(["any": .object([])])
            case .function(let name)?: .record(["tool": .record(["name": .string(name)])])
            case .none?, nil: nil
            }
            fields.append(.init("toolConfig", .record(["tools": tools, "toolChoice": choice])))
        }
        var additional: [JSONValue.JSONField] = []
        if let topK = request.topK { additional.append(.init("top_k", .int(topK))) }
        if let budget = request.thinkingBudget {
            additional.append(.init("thinking", .record(["type": .string("enabled"), "budget_tokens": .int(budget)])))
        }
        if !additional.isEmpty { fields.append(.init("additionalModelRequestFields", .object(additional))) }
        return JSONValue.object(fields).serialized
    }

    static func messages(_ messages: [ChatMessage]) throws(GatewayError) -> [JSONValue] {
        var turns = AlternatingTurns()
        for (index, message) in messages.enumerated() {
            turns.append(role: message.role == .assistant ? "assistant" : "user", try blocks(message, index: index))
        }
        return turns.turns.map { .record(["role": .string($0.role), "content": .array($0.pieces)]) }
    }

    static func blocks(_ message: ChatMessage, index: Int) throws(GatewayError) -> [JSONValue] {
        if message.role == .tool {
            let text = message.text
            let content: JSONValue = (try? JSONValue.parse(Array(text.utf8))).flatMap { $0.isObject ? .record(["json": $0]) : nil }
                ?? .record(["text": .string(text)])
            return [.record(["toolResult": .record([
                "toolUseId": .string(message.toolCallID ?? ""), "content": .array([content]),
                "status": .string(message.isError ? "error" : "success"),
            ])])]
        }
        var blocks: [JSONValue] = []
        for part in message.content {
            switch part {
            case .text(let text) where !text.isEmpty: blocks.append(.record(["text": .string(text)]))
            case .text: break
            case .image(.base64(let mediaType, let data)):
                let format = mediaType.split(separator: "/").last.map(String.init) ?? "png"
                blocks.append(.record(["image": .record(["format": .string(format == "jpg" ? "jpeg" : format), "source": .record(["bytes": .string(data)])])]))
            case .image(.url):
                throw .invalidRequest(
                    "Bedrock accepts images only as inline data: send a data: URL (messages[\(index)]).", param: "messages[\(index)].content")
            case .thinking(let text, let signature?):
                blocks.append(.record(["reasoningContent": .record(["reasoningText": .record(["text": .string(text), "signature": .string(signature)])])]))
            case .thinking: break
            case .redactedThinking(let data): blocks.append(.record(["reasoningContent": .record(["redactedContent": .string(data)])]))
            }
        }
        for call in message.toolCalls {
            blocks.append(.record(["toolUse": .record(["toolUseId": .string(call.id), "name": .string(call.name), "input": call.argumentsObject])]))
        }
        return blocks
    }
}
