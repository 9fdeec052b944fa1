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
        let call = try await gateway.call(model: body.model) { deployment in
            guard let adapter = deployment.adapter as? any EmbeddingsAdapter else {
                throw GatewayError.invalidRequest("Model `\(deployment.alias)` is served by provider '\(deployment.providerName)', which has no embeddings endpoint.", param: "model")
            }
            return adapter.embeddingsRequest(body, upstreamModel: deployment.upstreamModel)
        }
        let upstreamBody: ByteBuffer
        do {
            upstreamBody = try await call.response.collect(upTo: gateway.maxUpstreamBodyBytes)
        } catch {
            throw GatewayError.transportFailure(error, provider: call.deployment.providerName)
        }
        let scanner = JSONScanner(Array(upstreamBody.readableBytesView))
        let usage = (try? scanner.root()).flatMap { OpenAIUsageReader.usage(in: scanner, object: $0) }
            ?? Usage(promptTokens: TokenEstimator.estimate(byteCount: body.inputByteCount), completionTokens: 0, isEstimated: true)
        let cost = gateway.router.group(named: call.deployment.alias)?.price?.cost(of: usage)
        let overhead = (ContinuousClock.now - context.startedAt) - call.upstreamWait
        RequestLog.served(gateway.logger, context: context, call: call, usage: usage, cost: cost, stream: false, status: 200)
        return Response(
            status: .ok,
            headers: ResponseHeaders.make(call: call, contentType: "application/json", overhead: overhead, cost: cost),
            body: ResponseBody(byteBuffer: upstreamBody))
    }
}
