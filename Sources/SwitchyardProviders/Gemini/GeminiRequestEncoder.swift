public import SwitchyardCore

/// Writes a canonical request as a Gemini `GenerateContentRequest` (PROTOCOLS §3.3, §5.2–5.5).
public enum GeminiRequestEncoder {
    public static func encode(_ request: ChatRequest) -> [UInt8] {
        var fields: [JSONValue.JSONField] = [.init("contents", .array(contents(request.messages)))]
        if !request.system.isEmpty {
            fields.append(.init("systemInstruction", .record(["parts": .array([.record(["text": .string(request.system.joined(separator: "\n\n"))])])])))
        }
        if !request.tools.isEmpty {
            // `parametersJsonSchema` takes JSON Schema as written; `parameters` wants Google's upper-case subset.
            fields.append(.init("tools", .array([.record(["functionDeclarations": .array(request.tools.map { tool in
                .record([
                    "name": .string(tool.name), "description": .string(tool.description ?? ""),
                    "parametersJsonSchema": tool.parameters ?? .record(["type": .string("object"), "properties": .object([])]),
                ])
            })])])))
        }
        if let config = toolConfig(request.toolChoice), !request.tools.isEmpty { fields.append(.init("toolConfig", config)) }
        let generation = generationConfig(request)
        if !(generation.fields?.isEmpty ?? true) { fields.append(.init("generationConfig", generation)) }
        return JSONValue.object(fields).serialized
    }

    /// Turns as Gemini `Content`s: `assistant` → `model`, tool results → `functionResponse`
    /// parts (named after the call they answer), consecutive same-role turns merged.
    static func contents(_ messages: [ChatMessage]) -> [JSONValue] {
        var callNames: [String: String] = [:]
        for message in messages { for call in message.toolCalls { callNames[call.id] = call.name } }
        var turns = AlternatingTurns()
        for message in messages {
            let role = message.role == .assistant ? "model" : "user"
            var parts: [JSONValue] = []
            if message.role == .tool {
                let name = message.toolCallID.flatMap { callNames[$0] } ?? message.toolCallID ?? "tool"
                let result = (try? JSONValue.parse(Array(message.text.utf8))).flatMap { $0.isObject ? $0 : nil }
                    ?? .record(["output": .string(message.text)])
                parts.append(.record(["functionResponse": .record(["name": .string(name), "response": result])]))
            } else {
                for part in message.content {
                    switch part {
                    case .text(let text) where !text.isEmpty: parts.append(.record(["text": .string(text)]))
                    case .image(.base64(let mediaType, let data)):
                        parts.append(.record(["inlineData": .record(["mimeType": .string(mediaType), "data": .string(data)])]))
                    case .image(.url(let url)):
                        parts.append(.record(["fileData": .record(["mimeType": .string(mimeType(of: url)), "fileUri": .string(url)])]))
                    default: break
                    }
                }
                for call in message.toolCalls {
                    parts.append(.record(["functionCall": .record(["name": .string(call.name), "args": call.argumentsObject])]))
                }
            }
            turns.append(role: role, parts)
        }
        return turns.turns.map { .record(["role": .string($0.role), "parts": .array($0.pieces)]) }
    }

    static func toolConfig(_ choice: ToolChoice?) -> JSONValue? {
        let mode: String
        var allowed: [String]?
        switch choice {
        case nil: return nil
        case .auto?: mode = "AUTO"
        case .none?: mode = "NONE"
        case .required?: mode = "ANY"
        case .function(let name)?: mode = "ANY"; allowed = [name]
        }
        return .record(["functionCallingConfig": .record([
            "mode": .string(mode), "allowedFunctionNames": allowed.map { .array($0.map(JSONValue.string)) },
        ])])
    }

    static func generationConfig(_ request: ChatRequest) -> JSONValue {
        var fields: [JSONValue.JSONField] = []
        if let count = request.choiceCount, count > 1 { fields.append(.init("candidateCount", .int(count))) }
        if !request.stop.isEmpty { fields.append(.init("stopSequences", .array(request.stop.prefix(5).map(JSONValue.string)))) }
        if let maxTokens = request.maxTokens { fields.append(.init("maxOutputTokens", .int(maxTokens))) }
        if let temperature = request.temperature { fields.append(.init("temperature", .double(temperature))) }
        if let topP = request.topP { fields.append(.init("topP", .double(topP))) }
        if let topK = request.topK { fields.append(.init("topK", .int(topK))) }
        switch request.responseFormat {
        case .jsonObject?: fields.append(.init("responseMimeType", .string("application/json")))
        case .jsonSchema(_, let schema, _)?:
            fields.append(.init("responseMimeType", .string("application/json")))
            fields.append(.init("responseJsonSchema", schema))
        default: break
        }
        if let budget = request.thinkingBudget {
            fields.append(.init("thinkingConfig", .record(["thinkingBudget": .int(budget), "includeThoughts": .bool(true)])))
        }
        return .object(fields)
    }

    static func mimeType(of url: String) -> String {
        let lower = url.lowercased()
        if lower.hasSuffix(".png") { return "image/png" }
        if lower.hasSuffix(".gif") { return "image/gif" }
        if lower.hasSuffix(".webp") { return "image/webp" }
        if lower.hasSuffix(".pdf") { return "application/pdf" }
        return "image/jpeg"
    }
}
