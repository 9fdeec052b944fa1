extension RequestFeatures {
    /// The features of a `{"prompt": "…"}` or OpenAI-style `{"messages": […], "tools"?: […]}`
    /// object (a `router score` line, or a chat request body), read as `tools/router/features.py`
    /// reads it; content parts it does not know are skipped.
    public init(json request: JSONValue) {
        if let prompt = request["prompt"]?.stringValue {
            self.init(text: prompt)
            return
        }
        var texts: [String] = []
        var system: [String] = []
        var turns = 0
        var images = false
        for message in request["messages"]?.arrayValue ?? [] {
            let role = message["role"]?.stringValue
            if role == "user" { turns += 1 }
            var text = ""
            switch message["content"] {
            case .string(let value)?: text = value
            case .array(let parts)?:
                for part in parts {
                    switch part["type"]?.stringValue {
                    case "text": text += part["text"]?.stringValue ?? ""
                    case "image_url", "image": images = true
                    default: break
                    }
                }
            default: break
            }
            if !text.isEmpty {
                texts.append(text)
                if role == "system" || role == "developer" { system.append(text) }
            }
        }
        let format = request["response_format"]?["type"]?.stringValue
        self.init(
            text: texts.joined(separator: "\n"), system: system.joined(separator: "\n"), turns: turns,
            hasTools: !(request["tools"]?.arrayValue ?? []).isEmpty, hasImages: images, hasResponseFormat: format != nil && format != "text")
    }
}
