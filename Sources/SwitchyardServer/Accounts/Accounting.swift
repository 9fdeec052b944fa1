import Logging
import Synchronization
import SwitchyardAccounts
import SwitchyardCore

/// Credits and metering in memory, written behind to the store.
///
/// Admission reserves an estimated cost against a key's balance; settling releases the
/// reservation and charges the actual cost in one step under one lock, so concurrent requests
/// can never spend beyond the balance. Each served request becomes exactly one ledger entry,
/// queued here and appended to the store by `LedgerFlusher` in batches (the store takes the
/// charges off the stored balance in the same transaction). With a `LedgerJournal`, each entry
/// is also on disk before `record` returns, and the journal is trimmed as flushes succeed.
final class Accounting: Sendable {
    /// Money held for one admitted request.
    struct Reservation: Sendable {
        let keyID: String
        let amount: Money
    }

    private struct State {
        /// What the gateway believes each limited key has: stored balance minus unflushed charges.
        var balances: [String: Money] = [:]
        var reserved: [String: Money] = [:]
        var pending: [LedgerEntry] = []
        var unflushed: [String: Money] = [:]
        /// Budget keys: their cap and what the store had charged in the current period.
        var budgets: [String: (budget: Budget, storedSpend: Money)] = [:]
        /// Bumped by every successful flush. A refresh that read the store across a flush is
        /// dropped (the next one applies): its figures and `unflushed` would not match.
        var flushGeneration = 0
    }

    private let state = Mutex(State())
    let store: any AccountStore
    let logger: Logger
    let journal: LedgerJournal?

    init(store: any AccountStore, logger: Logger, journal: LedgerJournal? = nil) {
        self.store = store
        self.logger = logger
        self.journal = journal
    }

    /// Settles and makes the entry durable: once this returns, the row survives a crash of the
    /// process (it is in the journal, or the store when there is no journal). Returns the charge.
    func record(_ reservation: Reservation?, entry: LedgerEntry) async -> Money {
        let settled = settle(reservation, entry: entry)
        await journal?.append(settled)
        return settled.cost
    }

    /// The flush generation to pass to `refresh` and `refreshBudget`; read it before reading the store.
    var generation: Int { state.withLock { $0.flushGeneration } }

    /// Takes balances from freshly loaded keys (minus what is charged but not yet flushed).
    func refresh(_ keys: [VirtualKey], generation: Int) {
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
    func refreshBudget(keyID: String, budget: Budget?, storedSpend: Money, generation: Int) {
        state.withLock { state in
            guard state.flushGeneration == generation else { return }
            state.budgets[keyID] = budget.map { ($0, storedSpend) }
        }
    }

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

    /// Holds `estimate` against the key's balance and budget; 402 when it does not fit. Keys
    /// without either (and the master key) are not limited and get no reservation.
    func reserve(_ principal: Principal, estimate: Money) throws(GatewayError) -> Reservation? {
        guard case .key(let key) = principal else { return nil }
        let estimate = max(estimate, .zero)
        return try state.withLock { state throws(GatewayError) -> Reservation? in
            guard let headroom = Accounting.headroom(key.id, state) else { return nil }
            let held = state.reserved[key.id] ?? .zero
            let available = headroom - held
            guard available > .zero, estimate <= available else {
                let what = state.budgets[key.id] != nil && (state.balances[key.id].map { $0 > headroom } ?? true) ? "budget" : "credits"
                throw .insufficientCredits(
                    "Insufficient \(what): this request may cost up to \(estimate) USD and the key has \(max(available, .zero)) USD available.")
            }
            state.reserved[key.id] = held + estimate
            return Reservation(keyID: key.id, amount: estimate)
        }
    }

    /// Releases a reservation of a request that was not served.
    func release(_ reservation: Reservation?) {
        guard let reservation else { return }
        state.withLock { state in state.reserved[reservation.keyID] = (state.reserved[reservation.keyID] ?? .zero) - reservation.amount }
    }

    /// Releases the reservation and charges the entry's cost (never more than the balance), and
    /// queues the entry for the ledger. Returns the entry as queued (its cost is the charge).
    @discardableResult
    func settle(_ reservation: Reservation?, entry: LedgerEntry) -> LedgerEntry {
        state.withLock { state in
            var entry = entry
            // No usage an upstream reports can credit a key.
            entry.cost = max(entry.cost, .zero)
            if let reservation {
                state.reserved[reservation.keyID] = (state.reserved[reservation.keyID] ?? .zero) - reservation.amount
            }
            if let keyID = entry.keyID, let headroom = Accounting.headroom(keyID, state) {
                let charge = min(entry.cost, max(headroom, .zero))
                entry.cost = charge
                if let balance = state.balances[keyID] { state.balances[keyID] = balance - charge }
                state.unflushed[keyID] = (state.unflushed[keyID] ?? .zero) + charge
            }
            state.pending.append(entry)
            return entry
        }
    }

    /// Appends queued entries to the store; on failure they stay queued for the next flush.
    func flush() async {
        let (batch, segment) = state.withLock { state -> ([LedgerEntry], Int?) in
            defer { state.pending.removeAll() }
            // Every entry journaled so far is in this batch (or an earlier, flushed one).
            return (state.pending, state.pending.isEmpty ? nil : journal?.rotate())
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.appendLedger(batch)
            if let segment { journal?.delete(through: segment) }
            state.withLock { state in
                for entry in batch {
                    guard let keyID = entry.keyID else { continue }
                    if let unflushed = state.unflushed[keyID] { state.unflushed[keyID] = unflushed - entry.cost }
                    // Now in the store's spend: keep the budget's view whole until the next refresh.
                    if let tracked = state.budgets[keyID] { state.budgets[keyID] = (tracked.budget, tracked.storedSpend + entry.cost) }
                }
                state.flushGeneration += 1
            }
        } catch {
            logger.error("ledger flush failed; will retry", metadata: ["entries": "\(batch.count)", "error": "\(error)"])
            state.withLock { state in state.pending.insert(contentsOf: batch, at: 0) }
        }
    }

    var pendingCount: Int { state.withLock { $0.pending.count } }
}
