public import SwitchyardCore

/// The adapter for Cohere's v2 API (`https://api.cohere.com`, bearer key): chat with tools and
/// streaming, embeddings, and rerank (the Cohere shape `/v1/rerank` clients send).
public struct CohereAdapter: EmbeddingsAdapter, PassthroughAdapter {
    public static let defaultBaseURL = "https://api.cohere.com"

    public let providerName: String
    public let baseURL: String
    let apiKey: Secret?
    let extraHeaders: [(name: String, value: String)]

    public init(providerName: String, baseURL: String?, apiKey: Secret?, extraHeaders: [String: String] = [:]) {
        self.providerName = providerName
        self.baseURL = AdapterSettings.baseURL(baseURL ?? CohereAdapter.defaultBaseURL)
        self.apiKey = apiKey
        self.extraHeaders = AdapterSettings.headers(extraHeaders)
    }

    func headers(contentType: String = "application/json") -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("content-type", contentType), ("accept", "application/json")]
        if let apiKey, !apiKey.isEmpty { headers.append(("authorization", "Bearer " + apiKey.value)) }
        return headers + extraHeaders
    }

    public func chatRequest(_ request: ChatRequest, upstreamModel: String) throws(GatewayError) -> UpstreamRequest {
        UpstreamRequest(url: baseURL + "/v2/chat", headers: headers(), body: try CohereCodec.chatBody(request, model: upstreamModel))
    }

    public func chatResponse(from body: [UInt8]) throws(GatewayError) -> ChatResponse {
        try CohereCodec.chatResponse(body, provider: providerName)
    }

    public func streamTranslator() -> any StreamTranslator { CohereStreamTranslator(providerName: providerName) }

    public func embeddingsRequest(_ body: OpenAIEmbeddingsRequestBody, upstreamModel: String) throws(GatewayError) -> UpstreamRequest {
        UpstreamRequest(
            url: baseURL + "/v2/embed", headers: headers(), body: CohereCodec.embedBody(texts: try GeminiAdapter.textInputs(body), model: upstreamModel))
    }

    public func embeddingsResponse(from body: [UInt8], request: OpenAIEmbeddingsRequestBody, upstreamModel: String) throws(GatewayError)
        -> (body: [UInt8], usage: Usage?)
    {
        try CohereCodec.embeddingsResponse(body, model: upstreamModel, provider: providerName)
    }

    /// Rerank only: Cohere's `/v2/rerank` takes the body clients send to `/v1/rerank`.
    public func serves(path: String) -> Bool { path == "/rerank" }

    public func passthroughRequest(path: String, body: [UInt8], contentType: String, upstreamModel: String) -> UpstreamRequest {
        UpstreamRequest(url: baseURL + "/v2" + path, headers: headers(contentType: contentType), body: body)
    }

    public func healthProbeRequest() -> UpstreamRequest? {
        UpstreamRequest(method: .get, url: baseURL + "/v1/models?page_size=1", headers: headers(), body: [])
    }

    public func classifyError(status: Int, headers: HeaderList, body: [UInt8]) -> GatewayError {
        // Cohere's errors are `{"message": "…"}` (some `{"id","message"}`), in OpenAI's status classes.
        OpenAIErrorClassifier.classify(provider: providerName, status: status, headers: headers, body: body)
    }
}
