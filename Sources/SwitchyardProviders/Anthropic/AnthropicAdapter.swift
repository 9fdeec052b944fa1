public import SwitchyardCore

/// The adapter for Anthropic's Messages API (`POST {base_url}/v1/messages`, `x-api-key`,
/// `anthropic-version`).
public struct AnthropicAdapter: ProviderAdapter {
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

    private func headers() -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("content-type", "application/json"), ("anthropic-version", version)]
        if let apiKey, !apiKey.isEmpty { headers.append(("x-api-key", apiKey.value)) }
        return headers + extraHeaders
    }
}
