import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardRouting

/// The non-streaming answer: read the upstream body, meter it, forward it with the gateway headers.
enum BufferedReply {
    static func make(
        _ call: UpstreamCall, gateway: Gateway, context: GatewayRequestContext, admission: Admission,
        usage: ([UInt8]) -> Usage
    ) async -> Response {
        // The executor's attempt already read the whole body (so failures mid-body were retried).
        let upstreamBody = (try? await call.body.next()) ?? ByteBuffer()
        let metered = usage(Array(upstreamBody.readableBytesView))
        let overhead = (ContinuousClock.now - context.startedAt) - call.upstreamWait
        let cost = gateway.meter(context: context, call: call, admission: admission, usage: metered, stream: false, status: 200)
        return Response(
            status: .ok,
            headers: ResponseHeaders.make(call: call, contentType: "application/json", overhead: overhead, cost: cost),
            body: ResponseBody(byteBuffer: upstreamBody))
    }
}
