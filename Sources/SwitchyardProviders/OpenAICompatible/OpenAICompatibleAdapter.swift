public import SwitchyardCore

/// The adapter for OpenAI, Azure OpenAI and every OpenAI-compatible server. OpenAI-format
/// requests go out as the client sent them except for the upstream model name,
/// `stream_options.include_usage` on streams (so the gateway can meter), and the preset's quirks
/// (e.g. Mistral's 9-character tool-call ids); canonical requests (from Anthropic-format
/// clients) are encoded as OpenAI bodies.
public struct OpenAICompatibleAdapter: OpenAIFormatAdapter, EmbeddingsAdapter, PassthroughAdapter {
    public let providerName: String
    public let preset: OpenAICompatiblePreset
    public let baseURL: String
    /// Azure's `api-version` query parameter (`v1` selects Azure's version-less v1 API).
    public let apiVersion: String?
    let apiKey: Secret?
    let extraHeaders: [(name: String, value: String)]

    public init(
        providerName: String, preset: OpenAICompatiblePreset, baseURL: String, apiKey: Secret?, apiVersion: String? = nil,
        extraHeaders: [String: String] = [:]
    ) {
        self.providerName = providerName
        self.preset = preset
        self.baseURL = AdapterSettings.baseURL(baseURL)
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.extraHeaders = AdapterSettings.headers(extraHeaders)
    }

    public var streamUsage: OpenAIStreamUsageLocation { preset.streamUsage }

    public static let includeUsageObject: [UInt8] = Array(#"{"include_usage":true}"#.utf8)

    // MARK: - Fast path (OpenAI-format clients)

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
        applyQuirks(scanner: body.scanner, root: body.root, to: &splice)
        return UpstreamRequest(url: url("/chat/completions", model: upstreamModel), headers: headers(), body: splice.result())
    }

    /// The preset's request edits (`OpenAICompatiblePreset.Quirks`).
    func applyQuirks(scanner: JSONScanner, root: JSONSpan, to splice: inout JSONObjectSplice) {
        let quirks = preset.quirks
        guard !quirks.isEmpty else { return }
        if quirks.maxTokensOnly, let member = scanner.member("max_completion_tokens", of: root) {
            splice.remove("max_completion_tokens")
            if scanner.member("max_tokens", of: root) == nil { splice.set("max_tokens", rawValue: Array(scanner.raw(member.value))) }
        }
        if let limit = quirks.maxTemperature, let member = scanner.member("temperature", of: root),
            let temperature = scanner.double(member.value), temperature > limit
        {
            splice.set("temperature", rawValue: Array(String(limit).utf8))
        }
    }

    // MARK: - Canonical path (clients in other formats)

    public func chatRequest(_ request: ChatRequest, upstreamModel: String) throws(GatewayError) -> UpstreamRequest {
        var body = OpenAIChatRequestEncoder.encode(request, model: upstreamModel)
        if preset.toolCallIDRule == .alphanumeric9 || !preset.quirks.isEmpty {
            let scanner = JSONScanner(body)
            if let root = try? scanner.root() {
                var splice = JSONObjectSplice(scanner: scanner, object: root)
                if case .alphanumeric9 = preset.toolCallIDRule, let messages = scanner.member("messages", of: root)?.value,
                    let rewritten = ToolCallIDRewriter.rewriteMessages(scanner: scanner, messages: messages)
                {
                    splice.set("messages", rawValue: rewritten)
                }
                applyQuirks(scanner: scanner, root: root, to: &splice)
                body = splice.result()
            }
        }
        return UpstreamRequest(url: url("/chat/completions", model: upstreamModel), headers: headers(), body: body)
    }

    public func chatResponse(from body: [UInt8]) throws(GatewayError) -> ChatResponse {
        try OpenAIChatResponseCodec.decode(body, provider: providerName, usageLocation: preset.streamUsage)
    }

    public func streamTranslator() -> any StreamTranslator {
        OpenAIStreamTranslator(providerName: providerName, usageLocation: preset.streamUsage)
    }

    // MARK: - Embeddings, probes, errors

    public func embeddingsRequest(_ body: OpenAIEmbeddingsRequestBody, upstreamModel: String) -> UpstreamRequest {
        var splice = JSONObjectSplice(scanner: body.scanner, object: body.root)
        if upstreamModel != body.model { splice.set("model", string: upstreamModel) }
        return UpstreamRequest(url: url("/embeddings", model: upstreamModel), headers: headers(), body: splice.result())
    }

    public func embeddingsResponse(from body: [UInt8], request: OpenAIEmbeddingsRequestBody, upstreamModel: String) -> (body: [UInt8], usage: Usage?) {
        let scanner = JSONScanner(body)
        return (body, (try? scanner.root()).flatMap { OpenAIUsageReader.usage(in: scanner, object: $0) })
    }

    public func passthroughRequest(path: String, body: [UInt8], contentType: String, upstreamModel: String) -> UpstreamRequest {
        var headers = headers()
        headers[0] = ("content-type", contentType)
        return UpstreamRequest(url: url(path, model: upstreamModel), headers: headers, body: body)
    }

    public func healthProbeRequest() -> UpstreamRequest? {
        UpstreamRequest(method: .get, url: url("/models", model: nil), headers: headers(), body: [])
    }

    public func classifyError(status: Int, headers: HeaderList, body: [UInt8]) -> GatewayError {
        OpenAIErrorClassifier.classify(provider: providerName, status: status, headers: headers, body: body)
    }

    /// The URL of an API path, laid out as the provider expects.
    func url(_ path: String, model: String?) -> String {
        switch preset.endpoints {
        case .standard:
            return baseURL + path
        case .azure:
            return AzureOpenAI.url(baseURL: baseURL, path: path, deployment: model, apiVersion: apiVersion ?? AzureOpenAI.defaultAPIVersion)
        case .azureFoundry:
            return baseURL + path + "?api-version=" + PercentEncoding.pathSegment(apiVersion ?? AzureOpenAI.foundryAPIVersion)
        }
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

    func headers() -> [(name: String, value: String)] {
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
