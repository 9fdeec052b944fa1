import SwitchyardCore
import SwitchyardAccounts
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
}

/// What admission holds for one request until it is metered or released.
struct Admission: Sendable {
    var reservation: Accounting.Reservation?
    var ticket: RateLimiter.Ticket?
}
