public import SwitchyardCore

/// An OpenAI-format provider that also serves the Responses API (OpenAI; Azure with
/// `responses_api: true`): everything the chat adapter does, plus Responses passthrough.
public struct OpenAIResponsesAdapter: OpenAIFormatAdapter, EmbeddingsAdapter, ResponsesFormatAdapter, PassthroughAdapter {
    public let chat: OpenAICompatibleAdapter

    public init(_ chat: OpenAICompatibleAdapter) {
        self.chat = chat
    }

    public func responsesRequest(_ request: ResponsesRequest, upstreamModel: String, history: [JSONValue]?) -> UpstreamRequest {
        var splice = JSONObjectSplice(scanner: request.scanner, object: request.root)
        if upstreamModel != request.model { splice.set("model", string: upstreamModel) }
        if let history {
            splice.set("input", rawValue: JSONValue.array(history).serialized)
            splice.set("previous_response_id", rawValue: Array("null".utf8))
        }
        return UpstreamRequest(url: chat.url("/responses", model: nil), headers: chat.headers(), body: splice.result())
    }

    // MARK: - The chat adapter's

    public var providerName: String { chat.providerName }
    public var streamUsage: OpenAIStreamUsageLocation { chat.streamUsage }
    public func chatRequest(_ request: ChatRequest, upstreamModel: String) throws(GatewayError) -> UpstreamRequest {
        try chat.chatRequest(request, upstreamModel: upstreamModel)
    }
    public func chatResponse(from body: [UInt8]) throws(GatewayError) -> ChatResponse { try chat.chatResponse(from: body) }
    public func streamTranslator() -> any StreamTranslator { chat.streamTranslator() }
    public func healthProbeRequest() -> UpstreamRequest? { chat.healthProbeRequest() }
    public func passthroughRequest(path: String, body: [UInt8], contentType: String, upstreamModel: String) -> UpstreamRequest {
        chat.passthroughRequest(path: path, body: body, contentType: contentType, upstreamModel: upstreamModel)
    }
    public func classifyError(status: Int, headers: HeaderList, body: [UInt8]) -> GatewayError {
        chat.classifyError(status: status, headers: headers, body: body)
    }
    public func chatCompletionsRequest(_ body: OpenAIChatRequestBody, upstreamModel: String) -> UpstreamRequest {
        chat.chatCompletionsRequest(body, upstreamModel: upstreamModel)
    }
    public func embeddingsRequest(_ body: OpenAIEmbeddingsRequestBody, upstreamModel: String) throws(GatewayError) -> UpstreamRequest {
        chat.embeddingsRequest(body, upstreamModel: upstreamModel)
    }
    public func embeddingsResponse(from body: [UInt8], request: OpenAIEmbeddingsRequestBody, upstreamModel: String) throws(GatewayError)
        -> (body: [UInt8], usage: Usage?)
    {
        chat.embeddingsResponse(from: body, request: request, upstreamModel: upstreamModel)
    }
}
