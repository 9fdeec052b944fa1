import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// The response cache as a stage of the pipeline: decided after routing (the alias that serves
/// is the one whose `cache:` applies), looked up before admission's reservation and any upstream
/// call, and fed on the way out with what was served.
extension Pipeline {
    /// The cache's part in one request.
    struct CacheStep: Sendable {
        let key: String
        let lookup: Bool
        let store: Bool
        let ttlSeconds: Double
        let settings: CacheSettings
        /// The prompt's embedding and index partition, when the alias has a semantic cache and
        /// the prompt qualifies (single-turn, no tools, unless `any_prompt`).
        let semantic: (vector: [Float], partition: String, threshold: Double)?
    }

    /// The step for this request, and the `x-switchyard-cache` value it starts with (`miss`, or
    /// `bypass`); both nil when the alias has no cache.
    func cacheStep<Codec: IngressCodec>(
        _ codec: Codec, _ body: Codec.Body, ingress: IngressRequest, alias: String, request: Request, context: GatewayRequestContext
    ) -> (step: CacheStep?, header: String?) {
        guard let settings = gateway.router.group(named: alias)?.cache else { return (nil, nil) }
        guard let material = codec.cacheMaterial(body),
            case .use(let lookup, let store, let ttl)? = CachePolicy.decide(
                settings, temperature: material.temperature, cacheControl: request.headers[.cacheControl],
                ttlHeader: request.headers[.xSwitchyardCacheTTL])
        else {
            gateway.metrics.cache(alias: alias, result: "bypass")
            return (nil, "bypass")
        }
        let scope = CachePolicy.scope(settings.scope, principal: context.principal)
        let key = CachePolicy.key(format: material.format, alias: alias, scope: scope, body: material.body)
        var semantic: (vector: [Float], partition: String, threshold: Double)?
        if let settings = settings.semantic, gateway.semanticCaches[alias] != nil {
            let features = ingress.features()
            if settings.anyPrompt || (features.turns <= 1 && !features.hasTools),
                let vector = context.route?.embedding ?? gateway.embedder.map({ $0.evaluate(features).embedding.map(Float.init) })
            {
                semantic = (vector, material.format + "\u{0}" + scope, settings.threshold)
            }
        }
        let step = CacheStep(key: key, lookup: lookup, store: store, ttlSeconds: ttl, settings: settings, semantic: semantic)
        if !lookup { gateway.metrics.cache(alias: alias, result: "bypass") }
        return (step, lookup ? "miss" : "bypass")
    }

    /// The stored answer for `step`, served and metered as a hit; nil on a miss.
    func serveFromCache<Codec: IngressCodec>(
        _ codec: Codec, _ body: Codec.Body, step: CacheStep, alias: String, context: GatewayRequestContext
    ) async throws(GatewayError) -> Response? {
        guard step.lookup else { return nil }
        var found = await gateway.responseCache.answer(for: step.key).map { (answer: $0, similarity: Double?.none) }
        if found == nil, let semantic = step.semantic,
            let near = gateway.semanticCaches[alias]?.nearest(to: semantic.vector, partition: semantic.partition, threshold: semantic.threshold),
            let answer = await gateway.responseCache.answer(for: near.key)
        {
            found = (answer, near.similarity)
        }
        guard let (answer, similarity) = found, let reply = await codec.cachedReply(body, answer: answer, alias: alias, context: context) else {
            gateway.metrics.cache(alias: alias, result: "miss")
            return nil
        }
        // A free hit reserves nothing (rate limits still apply); a charged one what it will cost.
        let usage = answer.response.usage ?? Usage(promptTokens: 0, completionTokens: 0)
        let admission = try await gateway.admit(
            context, model: alias, promptBytes: step.settings.charge ? usage.promptTokens.multipliedReportingOverflow(by: 4).partialValue : 0,
            maxTokens: step.settings.charge ? usage.completionTokens : 0)
        let stream: Bool
        if case .stream = reply { stream = true } else { stream = false }
        let charged = await gateway.meterCacheHit(
            context: context, admission: admission, alias: alias, answer: answer, charge: step.settings.charge, stream: stream,
            semantic: similarity != nil)
        var headers: HTTPFields = [
            .xSwitchyardModel: alias, .xSwitchyardProvider: answer.provider, .xSwitchyardAttempts: "0",
            .xSwitchyardCache: similarity == nil ? "hit" : "semantic",
        ]
        if let similarity { headers[.xSwitchyardCacheSimilarity] = String(format: "%.4f", similarity) }
        if step.settings.charge { headers[.xSwitchyardCostUSD] = charged.description }
        if let route = context.route { headers[.xSwitchyardRoute] = route.summary }
        switch reply {
        case .json(let bytes):
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        case .stream(var encoder):
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            // One write per event, as a model streams them.
            let chunks = CacheReplay.events(answer.response).map { encoder.encode($0) }.filter { !$0.isEmpty } + [encoder.finish()]
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                for chunk in chunks { try await writer.write(ByteBuffer(bytes: chunk)) }
                try await writer.finish(nil)
            })
        }
    }

    /// Stores a served answer (a complete one, within `max_entry_bytes`).
    func storeInCache(_ step: CacheStep?, response: ChatResponse?, call: UpstreamCall, usage: Usage?) async {
        guard let step, step.store, var response else { return }
        if response.usage == nil { response.usage = usage }
        let answer = CachedAnswer(response: response, provider: call.deployment.providerName, upstreamModel: call.deployment.upstreamModel)
        guard answer.byteCount <= step.settings.maxEntryBytes else { return }
        await gateway.responseCache.store(answer, for: step.key, ttlSeconds: step.ttlSeconds)
        if let semantic = step.semantic {
            gateway.semanticCaches[call.deployment.alias]?.insert(semantic.vector, partition: semantic.partition, key: step.key)
        }
    }
}
