import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// The streamed answer: SSE headers now, then the relay pumps upstream bytes to the client and
/// the request is metered however the stream ends.
enum StreamReply {
    /// How long after the deadline a stream whose client is not reading is cut (the pump itself
    /// ends streams at the deadline when the client keeps up).
    static let deadlineGrace: Duration = .seconds(1)

    static func make<Relay: ClientStreamRelay>(
        _ call: UpstreamCall, relay: Relay, gateway: Gateway, context: GatewayRequestContext, admission: Admission, promptBytes: Int,
        contentType: String = "text/event-stream", extraHeaders: HTTPFields = [:], served: @escaping @Sendable (any ClientStreamRelay, Int) async -> Void
    ) -> Response {
        let overhead = (ContinuousClock.now - context.startedAt) - call.upstreamWait
        gateway.metrics.overhead(overhead)
        var headers = ResponseHeaders.make(call: call, context: context, contentType: contentType, overhead: overhead, cost: nil)
        headers[.cacheControl] = "no-cache"
        headers.append(contentsOf: extraHeaders)
        context.span?.endWithStream()
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            // A client that stops reading would hold the stream (and its key's parallel slot) past
            // the request's deadline: shortly after it, the connection is closed, the blocked write
            // fails, and the request is metered for what was sent.
            let cut = ConnectionDeadline(channel: context.channel, at: call.deadline + StreamReply.deadlineGrace)
            let outcome = await StreamPump.run(
                upstream: call.body, relay: relay, provider: call.deployment.providerName, silenceLimit: gateway.firstByteTimeout,
                deadline: call.deadline, writer: &writer
            ) { outcome in
                cut.cancel()
                // Whatever the upstream still had to send is not wanted now (a no-op after a complete stream).
                call.body.cancel()
                // Metered however the stream ended (a client that left is billed for what was generated),
                // and durable before the closing event reaches the client.
                let usage = outcome.relay.usage(promptBytes: promptBytes)
                let status = cut.fired ? GatewayError.upstreamTimeout(call.deployment.providerName).status : outcome.status
                await gateway.meter(context: context, call: call, admission: admission, usage: usage, stream: true, status: status)
                await served(outcome.relay, status)
            }
            if outcome.clientConnected { try await writer.finish(nil) }
        })
    }
}
