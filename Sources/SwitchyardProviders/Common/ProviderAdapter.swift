public import SwitchyardCore

/// Translates between the gateway and one provider's wire format. Pure: no I/O.
///
/// The server hands an adapter a validated request, sends the `UpstreamRequest` it builds through
/// the transport, and asks it to classify any error response.
public protocol ProviderAdapter: Sendable {
    /// The provider's name in the config (`providers.<name>`), used in messages and headers.
    var providerName: String { get }
    /// Builds the upstream chat request for an OpenAI-format body.
    func chatCompletionsRequest(_ body: OpenAIChatRequestBody, upstreamModel: String) -> UpstreamRequest
    /// Where to find token usage in this provider's OpenAI-format stream chunks.
    var streamUsage: OpenAIStreamUsageLocation { get }
    /// A cheap request that shows whether the provider is reachable and accepts the key
    /// (used by the active health prober).
    func healthProbeRequest() -> UpstreamRequest
    /// Turns an upstream error response into the gateway's error.
    func classifyError(status: Int, headers: HeaderList, body: [UInt8]) -> GatewayError
}

/// An adapter whose provider serves embeddings.
public protocol EmbeddingsAdapter: ProviderAdapter {
    func embeddingsRequest(_ body: OpenAIEmbeddingsRequestBody, upstreamModel: String) -> UpstreamRequest
}
