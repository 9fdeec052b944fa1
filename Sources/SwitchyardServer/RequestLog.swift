import Logging
import SwitchyardCore
import SwitchyardAccounts
import Foundation
import SwitchyardRouting

extension Gateway {
    /// Reserves the most this request can cost (prompt estimate at the input price plus
    /// `max_tokens`, or a default, at the output price of the dearest candidate) against the key.
    func reserve(_ context: GatewayRequestContext, model: String, promptBytes: Int, maxTokens: Int?) throws(GatewayError) -> Accounting.Reservation? {
        guard case .key(let key) = context.principal, key.credits != nil else { return nil }
        let prices = router.group(named: model)?.deployments.compactMap(\.price) ?? []
        let estimate = prices.map {
            $0.reservationNanos(promptTokens: TokenEstimator.estimate(byteCount: promptBytes), maxTokens: maxTokens ?? defaultReservedOutputTokens)
        }.max() ?? 0
        return try accounting.reserve(context.principal, estimate: Money(nanos: estimate))
    }

    /// Meters one served request, exactly once: the ledger entry (charging the key and releasing
    /// its reservation), the request log line, and the deployment's token count for `usage`.
    /// Returns the amount charged.
    @discardableResult
    func meter(
        context: GatewayRequestContext, call: UpstreamCall, reservation: Accounting.Reservation?, usage: Usage, stream: Bool, status: Int
    ) -> Money {
        router.health.addTokens(call.deployment.id, usage.totalTokens)
        let latency = ContinuousClock.now - context.startedAt
        var keyID: String?
        if case .key(let key) = context.principal { keyID = key.id }
        let entry = LedgerEntry(
            requestID: context.requestID, keyID: keyID, model: call.deployment.alias, provider: call.deployment.providerName,
            upstreamModel: call.deployment.upstreamModel, route: call.attempts > 1 ? "attempts=\(call.attempts)" : nil,
            promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, cachedTokens: usage.cachedPromptTokens,
            reasoningTokens: usage.reasoningTokens, estimated: usage.isEstimated,
            cost: Money(nanos: call.deployment.price?.costNanos(of: usage) ?? 0), status: status,
            latencyMs: Executor.seconds(latency) * 1000, timeToFirstTokenMs: Executor.seconds(call.upstreamWait) * 1000,
            attempts: call.attempts, stream: stream, createdAt: Int64(Date().timeIntervalSince1970))
        let charged = accounting.settle(reservation, entry: entry)
        RequestLog.served(logger, context: context, call: call, usage: usage, cost: charged, stream: stream, status: status)
        return charged
    }
}

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
            "prompt_tokens": "\(usage.promptTokens)",
            "completion_tokens": "\(usage.completionTokens)",
            "usage_estimated": "\(usage.isEstimated)",
            "cost_usd": "\(cost)",
            "latency_ms": "\(ResponseHeaders.milliseconds(latency))",
        ])
    }
}
