public import SwitchyardCore

/// The adapter for Anthropic's Messages API (`POST {base_url}/v1/messages`, `x-api-key`,
/// `anthropic-version`).
public struct AnthropicAdapter: AnthropicTokenCounter {
    public static let defaultBaseURL = "https://api.anthropic.com"
    public static let defaultVersion = "2023-06-01"

    public let providerName: String
    public let baseURL: String
    let apiKey: Secret?
    let version: String
    let extraHeaders: [(name: String, value: String)]

    public init(providerName: String, baseURL: String?, apiKey: Secret?, version: String?, extraHeaders: [String: String] = [:]) {
        self.providerName = providerName
        self.baseURL = AdapterSettings.baseURL(baseURL ?? AnthropicAdapter.defaultBaseURL)
        self.apiKey = apiKey
        self.version = version ?? AnthropicAdapter.defaultVersion
        self.extraHeaders = AdapterSettings.headers(extraHeaders)
    }

    public func chatRequest(_ request: ChatRequest, upstreamModel: String) -> UpstreamRequest {
        UpstreamRequest(url: baseURL + "/v1/messages", headers: headers(), body: AnthropicRequestEncoder.encode(request, model: upstreamModel))
    }

    public func chatResponse(from body: [UInt8]) throws(GatewayError) -> ChatResponse {
        try AnthropicResponseDecoder.decode(body, provider: providerName)
    }

    public func streamTranslator() -> any StreamTranslator { AnthropicStreamTranslator(providerName: providerName) }

    public func healthProbeRequest() -> UpstreamRequest? {
        UpstreamRequest(method: .get, url: baseURL + "/v1/models", headers: headers(), body: [])
    }

    public func classifyError(status: Int, headers: HeaderList, body: [UInt8]) -> GatewayError {
        AnthropicErrorClassifier.classify(provider: providerName, status: status, headers: headers, body: body)
    }

    public func speaksAnthropic(upstreamModel: String) -> Bool { true }

    public func encodesChatAsMessages(upstreamModel: String) -> Bool { true }

    public func anthropicStreamRelay() -> AnthropicPassthroughRelay { AnthropicPassthroughRelay(providerName: providerName) }

    public func messagesRequest(
        _ body: AnthropicMessagesBody, upstreamModel: String, clientHeaders: [(name: String, value: String)]
    ) -> UpstreamRequest {
        var splice = JSONObjectSplice(scanner: body.scanner, object: body.root)
        if upstreamModel != body.model { splice.set("model", string: upstreamModel) }
        return UpstreamRequest(url: baseURL + "/v1/messages", headers: headers(client: clientHeaders), body: splice.result())
    }

    public func countTokensRequest(
        _ body: [UInt8], upstreamModel: String, clientHeaders: [(name: String, value: String)]
    ) throws(GatewayError) -> UpstreamRequest {
        let scanner = JSONScanner(body)
        guard let root = try? scanner.root(), root.kind == .object else { throw .invalidRequest("The request body must be a JSON object.") }
        var splice = JSONObjectSplice(scanner: scanner, object: root)
        splice.set("model", string: upstreamModel)
        return UpstreamRequest(url: baseURL + "/v1/messages/count_tokens", headers: headers(client: clientHeaders), body: splice.result())
    }

    /// The configured headers; a client's `anthropic-*` header replaces the one of the same name.
    private func headers(client: [(name: String, value: String)] = []) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("content-type", "application/json")]
        if !client.contains(where: { $0.name == "anthropic-version" }) { headers.append(("anthropic-version", version)) }
        if let apiKey, !apiKey.isEmpty { headers.append(("x-api-key", apiKey.value)) }
        let overridden = Set(client.map(\.name))
        return headers + extraHeaders.filter { !overridden.contains($0.name.lowercased()) } + client
    }
}
