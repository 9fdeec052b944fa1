import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardRouting
import SwitchyardProviders

/// `POST /v1/embeddings`, forwarded to providers that serve embeddings.
struct EmbeddingsRoute: Sendable {
    let gateway: Gateway

    func handle(_ request: Request, context: GatewayRequestContext) async throws(GatewayError) -> Response {
        let bytes = try await RequestBodyReader.read(request, limit: gateway.configuration.server.maxBodyBytes)
        let body = try OpenAIEmbeddingsRequestBody(bytes: bytes)
        try context.principal.authorize(model: body.model)
        let fallbacks = Gateway.requestedFallbacks(request)
        let admission = try gateway.admit(context, model: body.model, promptBytes: body.inputByteCount, maxTokens: 0, fallbacks: fallbacks)
        let call: UpstreamCall
        do {
            call = try await gateway.call(
                model: body.model, fallbacks: fallbacks, principal: context.principal, promptBytes: body.inputByteCount, stream: false
            ) { deployment in
            guard let adapter = deployment.adapter as? any EmbeddingsAdapter else {
                throw GatewayError.invalidRequest("Model `\(deployment.alias)` is served by provider '\(deployment.providerName)', which has no embeddings endpoint.", param: "model")
            }
            return try adapter.embeddingsRequest(body, upstreamModel: deployment.upstreamModel)
            }
        } catch {
            gateway.release(admission)
            throw error
        }
        guard let adapter = call.deployment.adapter as? any EmbeddingsAdapter else {
            gateway.release(admission)
            throw GatewayError.internalError("The deployment that answered has no embeddings adapter.")
        }
        let upstreamModel = call.deployment.upstreamModel
        return try await BufferedReply.translated(call, gateway: gateway, context: context, admission: admission) { bytes throws(GatewayError) in
            let translated = try adapter.embeddingsResponse(from: bytes, request: body, upstreamModel: upstreamModel)
            return (translated.body, translated.usage
                ?? Usage(promptTokens: TokenEstimator.estimate(byteCount: body.inputByteCount), completionTokens: 0, isEstimated: true))
        }
    }
}
