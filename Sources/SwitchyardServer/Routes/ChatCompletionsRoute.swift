import Foundation
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardRouting
import SwitchyardProviders

/// `POST /v1/chat/completions`: validate, route, and either forward on the same-format fast path
/// (OpenAI-format providers) or translate through the canonical model (Anthropic, Gemini,
/// Bedrock) — per deployment, so one alias may fail over across formats.
struct ChatCompletionsRoute: Sendable {
    let gateway: Gateway

    func handle(_ request: Request, context: GatewayRequestContext) async throws(GatewayError) -> Response {
        let bytes = try await RequestBodyReader.read(request, limit: gateway.configuration.server.maxBodyBytes)
        let body = try OpenAIChatRequestBody(bytes: bytes)
        try context.principal.authorize(model: body.model)
        var context = context
        context.route = gateway.route(model: body.model, request: request, context: context, promptBytes: body.messagesByteCount) { body.requestFeatures }
        let model = context.route?.alias ?? body.model
        try context.principal.authorize(model: model)
        let fallbacks = Gateway.requestedFallbacks(request)
        let admission = try gateway.admit(
            context, model: model, promptBytes: body.messagesByteCount, maxTokens: body.maxTokens, choices: body.choices, fallbacks: fallbacks)
        let call: UpstreamCall
        do {
            call = try await gateway.call(
                model: model, fallbacks: fallbacks, principal: context.principal, promptBytes: body.messagesByteCount, stream: body.stream
            ) { deployment in
                if let adapter = deployment.adapter as? any OpenAIFormatAdapter {
                    return adapter.chatCompletionsRequest(body, upstreamModel: deployment.upstreamModel)
                }
                return try deployment.adapter.chatRequest(try body.canonical(), upstreamModel: deployment.upstreamModel)
            }
        } catch {
            gateway.release(admission)
            throw error
        }
        let formatAdapter = call.deployment.adapter as? any OpenAIFormatAdapter
        if body.stream {
            if let formatAdapter {
                let relay = OpenAIStreamRelay(
                    providerName: call.deployment.providerName, clientWantsUsage: body.clientWantsUsage, usageLocation: formatAdapter.streamUsage)
                return StreamReply.make(call, relay: OpenAIPassthroughRelay(relay: relay), gateway: gateway, context: context, admission: admission, promptBytes: body.messagesByteCount)
            }
            let encoder = OpenAIChunkEncoder(
                id: "chatcmpl-" + context.requestID.dropFirst(4), model: call.deployment.upstreamModel, created: Self.now(),
                includeUsage: body.clientWantsUsage)
            let relay = TranslatingStreamRelay(translator: call.deployment.adapter.streamTranslator(), encoder: encoder, promptBytes: body.messagesByteCount)
            return StreamReply.make(call, relay: relay, gateway: gateway, context: context, admission: admission, promptBytes: body.messagesByteCount)
        }
        if let formatAdapter {
            let location = formatAdapter.streamUsage
            return await BufferedReply.passthrough(call, gateway: gateway, context: context, admission: admission) { bytes in
                Self.usage(of: bytes, body: body, location: location)
            }
        }
        let adapter = call.deployment.adapter
        return try await BufferedReply.translated(call, gateway: gateway, context: context, admission: admission) { bytes throws(GatewayError) in
            var response = try adapter.chatResponse(from: bytes)
            if response.id.isEmpty { response.id = "chatcmpl-" + context.requestID.dropFirst(4) }
            if response.created == 0 { response.created = Self.now() }
            let usage = response.usage ?? Usage(
                promptTokens: TokenEstimator.estimate(byteCount: body.messagesByteCount),
                completionTokens: TokenEstimator.estimate(byteCount: response.completionByteCount), isEstimated: true)
            let model = response.model.isEmpty ? call.deployment.upstreamModel : response.model
            return (OpenAIChatResponseCodec.encode(response, model: model), usage)
        }
    }

    static func now() -> Int { Int(Date().timeIntervalSince1970) }

    static func usage(of response: [UInt8], body: OpenAIChatRequestBody, location: OpenAIStreamUsageLocation) -> Usage {
        let scanner = JSONScanner(response)
        if let root = try? scanner.root(), let usage = OpenAIUsageReader.usage(in: scanner, object: root, location: location) {
            return usage
        }
        return Usage(
            promptTokens: TokenEstimator.estimate(byteCount: body.messagesByteCount),
            completionTokens: TokenEstimator.estimate(byteCount: response.count / 2),
            isEstimated: true)
    }
}
