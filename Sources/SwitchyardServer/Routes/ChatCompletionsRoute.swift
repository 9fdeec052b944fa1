import Hummingbird
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardRouting
import SwitchyardProviders

/// `POST /v1/chat/completions`: validate, route, forward on the same-format fast path, and
/// return the upstream's JSON or relay its SSE stream.
struct ChatCompletionsRoute: Sendable {
    let gateway: Gateway

    func handle(_ request: Request, context: GatewayRequestContext) async throws(GatewayError) -> Response {
        let bytes = try await RequestBodyReader.read(request, limit: gateway.configuration.server.maxBodyBytes)
        let body = try OpenAIChatRequestBody(bytes: bytes)
        try context.principal.authorize(model: body.model)
        let admission = try gateway.admit(context, model: body.model, promptBytes: body.messagesByteCount, maxTokens: body.maxTokens)
        let call: UpstreamCall
        do {
            call = try await gateway.call(model: body.model, request: request, promptBytes: body.messagesByteCount, stream: body.stream) { deployment in
                deployment.adapter.chatCompletionsRequest(body, upstreamModel: deployment.upstreamModel)
            }
        } catch {
            gateway.release(admission)
            throw error
        }
        if body.stream {
            return stream(call, body: body, context: context, admission: admission)
        }
        let location = call.deployment.adapter.streamUsage
        return await BufferedReply.make(call, gateway: gateway, context: context, admission: admission) { bytes in
            Self.usage(of: bytes, body: body, location: location)
        }
    }

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

    private func stream(_ call: UpstreamCall, body: OpenAIChatRequestBody, context: GatewayRequestContext, admission: Admission) -> Response {
        var headers = ResponseHeaders.make(
            call: call, contentType: "text/event-stream", overhead: (ContinuousClock.now - context.startedAt) - call.upstreamWait, cost: nil)
        headers[.cacheControl] = "no-cache"
        let relay = OpenAIStreamRelay(
            providerName: call.deployment.providerName, clientWantsUsage: body.clientWantsUsage,
            usageLocation: call.deployment.adapter.streamUsage)
        let gateway = self.gateway
        let promptBytes = body.messagesByteCount
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let outcome = await StreamPump.run(
                upstream: call.body, relay: relay, provider: call.deployment.providerName, silenceLimit: gateway.firstByteTimeout,
                deadline: call.deadline, writer: &writer)
            let usage = outcome.relay.usage(promptBytes: promptBytes)
            // Metered however the stream ended: a client that left is billed for what was generated.
            gateway.meter(context: context, call: call, admission: admission, usage: usage, stream: true, status: outcome.status)
            if outcome.clientConnected { try await writer.finish(nil) }
        })
    }
}
