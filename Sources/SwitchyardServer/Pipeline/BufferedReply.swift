import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardRouting

/// The non-streaming answer: meter it, then send it with the gateway headers.
enum BufferedReply {
    static func make(
        _ call: UpstreamCall, gateway: Gateway, context: GatewayRequestContext, admission: Admission, reply: RenderedReply,
        served: () async -> Void
    ) async -> Response {
        let overhead = (ContinuousClock.now - context.startedAt) - call.upstreamWait
        gateway.metrics.overhead(overhead)
        let cost = await gateway.meter(context: context, call: call, admission: admission, usage: reply.usage, stream: false, status: 200)
        await served()
        return Response(
            status: .ok,
            headers: ResponseHeaders.make(call: call, context: context, contentType: reply.contentType, overhead: overhead, cost: cost),
            body: ResponseBody(byteBuffer: reply.body))
    }
}
