import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardRouting
import SwitchyardProviders

/// `POST /v1/messages`: Anthropic-format requests served by any configured model — Anthropic
/// natively, every other provider through the canonical model — answered as an Anthropic
/// `Message` or Anthropic SSE, with errors in Anthropic's envelope (see `ErrorResponse`).
struct MessagesRoute: Sendable {
    let gateway: Gateway

    func handle(_ request: Request, context: GatewayRequestContext) async throws(GatewayError) -> Response {
        let bytes = try await RequestBodyReader.read(request, limit: gateway.configuration.server.maxBodyBytes)
        let chat = try AnthropicMessagesRequest.decode(bytes)
        try context.principal.authorize(model: chat.model)
        let promptBytes = chat.promptByteCount
        var context = context
        context.route = gateway.route(model: chat.model, request: request, context: context, promptBytes: promptBytes) { RequestFeatures(chat) }
        let model = context.route?.alias ?? chat.model
        try context.principal.authorize(model: model)
        let fallbacks = Gateway.requestedFallbacks(request)
        let admission = try gateway.admit(context, model: model, promptBytes: promptBytes, maxTokens: chat.maxTokens, fallbacks: fallbacks)
        let call: UpstreamCall
        do {
            call = try await gateway.call(model: model, fallbacks: fallbacks, principal: context.principal, promptBytes: promptBytes, stream: chat.stream) { deployment in
                try deployment.adapter.chatRequest(chat, upstreamModel: deployment.upstreamModel)
            }
        } catch {
            gateway.release(admission)
            throw error
        }
        let messageID = "msg_" + context.requestID.dropFirst(4)
        let requestIDHeader: HTTPFields = [.requestID: context.requestID]
        if chat.stream {
            let encoder = AnthropicStreamEncoder(
                id: messageID, model: call.deployment.upstreamModel, estimatedInputTokens: TokenEstimator.estimate(byteCount: promptBytes))
            let relay = TranslatingStreamRelay(translator: call.deployment.adapter.streamTranslator(), encoder: encoder, promptBytes: promptBytes)
            return StreamReply.make(
                call, relay: relay, gateway: gateway, context: context, admission: admission, promptBytes: promptBytes, extraHeaders: requestIDHeader)
        }
        let adapter = call.deployment.adapter
        var response = try await BufferedReply.translated(call, gateway: gateway, context: context, admission: admission) { bytes throws(GatewayError) in
            let answer = try adapter.chatResponse(from: bytes)
            let usage = answer.usage ?? Usage(
                promptTokens: TokenEstimator.estimate(byteCount: promptBytes),
                completionTokens: TokenEstimator.estimate(byteCount: answer.completionByteCount), isEstimated: true)
            var reported = answer
            reported.usage = usage
            let id = answer.id.hasPrefix("msg_") ? answer.id : messageID
            return (AnthropicMessageEncoder.encode(reported, id: id, model: answer.model.isEmpty ? call.deployment.upstreamModel : answer.model), usage)
        }
        response.headers.append(contentsOf: requestIDHeader)
        return response
    }
}
