import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// `POST /v1/embeddings`, forwarded to providers that serve embeddings.
struct EmbeddingsCodec: IngressCodec {
    func decode(_ bytes: [UInt8], request: Request, context: GatewayRequestContext) throws(GatewayError) -> OpenAIEmbeddingsRequestBody {
        try OpenAIEmbeddingsRequestBody(bytes: bytes)
    }

    func ingress(_ body: OpenAIEmbeddingsRequestBody) -> IngressRequest {
        IngressRequest(
            model: body.model, promptBytes: body.inputByteCount, maxTokens: 0, stream: false, features: { RequestFeatures(text: "") }, routable: false)
    }

    func upstreamRequest(_ body: OpenAIEmbeddingsRequestBody, for deployment: Deployment) throws(GatewayError) -> UpstreamRequest {
        try adapter(of: deployment).embeddingsRequest(body, upstreamModel: deployment.upstreamModel)
    }

    func render(_ body: OpenAIEmbeddingsRequestBody, call: UpstreamCall, upstream: ByteBuffer, context: GatewayRequestContext) throws(GatewayError) -> RenderedReply {
        let translated = try adapter(of: call.deployment).embeddingsResponse(
            from: Array(upstream.readableBytesView), request: body, upstreamModel: call.deployment.upstreamModel)
        let usage = translated.usage ?? Usage(promptTokens: TokenEstimator.estimate(byteCount: body.inputByteCount), completionTokens: 0, isEstimated: true)
        return RenderedReply(body: ByteBuffer(bytes: translated.body), usage: usage)
    }

    private func adapter(of deployment: Deployment) throws(GatewayError) -> any EmbeddingsAdapter {
        guard let adapter = deployment.adapter as? any EmbeddingsAdapter else {
            throw GatewayError.invalidRequest(
                "Model `\(deployment.alias)` is served by provider '\(deployment.providerName)', which has no embeddings endpoint.", param: "model")
        }
        return adapter
    }
}
