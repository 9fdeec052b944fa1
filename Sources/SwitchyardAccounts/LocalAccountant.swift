import Synchronization
import SwitchyardCore

/// Limits, credits and budgets in this process's memory: exact for one replica (a fleet uses
/// the Redis accountant, which falls back to this one under `redis_fail_open`).
///
/// Balances come from the store (`refresh`) minus what was charged here and not yet flushed to
/// it; a reservation and the settling charge happen under one lock, so concurrent requests can
/// never spend beyond the balance.
package final class LocalAccountant: Accountant {
    private struct State {
        /// What this process believes each limited key has: stored balance minus unflushed charges.
        var balances: [String: Money] = [:]
        var reserved: [String: Money] = [:]
        var unflushed: [String: Money] = [:]
        /// Budget keys: their cap and what the store had charged in the current period.
        var budgets: [String: (budget: Budget, storedSpend: Money)] = [:]
        /// Bumped by every successful flush. A refresh that read the store across a flush is
        /// dropped (the next one applies): its figures and `unflushed` would not match.
        var flushGeneration = 0
    }

    private let state = Mutex(State())
    let limiter: RateLimiter

    package init(limiter: RateLimiter = RateLimiter()) {
        self.limiter = limiter
    }

    package func admit(_ request: AdmissionRequest) async throws(GatewayError) -> Hold? {
        try admitNow(request)
    }

    package func settle(_ hold: Hold?, keyID: String?, cost: Money, actualTokens: Int) async -> Money {
        settleNow(hold, keyID: keyID, cost: cost, actualTokens: actualTokens)
    }

    package func release(_ hold: Hold?) async {
        releaseNow(hold)
    }

    /// `admit` without suspending.
    package func admitNow(_ request: AdmissionRequest) throws(GatewayError) -> Hold? {
        guard request.isLimited else { return nil }
        let key = request.key
        let ticket = try limiter.admit(key, estimatedTokens: request.estimatedTokens)
        var hold = Hold(
            keyID: key.id, requestID: request.requestID, amount: .zero, estimatedTokens: request.estimatedTokens,
            countsParallel: ticket?.countsParallel ?? false, tpm: key.tpm != nil, place: .local)
        guard let estimate = request.estimate else { return hold }
        do {
            hold.amount = try reserve(keyID: key.id, estimate: max(estimate, .zero))
        } catch {
            limiter.finish(ticket, actualTokens: 0)
            throw error
        }
        return hold
    }

    /// `settle` without suspending.
    package func settleNow(_ hold: Hold?, keyID: String?, cost: Money, actualTokens: Int) -> Money {
        if let hold { limiter.finish(Self.ticket(hold), actualTokens: actualTokens) }
        return state.withLock { state in
            // No usage an upstream reports can credit a key.
            var charge = max(cost, .zero)
            if let hold { state.reserved[hold.keyID] = (state.reserved[hold.keyID] ?? .zero) - hold.amount }
            if let keyID, let headroom = Self.headroom(keyID, state) {
                charge = min(charge, max(headroom, .zero))
                if let balance = state.balances[keyID] { state.balances[keyID] = balance - charge }
                state.unflushed[keyID] = (state.unflushed[keyID] ?? .zero) + charge
            }
            return charge
        }
    }

    /// `release` without suspending.
    package func releaseNow(_ hold: Hold?) {
        guard let hold else { return }
        limiter.finish(Self.ticket(hold), actualTokens: 0)
        state.withLock { state in state.reserved[hold.keyID] = (state.reserved[hold.keyID] ?? .zero) - hold.amount }
    }

    private static func ticket(_ hold: Hold) -> RateLimiter.Ticket {
        RateLimiter.Ticket(keyID: hold.keyID, estimatedTokens: hold.estimatedTokens, countsParallel: hold.countsParallel)
    }

    // MARK: - Balances from the store

    /// The flush generation to pass to `refresh` and `refreshBudget`; read it before reading the store.
    package var generation: Int { state.withLock { $0.flushGeneration } }

    /// Takes balances from freshly loaded keys (minus what is charged but not yet flushed).
    package func refresh(_ keys: [VirtualKey], generation: Int) {
        state.withLock { state in
            guard state.flushGeneration == generation else { return }
            for key in keys {
                if let credits = key.credits {
                    state.balances[key.id] = credits - (state.unflushed[key.id] ?? .zero)
                } else {
                    state.balances[key.id] = nil
                }
            }
        }
    }

    /// Takes a budget key's spend in its current period, as the store has it.
    package func refreshBudget(keyID: String, budget: Budget?, storedSpend: Money, generation: Int) {
        state.withLock { state in
            guard state.flushGeneration == generation else { return }
            state.budgets[keyID] = budget.map { ($0, storedSpend) }
        }
    }

    /// Ledger rows are now in the store (their charges are in its balances and spend).
    package func flushed(_ entries: [LedgerEntry]) {
        state.withLock { state in
            for entry in entries {
                guard let keyID = entry.keyID else { continue }
                if let unflushed = state.unflushed[keyID] { state.unflushed[keyID] = unflushed - entry.cost }
                // Now in the store's spend: keep the budget's view whole until the next refresh.
                if let tracked = state.budgets[keyID] { state.budgets[keyID] = (tracked.budget, tracked.storedSpend + entry.cost) }
            }
            state.flushGeneration += 1
        }
    }

    /// What this process charged `keyID` that the store does not have yet.
    package func unflushed(keyID: String) -> Money {
        state.withLock { $0.unflushed[keyID] ?? .zero }
    }

    // MARK: - Reservations

    /// What the key may still spend: the smaller of balance and budget headroom (nil = unlimited).
    private static func headroom(_ keyID: String, _ state: State) -> Money? {
        let balance = state.balances[keyID]
        let budgetLeft = state.budgets[keyID].map { $0.budget.amount - $0.storedSpend - (state.unflushed[keyID] ?? .zero) }
        switch (balance, budgetLeft) {
        case (nil, nil): return nil
        case (let balance?, nil): return balance
        case (nil, let left?): return left
        case (let balance?, let left?): return min(balance, left)
        }
    }

    private func reserve(keyID: String, estimate: Money) throws(GatewayError) -> Money {
        try state.withLock { state throws(GatewayError) -> Money in
            guard let headroom = Self.headroom(keyID, state) else { return .zero }
            let held = state.reserved[keyID] ?? .zero
            let available = headroom - held
            guard available > .zero, estimate <= available else {
                let what = state.budgets[keyID] != nil && (state.balances[keyID].map { $0 > headroom } ?? true) ? "budget" : "credits"
                throw Self.refusal(what: what, estimate: estimate, available: available)
            }
            state.reserved[keyID] = held + estimate
            return estimate
        }
    }

    /// The 402 of a request that does not fit (shared with the Redis accountant's wording).
    package static func refusal(what: String, estimate: Money, available: Money) -> GatewayError {
        .insufficientCredits(
            "Insufficient \(what): this request may cost up to \(estimate) USD and the key has \(max(available, .zero)) USD available.")
    }
}
