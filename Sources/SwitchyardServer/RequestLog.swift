import Logging
import SwitchyardCore
import SwitchyardAccounts
import Foundation
import SwitchyardRouting

extension Gateway {
    /// Admits a request for the caller's key: its rate limits (429), then a reservation of the
    /// most the request can cost — prompt estimate at the input price plus `max_tokens` (or a
    /// default) for each of `choices` answers at the output price of the dearest deployment it
    /// may reach, fallbacks included — against its credits (402).
    func admit(
        _ context: GatewayRequestContext, model: String, promptBytes: Int, maxTokens: Int?, choices: Int = 1, fallbacks: [String] = []
    ) throws(GatewayError) -> Admission {
        metrics.started()
        do {
            return try reserve(context, model: model, promptBytes: promptBytes, maxTokens: maxTokens, choices: choices, fallbacks: fallbacks)
        } catch {
            metrics.finished()
            throw error
        }
    }

    private func reserve(
        _ context: GatewayRequestContext, model: String, promptBytes: Int, maxTokens: Int?, choices: Int, fallbacks: [String]
    ) throws(GatewayError) -> Admission {
        guard case .key(let key) = context.principal else { return Admission() }
        let promptTokens = TokenEstimator.estimate(byteCount: promptBytes)
        let ticket = try rateLimiter.admit(key, estimatedTokens: promptTokens)
        guard key.credits != nil || key.budget != nil else { return Admission(ticket: ticket) }
        let reachable = router.reachableDeployments(for: model, extraFallbacks: fallbacks, allows: context.principal.allows)
        let outputTokens = maxTokens ?? defaultReservedOutputTokens
        let estimate = reachable.compactMap(\.price).map { $0.reservationNanos(promptTokens: promptTokens, maxTokens: outputTokens, choices: choices) }.max() ?? 0
        do {
            return Admission(reservation: try accounting.reserve(context.principal, estimate: Money(nanos: estimate)), ticket: ticket)
        } catch {
            rateLimiter.finish(ticket, actualTokens: 0)
            throw error
        }
    }

    /// Undoes an admission for a request that was not served.
    func release(_ admission: Admission) {
        metrics.finished()
        accounting.release(admission.reservation)
        rateLimiter.finish(admission.ticket, actualTokens: 0)
    }

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
        rateLimiter.finish(admission.ticket, actualTokens: usage.totalTokens)
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
            attempts: call.attempts, stream: stream, createdAt: Int64(Date().timeIntervalSince1970))
        // Durable (journaled) before the caller sends the response's final bytes.
        let charged = await accounting.record(admission.reservation, entry: entry)
        RequestLog.served(logger, context: context, call: call, usage: usage, cost: charged, stream: stream, status: status)
        context.span?.served(call: call, usage: usage, status: status, route: entry.route)
        metrics.finished()
        metrics.served(GatewayMetrics.Served(
            alias: call.deployment.alias, provider: call.deployment.providerName, status: status, stream: stream, usage: usage,
            costUSD: Double(entry.cost.nanos) / 1e9, latency: latency, upstreamWait: call.upstreamWait, attempts: call.attempts,
            fellBack: !call.requestedAlias.isEmpty && call.requestedAlias != call.deployment.alias, route: context.route))
        return charged
    }
}

extension Gateway {
    /// The ledger's `route`: the router's decision and, after failover, the attempts.
    static func ledgerRoute(_ decision: RouteDecision?, attempts: Int) -> String? {
        let parts = [decision?.summary, attempts > 1 ? "attempts=\(attempts)" : nil].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
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
            "route": "\(context.route?.summary ?? "")",
            "prompt_tokens": "\(usage.promptTokens)",
            "completion_tokens": "\(usage.completionTokens)",
            "usage_estimated": "\(usage.isEstimated)",
            "cost_usd": "\(cost)",
            "latency_ms": "\(ResponseHeaders.milliseconds(latency))",
        ])
    }
}

/// What admission holds for one request until it is metered or released.
struct Admission: Sendable {
    var reservation: Accounting.Reservation?
    var ticket: RateLimiter.Ticket?
}
