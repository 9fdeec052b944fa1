import Logging
import SwitchyardCore
import SwitchyardRouting

extension Gateway {
    /// Meters one served request, exactly once: the request log line, and the deployment's
    /// token count for the `usage` strategy.
    func meter(context: GatewayRequestContext, call: UpstreamCall, usage: Usage, cost: Double?, stream: Bool, status: Int) {
        router.health.addTokens(call.deployment.id, usage.totalTokens)
        RequestLog.served(logger, context: context, call: call, usage: usage, cost: cost, stream: stream, status: status)
    }
}

/// One structured log line per served request (no secrets: keys are never in these fields).
enum RequestLog {
    static func served(_ logger: Logger, context: GatewayRequestContext, call: UpstreamCall, usage: Usage, cost: Double?, stream: Bool, status: Int) {
        let latency = ContinuousClock.now - context.startedAt
        logger.info("request served", metadata: [
            "request_id": "\(context.requestID)",
            "model": "\(call.deployment.alias)",
            "provider": "\(call.deployment.providerName)",
            "upstream_model": "\(call.deployment.upstreamModel)",
            "status": "\(status)",
            "stream": "\(stream)",
            "attempts": "\(call.attempts)",
            "prompt_tokens": "\(usage.promptTokens)",
            "completion_tokens": "\(usage.completionTokens)",
            "usage_estimated": "\(usage.isEstimated)",
            "cost_usd": "\(cost.map(ResponseHeaders.formatUSD) ?? "unknown")",
            "latency_ms": "\(ResponseHeaders.milliseconds(latency))",
        ])
    }
}
