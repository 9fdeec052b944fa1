import SwitchyardCore
import SwitchyardAccounts
import SwitchyardRouting

extension Gateway {
    /// Admits a request for the caller's key: its rate limits (429), then a reservation of the
    /// most the request can cost — prompt estimate at the input price plus `max_tokens` (or a
    /// default) for each of `choices` answers at the output price of the dearest deployment it
    /// may reach, fallbacks included — against its credits (402).
    func admit(
        _ context: GatewayRequestContext, model: String, promptBytes: Int, maxTokens: Int?, choices: Int = 1, units: BilledUnits = BilledUnits(),
        fallbacks: [String] = []
    ) async throws(GatewayError) -> Admission {
        metrics.started()
        do {
            return try await reserve(
                context, model: model, promptBytes: promptBytes, maxTokens: maxTokens, choices: choices, units: units, fallbacks: fallbacks)
        } catch {
            metrics.finished()
            throw error
        }
    }

    private func reserve(
        _ context: GatewayRequestContext, model: String, promptBytes: Int, maxTokens: Int?, choices: Int, units: BilledUnits, fallbacks: [String]
    ) async throws(GatewayError) -> Admission {
        guard case .key(let key) = context.principal else { return Admission() }
        let promptTokens = TokenEstimator.estimate(byteCount: promptBytes)
        var estimate: Money?
        if key.credits != nil || key.budget != nil {
            let reachable = router.reachableDeployments(for: model, extraFallbacks: fallbacks, allows: context.principal.allows)
            // A deployment without a price would be served for free: never on a key that pays.
            if let unpriced = reachable.first(where: { $0.price == nil && !(router.group(named: $0.alias)?.allowUnpriced ?? false) }) {
                throw .unpricedModel(unpriced.alias)
            }
            let outputTokens = maxTokens ?? defaultReservedOutputTokens
            estimate = Money(nanos: reachable.compactMap(\.price).map {
                $0.reservationNanos(promptTokens: promptTokens, maxTokens: outputTokens, choices: choices, units: units)
            }.max() ?? 0)
        }
        let request = AdmissionRequest(key: key, requestID: context.requestID, estimatedTokens: promptTokens, estimate: estimate)
        return Admission(hold: try await accounting.accountant.admit(request))
    }

    /// Undoes an admission for a request that was not served.
    func release(_ admission: Admission) async {
        metrics.finished()
        await accounting.accountant.release(admission.hold)
    }
}

/// What admission holds for one request until it is metered or released.
struct Admission: Sendable {
    var hold: Hold?
}
