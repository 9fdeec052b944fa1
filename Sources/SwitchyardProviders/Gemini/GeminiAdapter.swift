public import SwitchyardCore

/// The adapter for Google's Generative Language API: `generateContent`,
/// `streamGenerateContent?alt=sse` and `batchEmbedContents`, keyed by `x-goog-api-key`.
public struct GeminiAdapter: EmbeddingsAdapter {
    public static let defaultBaseURL = "https://generativelanguage.googleapis.com"
    public static let defaultVersion = "v1beta"

    public let providerName: String
    public let baseURL: String
    let apiKey: Secret?
    let version: String
    let extraHeaders: [(name: String, value: String)]

    public init(providerName: String, baseURL: String?, apiKey: Secret?, version: String?, extraHeaders: [String: String] = [:]) {
        self.providerName = providerName
        self.baseURL = AdapterSettings.baseURL(baseURL ?? GeminiAdapter.defaultBaseURL)
        self.apiKey = apiKey
        self.version = version ?? GeminiAdapter.defaultVersion
        self.extraHeaders = AdapterSettings.headers(extraHeaders)
    }

    public func chatRequest(_ request: ChatRequest, upstreamModel: String) -> UpstreamRequest {
        let method = request.stream ? ":streamGenerateContent?alt=sse" : ":generateContent"
        return UpstreamRequest(url: modelURL(upstreamModel) + method, headers: headers(), body: GeminiRequestEncoder.encode(request))
    }

    public func chatResponse(from body: [UInt8]) throws(GatewayError) -> ChatResponse {
        try GeminiResponseDecoder.decode(body, provider: providerName)
    }

    public func streamTranslator() -> any StreamTranslator { GeminiStreamTranslator(providerName: providerName) }

    public func embeddingsRequest(_ body: OpenAIEmbeddingsRequestBody, upstreamModel: String) throws(GatewayError) -> UpstreamRequest {
        let inputs = try GeminiAdapter.textInputs(body)
        let requests = inputs.map { text in
            JSONValue.record(["model": .string("models/" + upstreamModel), "content": .record(["parts": .array([.record(["text": .string(text)])])])])
        }
        return UpstreamRequest(
            url: modelURL(upstreamModel) + ":batchEmbedContents", headers: headers(), body: JSONValue.record(["requests": .array(requests)]).serialized)
    }

    public func embeddingsResponse(from body: [UInt8], request: OpenAIEmbeddingsRequestBody, upstreamModel: String) throws(GatewayError)
        -> (body: [UInt8], usage: Usage?)
    {
        guard let json = try? JSONValue.parse(body), let embeddings = json["embeddings"]?.arrayValue else {
            throw .upstreamMalformed(providerName, "the embeddings response has no `embeddings`")
        }
        let data = embeddings.enumerated().map { index, embedding in
            JSONValue.record(["object": .string("embedding"), "index": .int(index), "embedding": embedding["values"] ?? .array([])])
        }
        // Gemini reports no token counts for embeddings: estimate, and say so in the ledger.
        let tokens = TokenEstimator.estimate(byteCount: request.inputByteCount)
        let openAI = JSONValue.record([
            "object": .string("list"), "data": .array(data), "model": .string(upstreamModel),
            "usage": .record(["prompt_tokens": .int(tokens), "total_tokens": .int(tokens)]),
        ])
        return (openAI.serialized, Usage(promptTokens: tokens, completionTokens: 0, isEstimated: true))
    }

    public func healthProbeRequest() -> UpstreamRequest? {
        UpstreamRequest(method: .get, url: baseURL + "/" + version + "/models", headers: headers(), body: [])
    }

    public func classifyError(status: Int, headers: HeaderList, body: [UInt8]) -> GatewayError {
        GeminiErrorClassifier.classify(provider: providerName, status: status, headers: headers, body: body)
    }

    private func modelURL(_ model: String) -> String {
        baseURL + "/" + version + "/models/" + PercentEncoding.pathSegment(model)
    }

    private func headers() -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("content-type", "application/json")]
        if let apiKey, !apiKey.isEmpty { headers.append(("x-goog-api-key", apiKey.value)) }
        return headers + extraHeaders
    }

    /// The embeddings input as strings (Gemini embeds text, not token arrays).
    static func textInputs(_ body: OpenAIEmbeddingsRequestBody) throws(GatewayError) -> [String] {
        let input = body.scanner.member("input", of: body.root)?.value
        let json = input.map { JSONValue(scanner: body.scanner, span: $0) }
        switch json {
        case .string(let text)?: return [text]
        case .array(let items)? where items.allSatisfy({ $0.stringValue != nil }): return items.compactMap(\.stringValue)
        default: throw .invalidRequest("This model's provider embeds text only: 'input' must be a string or an array of strings.", param: "input")
        }
    }
}
