import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardRouting

/// `GET /admin/models`: every deployment with its live state (healthy / cooling / open),
/// latency and time-to-first-byte EWMAs, requests in flight and recent error rate.
struct AdminModelsRoute: Sendable {
    let router: ModelRouter

    func handle() -> Response {
        let deployments = router.allDeployments
        let stats = router.health.snapshot(deployments.map(\.id))
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("object"); writer.string("list")
        writer.key("data"); writer.beginArray()
        for deployment in deployments {
            let entry = stats[deployment.id]
            writer.beginObject()
            writer.key("id"); writer.string(deployment.id)
            writer.key("model"); writer.string(deployment.alias)
            writer.key("provider"); writer.string(deployment.providerName)
            writer.key("upstream_model"); writer.string(deployment.upstreamModel)
            writer.key("weight"); writer.double(deployment.weight)
            writer.key("state"); writer.string(Self.state(entry?.breaker.state ?? .closed))
            writer.key("latency_ms"); Self.milliseconds(entry?.latency.value, into: &writer)
            writer.key("time_to_first_byte_ms"); Self.milliseconds(entry?.timeToFirstByte.value, into: &writer)
            writer.key("in_flight"); writer.int(entry?.inFlight ?? 0)
            writer.key("error_rate"); writer.double(entry?.errorRate ?? 0)
            writer.key("requests_this_minute"); writer.int(entry?.requestsThisMinute ?? 0)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }

    static func state(_ breaker: CircuitBreaker.State) -> String {
        switch breaker {
        case .closed: "healthy"
        case .halfOpen: "cooling"
        case .open: "open"
        }
    }

    static func milliseconds(_ seconds: Double?, into writer: inout JSONWriter) {
        if let seconds { writer.double((seconds * 1_000_000).rounded() / 1000) } else { writer.null() }
    }
}
