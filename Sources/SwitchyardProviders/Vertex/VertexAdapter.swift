public import SwitchyardCore

/// Vertex AI: Gemini (`publishers/google/models/{m}:generateContent`, `:streamGenerateContent?alt=sse`)
/// and Claude (`publishers/anthropic/models/{m}:rawPredict`, `:streamRawPredict`, Anthropic's body
/// with `anthropic_version: vertex-2023-10-16` and no `model`), authenticated with a service
/// account's OAuth2 access token (`ServiceAccountTokenSource`, fetched and cached by the gateway).
/// Gemini bodies and answers are Gemini's; Claude's are Anthropic's.
public struct VertexAdapter: AnthropicFormatAdapter {
    public static let anthropicVersion = "vertex-2023-10-16"

    public let providerName: String
    public let baseURL: String
    public let project: String
    public let region: String
    let tokens: ServiceAccountTokenSource
    let extraHeaders: [(name: String, value: String)]

    public init(
        providerName: String, baseURL: String?, project: String, region: String, tokens: ServiceAccountTokenSource, extraHeaders: [String: String] = [:]
    ) {
        self.providerName = providerName
        let host = region == "global" ? "https://aiplatform.googleapis.com" : "https://\(region)-aiplatform.googleapis.com"
        self.baseURL = AdapterSettings.baseURL(baseURL ?? host)
        self.project = project
        self.region = region
        self.tokens = tokens
        self.extraHeaders = AdapterSettings.headers(extraHeaders)
    }

    /// Claude models are Anthropic's publisher's; everything else is Google's.
    public func speaksAnthropic(upstreamModel: String) -> Bool { upstreamModel.hasPrefix("claude") }

    func modelURL(_ model: String) -> String {
        let publisher = speaksAnthropic(upstreamModel: model) ? "anthropic" : "google"
        return baseURL + "/v1/projects/" + PercentEncoding.pathSegment(project) + "/locations/" + PercentEncoding.pathSegment(region)
            + "/publishers/" + publisher + "/models/" + PercentEncoding.pathSegment(model)
    }

    func request(url: String, body: [UInt8], extra: [(name: String, value: String)] = []) -> UpstreamRequest {
        var request = UpstreamRequest(url: url, headers: [("content-type", "application/json")] + extra + extraHeaders, body: body)
        request.authorizer = tokens
        return request
    }

    public func chatRequest(_ request: ChatRequest, upstreamModel: String) throws(GatewayError) -> UpstreamRequest {
        if speaksAnthropic(upstreamModel: upstreamModel) {
            let body = Self.vertexAnthropicBody(AnthropicRequestEncoder.encode(request, model: upstreamModel), stream: request.stream, betas: [])
            return self.request(url: modelURL(upstreamModel) + (request.stream ? ":streamRawPredict" : ":rawPredict"), body: body)
        }
        let method = request.stream ? ":streamGenerateContent?alt=sse" : ":generateContent"
        return self.request(url: modelURL(upstreamModel) + method, body: GeminiRequestEncoder.encode(request))
    }

    public func chatResponse(from body: [UInt8]) throws(GatewayError) -> ChatResponse {
        // Claude's answers have `"type": "message"`; Gemini's have `candidates`.
        if let json = try? JSONValue.parse(body), json["type"]?.stringValue == "message" {
            return try AnthropicResponseDecoder.decode(body, provider: providerName)
        }
        return try GeminiResponseDecoder.decode(body, provider: providerName)
    }

    /// Vertex serves both formats; a stream is read by the translator of the model's format,
    /// chosen by its first event.
    public func streamTranslator() -> any StreamTranslator { VertexStreamTranslator(providerName: providerName) }

    /// The token endpoint and Vertex have no cheap unauthenticated probe: health comes from traffic.
    public func healthProbeRequest() -> UpstreamRequest? { nil }

    public func classifyError(status: Int, headers: HeaderList, body: [UInt8]) -> GatewayError {
        // Vertex's own errors are Google API errors (like Gemini's); Claude's are Anthropic's.
        if let json = try? JSONValue.parse(body), json["type"]?.stringValue == "error" {
            return AnthropicErrorClassifier.classify(provider: providerName, status: status, headers: headers, body: body)
        }
        return GeminiErrorClassifier.classify(provider: providerName, status: status, headers: headers, body: body)
    }

    public func encodesChatAsMessages(upstreamModel: String) -> Bool { speaksAnthropic(upstreamModel: upstreamModel) }

    public func anthropicStreamRelay() -> AnthropicPassthroughRelay { AnthropicPassthroughRelay(providerName: providerName) }

    public func messagesRequest(
        _ body: AnthropicMessagesBody, upstreamModel: String, clientHeaders: [(name: String, value: String)]
    ) -> UpstreamRequest {
        let betas = clientHeaders.filter { $0.name == "anthropic-beta" }.flatMap { $0.value.split(separator: ",").map { String($0).trimmingSpaces() } }
        let vertexBody = Self.vertexAnthropicBody(body.scanner.bytes, stream: body.stream, betas: betas.filter { !$0.isEmpty })
        return request(url: modelURL(upstreamModel) + (body.stream ? ":streamRawPredict" : ":rawPredict"), body: vertexBody)
    }

    /// An Anthropic Messages body as Vertex takes it: no `model` (it is in the URL),
    /// `anthropic_version` set, `anthropic-beta` headers as `anthropic_beta`.
    static func vertexAnthropicBody(_ body: [UInt8], stream: Bool, betas: [String]) -> [UInt8] {
        guard var fields = (try? JSONValue.parse(body))?.fields else { return body }
        fields.removeAll { $0.key == "model" || $0.key == "anthropic_version" }
        fields.insert(.init("anthropic_version", .string(VertexAdapter.anthropicVersion)), at: 0)
        if !betas.isEmpty, !fields.contains(where: { $0.key == "anthropic_beta" }) {
            fields.append(.init("anthropic_beta", .array(betas.map(JSONValue.string))))
        }
        return JSONValue.object(fields).serialized
    }
}

/// Reads a Vertex stream in the format it arrives in: Anthropic's named events (`event:
/// message_start`, Claude) or Gemini's unnamed `data:` chunks — decided by the first line.
struct VertexStreamTranslator: StreamTranslator {
    let providerName: String
    private var inner: (any StreamTranslator)?
    private var pending: [UInt8] = []

    init(providerName: String) {
        self.providerName = providerName
    }

    var isComplete: Bool { inner?.isComplete ?? false }

    mutating func feed(_ bytes: [UInt8]) -> [ChatStreamEvent] {
        if var inner {
            defer { self.inner = inner }
            return inner.feed(bytes)
        }
        pending += bytes
        guard let first = pending.firstIndex(where: { $0 != 10 && $0 != 13 }), pending.count - first >= 6 else { return [] }
        var chosen: any StreamTranslator =
            pending[first..<first + 6].elementsEqual("event:".utf8)
            ? AnthropicStreamTranslator(providerName: providerName) : GeminiStreamTranslator(providerName: providerName)
        let events = chosen.feed(pending)
        pending = []
        inner = chosen
        return events
    }

    mutating func finish() -> [ChatStreamEvent] {
        if inner == nil {
            var gemini: any StreamTranslator = GeminiStreamTranslator(providerName: providerName)
            _ = gemini.feed(pending)
            inner = gemini
        }
        guard var inner else { return [] }
        defer { self.inner = inner }
        return inner.finish()
    }
}
