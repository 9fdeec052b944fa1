import Logging
import SwitchyardCore
import SwitchyardAccounts
import SwitchyardRouting

/// One structured log line per served request (no secrets: keys are never in these fields).
enum RequestLog {
    static func served(_ logger: Logger, context: GatewayRequestContext, call: UpstreamCall, usage: Usage, cost: Money, stream: Bool, status: Int) {
        let latency = ContinuousClock.now - context.startedAt
        logger.info("request served", metadata: [
            "request_id": "\(context.requestID)",
            "model": "\(call.deployment.alias)",
            "provider": "\(call.deployment.providerName)",
            "upstream_model": "\(call.deployment.upstreamModel)",
            "status": "\(status)",
            "stream": "\(stream)",
            "attempts": "\(call.attempts)",
            "route": "\(context.route?.summary ?? "")",
            "prompt_tokens": "\(usage.promptTokens)",
            "completion_tokens": "\(usage.completionTokens)",
            "usage_estimated": "\(usage.isEstimated)",
            "cost_usd": "\(cost)",
            "latency_ms": "\(ResponseHeaders.milliseconds(latency))",
        ])
    }
}
