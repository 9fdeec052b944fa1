extension RequestFeatures {
    /// The features of a `{"prompt": "…"}` or OpenAI-style `{"messages": […], "tools"?: […]}`
    /// object (a `router score` line, or a chat request body), read as `tools/router/features.py`
    /// reads it; content parts it does not know are skipped.
    public init(json request: JSONValue) {
        let scanner = JSONScanner(request.serialized)
        guard let root = try? scanner.root() else {
            self.init(text: "")
            return
        }
        self.init(scanner: scanner, object: root)
    }

    /// The same, read straight from a scanned request body (no value tree is built: a routed
    /// request pays for the strings it needs only).
    public init(scanner: JSONScanner, object request: JSONSpan) {
        func string(_ key: String, of object: JSONSpan) -> String? {
            scanner.member(key, of: object).flatMap { scanner.string($0.value) }
        }
        if let prompt = string("prompt", of: request) {
            self.init(text: prompt)
            return
        }
        var texts: [String] = []
        var system: [String] = []
        var turns = 0
        var images = false
        var opening: String?
        for message in scanner.member("messages", of: request).map({ scanner.elements(of: $0.value) }) ?? [] {
            let role = string("role", of: message)
            if role == "user" { turns += 1 }
            var text = ""
            if let content = scanner.member("content", of: message)?.value {
                switch content.kind {
                case .string: text = scanner.string(content) ?? ""
                case .array:
                    for part in scanner.elements(of: content) {
                        switch string("type", of: part) {
                        case "text": text += string("text", of: part) ?? ""
                        case "image_url", "image": images = true
                        default: break
                        }
                    }
                default: break
                }
            }
            if role == "user" && opening == nil { opening = text }
            if !text.isEmpty {
                texts.append(text)
                if role == "system" || role == "developer" { system.append(text) }
            }
        }
        let format = scanner.member("response_format", of: request).flatMap { string("type", of: $0.value) }
        let tools = scanner.member("tools", of: request).map { scanner.elements(of: $0.value) } ?? []
        self.init(
            text: texts.joined(separator: "\n"), system: system.joined(separator: "\n"), turns: turns, hasTools: !tools.isEmpty,
            hasImages: images, hasResponseFormat: format != nil && format != "text", opening: opening ?? "")
    }
}
