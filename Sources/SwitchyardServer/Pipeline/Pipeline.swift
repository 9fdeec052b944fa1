import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// The one request path every model endpoint shares (DESIGN §1): the endpoint's codec decodes
/// the request → route (a router may pick the alias) → admit (rate limits, reservation) →
/// execute (the attempt planner over the route plan) → relay or buffer in the client's format
/// → meter. An endpoint is a codec plus a line of wiring; nothing here is repeated per endpoint.
struct Pipeline: Sendable {
    let gateway: Gateway

    /// Serves a request of an API that may stream.
    func serve<Codec: StreamingIngressCodec>(_ codec: Codec, _ request: Request, context: GatewayRequestContext) async throws(GatewayError) -> Response {
        try await run(codec, request, context: context) { body, call, context in
            (codec.streamRelay(body, call: call, context: context), codec.streamContentType(body, call: call))
        }
    }

    /// Serves a request of an API that never streams (embeddings).
    func serve<Codec: IngressCodec>(_ codec: Codec, _ request: Request, context: GatewayRequestContext) async throws(GatewayError) -> Response {
        try await run(codec, request, context: context, relay: nil)
    }

    private func run<Codec: IngressCodec>(
        _ codec: Codec, _ request: Request, context: GatewayRequestContext,
        relay: ((Codec.Body, UpstreamCall, GatewayRequestContext) -> (any ClientStreamRelay, contentType: String))?
    ) async throws(GatewayError) -> Response {
        let bytes = try await RequestBodyReader.read(request, limit: gateway.configuration.server.maxBodyBytes)
        let body = try await codec.decode(bytes, request: request, context: context)
        let ingress = codec.ingress(body)
        try context.principal.authorize(model: ingress.model)
        var context = context
        if ingress.routable {
            context.route = try await gateway.route(
                model: ingress.model, request: request, context: context, promptBytes: ingress.promptBytes, features: ingress.features)
        }
        let model = context.route?.alias ?? ingress.model
        try context.principal.authorize(model: model)
        let (cacheStep, cacheHeader) = cacheStep(codec, body, ingress: ingress, alias: model, request: request, context: context)
        if let cacheStep, let hit = try await serveFromCache(codec, body, step: cacheStep, alias: model, context: context) { return hit }
        let fallbacks = Gateway.requestedFallbacks(request)
        let admission = try await gateway.admit(
            context, model: model, promptBytes: ingress.promptBytes, maxTokens: ingress.maxTokens, choices: ingress.choices, units: ingress.units,
            fallbacks: fallbacks)
        let streams = ingress.stream && relay != nil
        let call: UpstreamCall
        do {
            call = try await gateway.call(
                model: model, fallbacks: fallbacks, principal: context.principal, promptBytes: ingress.promptBytes, stream: streams,
                jsonAnswer: ingress.jsonAnswer, affinity: ingress.affinity
            ) { deployment throws(GatewayError) in
                try codec.upstreamRequest(body, for: deployment)
            }
        } catch {
            await gateway.meterFailure(context: context, admission: admission, model: model, error: error)
            throw error
        }
        var headers = codec.responseHeaders(call: call, context: context)
        if let cacheHeader { headers[.xSwitchyardCache] = cacheHeader }
        let routed = context
        if streams, let relay {
            var (streamRelay, contentType) = relay(body, call, context)
            if cacheStep?.store == true {
                streamRelay = CapturingRelay(inner: streamRelay, translator: codec.cacheTranslator(body, call: call))
            }
            return StreamReply.make(
                call, relay: streamRelay, gateway: gateway, context: context, admission: admission, promptBytes: ingress.promptBytes,
                contentType: contentType, extraHeaders: headers
            ) { relay, status in
                let captured = relay as? CapturingRelay
                if status == 200, let captured {
                    await storeInCache(cacheStep, response: captured.answer, call: call, usage: captured.usage(promptBytes: ingress.promptBytes))
                }
                await codec.served(body, reply: .stream(captured?.inner ?? relay, status: status), call: call, context: routed)
            }
        }
        // The executor's attempt already read the whole body (so failures mid-body were retried).
        let upstream = (try? await call.body.next()) ?? ByteBuffer()
        let rendered: RenderedReply
        do {
            rendered = try codec.render(body, call: call, upstream: upstream, context: context)
        } catch {
            await gateway.meterFailure(context: context, admission: admission, model: model, error: error)
            throw error
        }
        if cacheStep?.store == true {
            await storeInCache(cacheStep, response: codec.cacheAnswer(body, upstream: Array(upstream.readableBytesView), call: call), call: call, usage: rendered.usage)
        }
        var response = await BufferedReply.make(call, gateway: gateway, context: context, admission: admission, reply: rendered) {
            await codec.served(body, reply: .buffered(rendered.body, status: 200), call: call, context: context)
        }
        response.headers.append(contentsOf: headers)
        return response
    }
}
