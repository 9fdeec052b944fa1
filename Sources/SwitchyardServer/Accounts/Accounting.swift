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
/// charges off the stored balance in the same transaction).
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
    }

    private let state = Mutex(State())
    let store: any AccountStore
    let logger: Logger

    init(store: any AccountStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Takes balances from freshly loaded keys (minus what is charged but not yet flushed).
    func refresh(_ keys: [VirtualKey]) {
        state.withLock { state in
            for key in keys {
                if let credits = key.credits {
                    state.balances[key.id] = credits - (state.unflushed[key.id] ?? .zero)
                } else {
                    state.balances[key.id] = nil
                }
            }
        }
    }

    /// Holds `estimate` against the key's balance; 402 when it does not fit. Keys without a
    /// balance (and the master key) are not limited and get no reservation.
    func reserve(_ principal: Principal, estimate: Money) throws(GatewayError) -> Reservation? {
        guard case .key(let key) = principal else { return nil }
        return try state.withLock { state throws(GatewayError) -> Reservation? in
            guard let balance = state.balances[key.id] else { return nil }
            let held = state.reserved[key.id] ?? .zero
            let available = balance - held
            guard available > .zero, estimate <= available else {
                throw .insufficientCredits(
                    "Insufficient credits: this request may cost up to \(estimate) USD and the key has \(max(available, .zero)) USD available.")
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
    /// queues the entry for the ledger. Returns the amount charged.
    @discardableResult
    func settle(_ reservation: Reservation?, entry: LedgerEntry) -> Money {
        state.withLock { state in
            var entry = entry
            if let reservation {
                state.reserved[reservation.keyID] = (state.reserved[reservation.keyID] ?? .zero) - reservation.amount
            }
            if let keyID = entry.keyID, let balance = state.balances[keyID] {
                let charge = min(entry.cost, max(balance, .zero))
                entry.cost = charge
                state.balances[keyID] = balance - charge
                state.unflushed[keyID] = (state.unflushed[keyID] ?? .zero) + charge
            }
            state.pending.append(entry)
            return entry.cost
        }
    }

    /// Appends queued entries to the store; on failure they stay queued for the next flush.
    func flush() async {
        let batch = state.withLock { state -> [LedgerEntry] in
            defer { state.pending.removeAll() }
            return state.pending
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.appendLedger(batch)
            state.withLock { state in
                for entry in batch {
                    if let keyID = entry.keyID, let unflushed = state.unflushed[keyID] { state.unflushed[keyID] = unflushed - entry.cost }
                }
            }
        } catch {
            logger.error("ledger flush failed; will retry", metadata: ["entries": "\(batch.count)", "error": "\(error)"])
            state.withLock { state in state.pending.insert(contentsOf: batch, at: 0) }
        }
    }

    var pendingCount: Int { state.withLock { $0.pending.count } }
}
