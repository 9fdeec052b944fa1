import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// The streamed answer: SSE headers now, then the relay pumps upstream bytes to the client and
/// the request is metered however the stream ends.
enum StreamReply {
    static func make<Relay: ClientStreamRelay>(
        _ call: UpstreamCall, relay: Relay, gateway: Gateway, context: GatewayRequestContext, admission: Admission, promptBytes: Int,
        extraHeaders: HTTPFields = [:]
    ) -> Response {
        let overhead = (ContinuousClock.now - context.startedAt) - call.upstreamWait
        gateway.metrics.overhead(overhead)
        var headers = ResponseHeaders.make(call: call, context: context, contentType: "text/event-stream", overhead: overhead, cost: nil)
        headers[.cacheControl] = "no-cache"
        headers.append(contentsOf: extraHeaders)
        context.span?.endWithStream()
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
