public import SwitchyardCore

/// The adapter for OpenAI and every OpenAI-compatible server. Requests go out as the client sent
/// them except for the upstream model name, `stream_options.include_usage` on streams (so the
/// gateway can meter), and the preset's quirks (e.g. Mistral's 9-character tool-call ids).
public struct OpenAICompatibleAdapter: EmbeddingsAdapter {
    public let providerName: String
    public let preset: OpenAICompatiblePreset
    public let baseURL: String
    let apiKey: Secret?
    let extraHeaders: [(name: String, value: String)]

    public init(providerName: String, preset: OpenAICompatiblePreset, baseURL: String, apiKey: Secret?, extraHeaders: [String: String] = [:]) {
        self.providerName = providerName
        self.preset = preset
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.extraHeaders = extraHeaders.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
    }

    public var streamUsage: OpenAIStreamUsageLocation { preset.streamUsage }

    static let includeUsageObject: [UInt8] = Array(#"{"include_usage":true}"#.utf8)

    public func chatCompletionsRequest(_ body: OpenAIChatRequestBody, upstreamModel: String) -> UpstreamRequest {
        var splice = JSONObjectSplice(scanner: body.scanner, object: body.root)
        if upstreamModel != body.model { splice.set("model", string: upstreamModel) }
        if body.stream && !body.clientWantsUsage {
            splice.set("stream_options", rawValue: streamOptionsWithUsage(body))
        }
        if case .alphanumeric9 = preset.toolCallIDRule,
            let messages = body.scanner.member("messages", of: body.root)?.value,
            let rewritten = ToolCallIDRewriter.rewriteMessages(scanner: body.scanner, messages: messages)
        {
            splice.set("messages", rawValue: rewritten)
        }
        return UpstreamRequest(url: baseURL + "/chat/completions", headers: headers(), body: splice.result())
    }

    public func embeddingsRequest(_ body: OpenAIEmbeddingsRequestBody, upstreamModel: String) -> UpstreamRequest {
        var splice = JSONObjectSplice(scanner: body.scanner, object: body.root)
        if upstreamModel != body.model { splice.set("model", string: upstreamModel) }
        return UpstreamRequest(url: baseURL + "/embeddings", headers: headers(), body: splice.result())
    }

    public func healthProbeRequest() -> UpstreamRequest {
        UpstreamRequest(method: .get, url: baseURL + "/models", headers: headers(), body: [])
    }

    public func classifyError(status: Int, headers: HeaderList, body: [UInt8]) -> GatewayError {
        OpenAIErrorClassifier.classify(provider: providerName, status: status, headers: headers, body: body)
    }

    /// The client's `stream_options` with `include_usage: true` added (other options kept).
    private func streamOptionsWithUsage(_ body: OpenAIChatRequestBody) -> [UInt8] {
        guard let options = body.scanner.member("stream_options", of: body.root)?.value, options.kind == .object else {
            return OpenAICompatibleAdapter.includeUsageObject
        }
        let optionsScanner = JSONScanner(Array(body.scanner.raw(options)))
        guard let root = try? optionsScanner.root() else { return OpenAICompatibleAdapter.includeUsageObject }
        var splice = JSONObjectSplice(scanner: optionsScanner, object: root)
        splice.set("include_usage", rawValue: Array("true".utf8))
        return splice.result()
    }

    private func headers() -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("content-type", "application/json")]
        if let apiKey, !apiKey.isEmpty {
            switch preset.auth {
            case .bearer: headers.append(("authorization", "Bearer " + apiKey.value))
            case .apiKeyHeader(let name): headers.append((name, apiKey.value))
            }
        }
        headers.append(contentsOf: extraHeaders)
        return headers
    }
}
