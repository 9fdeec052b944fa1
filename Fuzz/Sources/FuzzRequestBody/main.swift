import SwitchyardCore
import SwitchyardProviders

/// Every client request body reader: OpenAI chat, embeddings and Anthropic Messages. Any input
/// must give a validated request or a `GatewayError`, never a trap; what is accepted must re-read
/// the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestBody(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    if let body = try? OpenAIChatRequestBody(bytes: bytes) {
        precondition(body.maxTokens.map { (1...RequestLimits.maxOutputTokens).contains($0) } ?? true)
        precondition((1...RequestLimits.maxChoices).contains(body.choices))
        _ = try? body.canonical()
        _ = body.requestFeatures
    }
    _ = try? OpenAIEmbeddingsRequestBody(bytes: bytes)
    if let request = try? AnthropicMessagesRequest.decode(bytes) {
        precondition((1...RequestLimits.maxOutputTokens).contains(request.maxTokens ?? 1))
        precondition(request.temperature.map(\.isFinite) ?? true)
    }
    return 0
}
