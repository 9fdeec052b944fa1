import Logging
import Synchronization
import SwitchyardAccounts
import SwitchyardCore

/// Metering: the hot path's `Accountant` (limits, reservations, charges) plus the ledger, written
/// behind to the store.
///
/// Each served request becomes exactly one ledger entry, queued here and appended to the store by
/// `LedgerFlusher` in batches (the store takes the charges off the stored balance in the same
/// transaction). With a `LedgerJournal`, each entry is also on disk before `record` returns, and
/// the journal is trimmed as flushes succeed.
final class Accounting: Sendable {
    private let pending = Mutex<[LedgerEntry]>([])
    let store: any AccountStore
    let logger: Logger
    let journal: LedgerJournal?
    /// Balances as this process sees them (kept from the store by `KeyCache`); the accountant
    /// itself when there is no fleet, the fail-open fallback of the Redis one otherwise.
    let local: LocalAccountant
    let accountant: any Accountant

    init(store: any AccountStore, logger: Logger, journal: LedgerJournal? = nil, local: LocalAccountant = LocalAccountant(), accountant: (any Accountant)? = nil) {
        self.store = store
        self.logger = logger
        self.journal = journal
        self.local = local
        self.accountant = accountant ?? local
    }

    /// Settles and makes the entry durable: once this returns, the row survives a crash of the
    /// process (it is in the journal, or the store when there is no journal). Returns the charge.
    func record(_ hold: Hold?, entry: LedgerEntry, actualTokens: Int) async -> Money {
        var entry = entry
        entry.cost = await accountant.settle(hold, keyID: entry.keyID, cost: entry.cost, actualTokens: actualTokens)
        pending.withLock { $0.append(entry) }
        await journal?.append(entry)
        return entry.cost
    }

    /// Appends queued entries to the store; on failure they stay queued for the next flush.
    func flush() async {
        let (batch, segment) = pending.withLock { pending -> ([LedgerEntry], Int?) in
            defer { pending.removeAll() }
            // Every entry journaled so far is in this batch (or an earlier, flushed one).
            return (pending, pending.isEmpty ? nil : journal?.rotate())
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.appendLedger(batch)
            if let segment { journal?.delete(through: segment) }
            local.flushed(batch)
        } catch {
            logger.error("ledger flush failed; will retry", metadata: ["entries": "\(batch.count)", "error": "\(error)"])
            pending.withLock { $0.insert(contentsOf: batch, at: 0) }
        }
    }

    var pendingCount: Int { pending.withLock { $0.count } }
}
