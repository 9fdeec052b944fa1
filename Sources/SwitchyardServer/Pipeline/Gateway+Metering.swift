import SwitchyardCore
import SwitchyardAccounts
import Foundation
import SwitchyardRouting

extension Gateway {
    /// Meters one served request, exactly once: the ledger entry (charging the key and releasing
    /// its reservation), the request log line, and the deployment's token count for `usage`.
    /// Returns the amount charged.
    @discardableResult
    func meter(
        context: GatewayRequestContext, call: UpstreamCall, admission: Admission, usage: Usage, stream: Bool, status: Int
    ) async -> Money {
        // Counts as an upstream (or the client's stream) reported them may be absurd: clamp first.
        let usage = usage.sanitized
        router.health.addTokens(call.deployment.id, usage.totalTokens)
        let latency = ContinuousClock.now - context.startedAt
        var keyID: String?
        if case .key(let key) = context.principal { keyID = key.id }
        let entry = LedgerEntry(
            requestID: context.requestID, keyID: keyID, model: call.deployment.alias, provider: call.deployment.providerName,
            upstreamModel: call.deployment.upstreamModel, route: Gateway.ledgerRoute(context.route, attempts: call.attempts),
            promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, cachedTokens: usage.cachedPromptTokens,
            reasoningTokens: usage.reasoningTokens, estimated: usage.isEstimated,
            cost: Money(nanos: call.deployment.price?.costNanos(of: usage) ?? 0), status: status,
            latencyMs: Executor.seconds(latency) * 1000, timeToFirstTokenMs: Executor.seconds(call.upstreamWait) * 1000,
            attempts: call.attempts, stream: stream, createdAt: Int64(Date().timeIntervalSince1970), unpriced: call.deployment.price == nil)
        // Durable (journaled) before the caller sends the response's final bytes.
        let charged = await accounting.record(admission.hold, entry: entry, actualTokens: usage.totalTokens)
        RequestLog.served(logger, context: context, call: call, usage: usage, cost: charged, stream: stream, status: status)
        context.span?.served(call: call, usage: usage, status: status, route: entry.route)
        metrics.finished()
        metrics.served(GatewayMetrics.Served(
            alias: call.deployment.alias, provider: call.deployment.providerName, status: status, stream: stream, usage: usage,
            costUSD: Double(entry.cost.nanos) / 1e9, latency: latency, upstreamWait: call.upstreamWait, attempts: call.attempts,
            fellBack: !call.requestedAlias.isEmpty && call.requestedAlias != call.deployment.alias, route: context.route,
            unpriced: entry.unpriced))
        return charged
    }
}

extension Gateway {
    /// Meters a request answered from the response cache: a ledger row marked `cacheHit`, with
    /// the stored answer's usage and no cost — or its full price when the alias sets
    /// `cache.charge` — and the metrics' hit and saved cost. Returns the amount charged.
    @discardableResult
    func meterCacheHit(
        context: GatewayRequestContext, admission: Admission, alias: String, answer: CachedAnswer, charge: Bool, stream: Bool, semantic: Bool
    ) async -> Money {
        let usage = (answer.response.usage ?? Usage(promptTokens: 0, completionTokens: 0)).sanitized
        let price = router.group(named: alias).flatMap { group in group.price ?? group.deployments.first?.price }
        let fullCost = Money(nanos: price?.costNanos(of: usage) ?? 0)
        let saved = charge ? Money.zero : fullCost
        let entry = LedgerEntry(
            requestID: context.requestID, keyID: context.principal.tenant, model: alias, provider: answer.provider, upstreamModel: answer.upstreamModel,
            route: Gateway.ledgerRoute(context.route, attempts: 1), promptTokens: usage.promptTokens, completionTokens: usage.completionTokens,
            cachedTokens: usage.cachedPromptTokens, reasoningTokens: usage.reasoningTokens, estimated: usage.isEstimated, cost: charge ? fullCost : .zero,
            status: 200, latencyMs: Executor.seconds(ContinuousClock.now - context.startedAt) * 1000, attempts: 0, stream: stream,
            createdAt: Int64(Date().timeIntervalSince1970), unpriced: price == nil, cacheHit: true, saved: saved)
        let charged = await accounting.record(admission.hold, entry: entry, actualTokens: usage.totalTokens)
        metrics.finished()
        metrics.cache(alias: alias, result: semantic ? "semantic" : "hit", savedUSD: Double(saved.nanos) / 1e9)
        return charged
    }

    /// A request that was admitted but not served (every attempt failed, or its answer could
    /// not be rendered): its reservation is returned and it gets a ledger row of its own —
    /// status, no tokens, no cost — so error rates and the request log see it.
    func meterFailure(context: GatewayRequestContext, admission: Admission, model: String, error: GatewayError) async {
        let entry = LedgerEntry(
            requestID: context.requestID, keyID: context.principal.tenant, model: model, provider: "-", upstreamModel: "-",
            route: Gateway.ledgerRoute(context.route, attempts: 1), promptTokens: 0, completionTokens: 0, estimated: false, cost: .zero,
            status: error.status, latencyMs: Executor.seconds(ContinuousClock.now - context.startedAt) * 1000, attempts: 1, stream: false,
            createdAt: Int64(Date().timeIntervalSince1970))
        _ = await accounting.record(admission.hold, entry: entry, actualTokens: 0)
        metrics.finished()
    }

    /// The ledger's `route`: the router's decision and, after failover, the attempts.
    static func ledgerRoute(_ decision: RouteDecision?, attempts: Int) -> String? {
        let parts = [decision?.summary, attempts > 1 ? "attempts=\(attempts)" : nil].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }
}

