import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardRouting

/// The non-streaming answer: read the upstream body, meter it, and send it (as it came, or
/// translated into the client's format) with the gateway headers.
enum BufferedReply {
    /// Forwards the upstream body unchanged (same-format fast path).
    static func passthrough(
        _ call: UpstreamCall, gateway: Gateway, context: GatewayRequestContext, admission: Admission, usage: ([UInt8]) -> Usage
    ) async -> Response {
        // The executor's attempt already read the whole body (so failures mid-body were retried).
        let upstreamBody = (try? await call.body.next()) ?? ByteBuffer()
        let metered = usage(Array(upstreamBody.readableBytesView))
        return await reply(call, gateway: gateway, context: context, admission: admission, body: upstreamBody, usage: metered)
    }

    /// Decodes the upstream body and renders it in the client's format.
    static func translated(
        _ call: UpstreamCall, gateway: Gateway, context: GatewayRequestContext, admission: Admission,
        render: ([UInt8]) throws(GatewayError) -> (body: [UInt8], usage: Usage)
    ) async throws(GatewayError) -> Response {
        let upstreamBody = (try? await call.body.next()) ?? ByteBuffer()
        let rendered: (body: [UInt8], usage: Usage)
        do {
            rendered = try render(Array(upstreamBody.readableBytesView))
        } catch {
            gateway.release(admission)
            throw error
        }
        return await reply(call, gateway: gateway, context: context, admission: admission, body: ByteBuffer(bytes: rendered.body), usage: rendered.usage)
    }

    private static func reply(
        _ call: UpstreamCall, gateway: Gateway, context: GatewayRequestContext, admission: Admission, body: ByteBuffer, usage: Usage
    ) async -> Response {
        let overhead = (ContinuousClock.now - context.startedAt) - call.upstreamWait
        gateway.metrics.overhead(overhead)
        let cost = await gateway.meter(context: context, call: call, admission: admission, usage: usage, stream: false, status: 200)
        return Response(
            status: .ok,
            headers: ResponseHeaders.make(call: call, context: context, contentType: "application/json", overhead: overhead, cost: cost),
            body: ResponseBody(byteBuffer: body))
    }
}
