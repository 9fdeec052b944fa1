public import SwitchyardCore

/// Translates between the gateway's canonical chat model and one provider's wire format.
/// Pure: no I/O (DESIGN §2).
///
/// The server builds a request with it, sends it through the transport, and decodes the answer
/// (or feeds the streamed bytes to its `StreamTranslator`); errors are classified by it.
public protocol ProviderAdapter: Sendable {
    /// The provider's name in the config (`providers.<name>`), used in messages and headers.
    var providerName: String { get }
    /// The upstream request for a canonical chat request (`request.stream` picks the streaming endpoint).
    func chatRequest(_ request: ChatRequest, upstreamModel: String) throws(GatewayError) -> UpstreamRequest
    /// Decodes a successful non-streamed chat response body.
    func chatResponse(from body: [UInt8]) throws(GatewayError) -> ChatResponse
    /// A fresh translator for one streamed response.
    func streamTranslator() -> any StreamTranslator
    /// A cheap request that shows whether the provider is reachable and accepts the key
    /// (used by the active health prober); nil when the provider has none.
    func healthProbeRequest() -> UpstreamRequest?
    /// Turns an upstream error response into the gateway's error.
    func classifyError(status: Int, headers: HeaderList, body: [UInt8]) -> GatewayError
}

/// An adapter whose provider speaks OpenAI's chat format, so an OpenAI-format client's body can
/// be forwarded with minimal edits instead of being re-encoded (the fast path of DESIGN §1).
public protocol OpenAIFormatAdapter: ProviderAdapter {
    /// Builds the upstream chat request from the client's validated OpenAI body.
    func chatCompletionsRequest(_ body: OpenAIChatRequestBody, upstreamModel: String) -> UpstreamRequest
    /// Where to find token usage in this provider's OpenAI-format stream chunks.
    var streamUsage: OpenAIStreamUsageLocation { get }
}

/// An adapter whose provider serves embeddings.
public protocol EmbeddingsAdapter: ProviderAdapter {
    func embeddingsRequest(_ body: OpenAIEmbeddingsRequestBody, upstreamModel: String) throws(GatewayError) -> UpstreamRequest
    /// The provider's embeddings answer as an OpenAI `CreateEmbeddingResponse` body, with usage.
    func embeddingsResponse(from body: [UInt8], request: OpenAIEmbeddingsRequestBody, upstreamModel: String) throws(GatewayError)
        -> (body: [UInt8], usage: Usage?)
}

/// An adapter whose provider speaks Anthropic's Messages API (Anthropic; Bedrock for Claude
/// models), so an Anthropic-format client's body is forwarded as it came — `cache_control`,
/// system blocks, documents, thinking with signatures, server tools — with only `model` changed
/// (and what the provider's envelope needs), and the answer relayed unchanged (DESIGN §1 step 7).
public protocol AnthropicFormatAdapter: ProviderAdapter {
    /// Whether `upstreamModel` is served in Anthropic's format here.
    func speaksAnthropic(upstreamModel: String) -> Bool
    /// Whether `chatRequest` writes Anthropic's Messages body for `upstreamModel` (Bedrock's
    /// Converse does not).
    func encodesChatAsMessages(upstreamModel: String) -> Bool
    /// The Messages request with the client's body; `clientHeaders` are its `anthropic-*` headers
    /// (`anthropic-beta`, `anthropic-version`), which win over the configured ones.
    func messagesRequest(_ body: AnthropicMessagesBody, upstreamModel: String, clientHeaders: [(name: String, value: String)]) -> UpstreamRequest
    /// The relay for this provider's Anthropic event stream.
    func anthropicStreamRelay() -> AnthropicPassthroughRelay
}

/// An Anthropic-format provider that counts tokens (`POST /v1/messages/count_tokens`).
public protocol AnthropicTokenCounter: AnthropicFormatAdapter {
    /// `count_tokens` with the client's body (`model` changed).
    func countTokensRequest(_ body: [UInt8], upstreamModel: String, clientHeaders: [(name: String, value: String)]) throws(GatewayError) -> UpstreamRequest
}

/// An adapter whose provider serves OpenAI's Responses API, so `/v1/responses` bodies are
/// forwarded as they came with only `model` changed.
public protocol ResponsesFormatAdapter: ProviderAdapter {
    /// `POST /responses` with the client's body. `history`: the whole conversation as input
    /// items, when the gateway resolved `previous_response_id` itself (it then goes as `input`,
    /// and `previous_response_id` as null).
    func responsesRequest(_ request: ResponsesRequest, upstreamModel: String, history: [JSONValue]?) -> UpstreamRequest
}

/// An adapter whose provider serves OpenAI's other endpoints — legacy completions, images,
/// audio, moderations — or rerank, in the shape the client sent, so the client's body goes
/// out as it came with only `model` changed (JSON or multipart) and the answer comes back as it was.
public protocol PassthroughAdapter: ProviderAdapter {
    /// Whether the provider has the endpoint at `path` (default: all of them).
    func serves(path: String) -> Bool
    /// `POST` of `body` (of `contentType`) to the provider's `path` (`/images/generations`,
    /// `/audio/speech`, `/rerank`, …) for `upstreamModel`.
    func passthroughRequest(path: String, body: [UInt8], contentType: String, upstreamModel: String) -> UpstreamRequest
}

extension PassthroughAdapter {
    public func serves(path: String) -> Bool { true }
}
