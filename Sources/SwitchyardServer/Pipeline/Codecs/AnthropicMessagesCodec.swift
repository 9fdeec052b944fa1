import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// `POST /v1/messages`: Anthropic-format requests served by any configured model. To an
/// Anthropic-format deployment the body goes as it came (only `model` changed, the client's
/// `anthropic-*` headers forwarded) and the answer comes back unchanged, event for event; every
/// other provider is reached through the canonical model and answered as an Anthropic `Message`
/// or Anthropic SSE. Errors are in Anthropic's envelope (see `ErrorResponse`).
struct AnthropicMessagesCodec: StreamingIngressCodec {
    struct Body: Sendable {
        let request: AnthropicMessagesBody
        /// The client's `anthropic-*` headers (`anthropic-beta`, `anthropic-version`), lowercased.
        let anthropicHeaders: [(name: String, value: String)]
        /// The canonical request (decoded once), or why a non-Anthropic deployment cannot take it.
        let canonical: Result<ChatRequest, GatewayError>
        /// Bytes of prompt content: the canonical count, else the text of the body (attachments at a flat size).
        let promptBytes: Int
    }

    func decode(_ bytes: [UInt8], request: Request, context: GatewayRequestContext) throws(GatewayError) -> Body {
        let body = try AnthropicMessagesBody(bytes: bytes)
        let canonical: Result<ChatRequest, GatewayError>
        do { canonical = .success(try body.canonical()) } catch { canonical = .failure(error) }
        let promptBytes = (try? canonical.get())?.promptByteCount ?? AnthropicMessagesBody.estimatedPromptBytes(body.json)
        return Body(request: body, anthropicHeaders: Self.anthropicHeaders(request), canonical: canonical, promptBytes: promptBytes)
    }

    func ingress(_ body: Body) -> IngressRequest {
        var ingress = IngressRequest(
            model: body.request.model, promptBytes: body.promptBytes, maxTokens: body.request.maxTokens, stream: body.request.stream,
            features: { (try? body.canonical.get()).map(RequestFeatures.init) ?? RequestFeatures(text: "") })
        ingress.affinity = {
            PromptAffinity.key(scanner: body.request.scanner, root: body.request.root, prefixMembers: ["system", "tools"], turns: "messages")
        }
        return ingress
    }

    /// The deployment's adapter when it serves its model in Anthropic's format.
    static func passthrough(_ deployment: Deployment) -> (any AnthropicFormatAdapter)? {
        guard let adapter = deployment.adapter as? any AnthropicFormatAdapter, adapter.speaksAnthropic(upstreamModel: deployment.upstreamModel) else {
            return nil
        }
        return adapter
    }

    func upstreamRequest(_ body: Body, for deployment: Deployment) throws(GatewayError) -> UpstreamRequest {
        if let adapter = Self.passthrough(deployment) {
            var request = adapter.messagesRequest(body.request, upstreamModel: deployment.upstreamModel, clientHeaders: body.anthropicHeaders)
            if deployment.anthropicAutoCache { request.body = AnthropicAutoCache.apply(request.body) }
            return request
        }
        return try deployment.chatRequest(try body.canonical.get())
    }

    func streamRelay(_ body: Body, call: UpstreamCall, context: GatewayRequestContext) -> any ClientStreamRelay {
        if let adapter = Self.passthrough(call.deployment) { return adapter.anthropicStreamRelay() }
        let encoder = AnthropicStreamEncoder(
            id: Self.messageID(context), model: call.deployment.upstreamModel,
            estimatedInputTokens: TokenEstimator.estimate(byteCount: body.promptBytes))
        return TranslatingStreamRelay(translator: call.deployment.adapter.streamTranslator(), encoder: encoder, promptBytes: body.promptBytes)
    }

    func render(_ body: Body, call: UpstreamCall, upstream: ByteBuffer, context: GatewayRequestContext) throws(GatewayError) -> RenderedReply {
        let bytes = Array(upstream.readableBytesView)
        if Self.passthrough(call.deployment) != nil {
            let reported = (try? JSONValue.parse(bytes))?["usage"].map { AnthropicResponseDecoder.usage($0) }
            let usage = reported ?? TokenEstimator.usage(promptBytes: body.promptBytes, completionBytes: bytes.count / 2)
            return RenderedReply(body: upstream, usage: usage)
        }
        var answer = try call.deployment.adapter.chatResponse(from: bytes)
        let usage = answer.usage ?? TokenEstimator.usage(promptBytes: body.promptBytes, completionBytes: answer.completionByteCount)
        answer.usage = usage
        let id = answer.id.hasPrefix("msg_") ? answer.id : Self.messageID(context)
        let encoded = AnthropicMessageEncoder.encode(answer, id: id, model: answer.model.isEmpty ? call.deployment.upstreamModel : answer.model)
        return RenderedReply(body: ByteBuffer(bytes: encoded), usage: usage)
    }

    func responseHeaders(call: UpstreamCall, context: GatewayRequestContext) -> HTTPFields {
        var headers: HTTPFields = [.requestID: context.requestID]
        // Anthropic's own rate-limit headers, for clients that pace themselves by them.
        for (name, value) in call.headers.pairs where name.lowercased().hasPrefix("anthropic-ratelimit-") {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return headers
    }

    func cacheMaterial(_ body: Body) -> CacheMaterial? {
        CacheMaterial(format: "anthropic-messages", body: body.request.json, temperature: body.request.json["temperature"]?.doubleValue)
    }

    func cachedReply(_ body: Body, answer: CachedAnswer, alias: String, context: GatewayRequestContext) async -> CachedReply? {
        if body.request.stream {
            let input = answer.response.usage?.promptTokens ?? TokenEstimator.estimate(byteCount: body.promptBytes)
            return .stream(AnthropicStreamEncoder(id: Self.messageID(context), model: answer.upstreamModel, estimatedInputTokens: input))
        }
        return .json(AnthropicMessageEncoder.encode(answer.response, id: Self.messageID(context), model: answer.upstreamModel))
    }

    static func messageID(_ context: GatewayRequestContext) -> String { "msg_" + context.requestID.dropFirst(4) }

    /// The `anthropic-*` headers a client sent, forwarded to Anthropic-format upstreams.
    static func anthropicHeaders(_ request: Request) -> [(name: String, value: String)] {
        request.headers.compactMap { field in
            let name = field.name.canonicalName
            return name.hasPrefix("anthropic-") ? (name, field.value) : nil
        }
    }
}
