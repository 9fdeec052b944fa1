import Logging
import Synchronization
import SwitchyardAccounts
import SwitchyardCore

/// Metering: the hot path's `Accountant` (limits, reservations, charges) plus the ledger, written
/// behind to the store.
///
/// Each served request becomes exactly one ledger entry, queued here and appended to the store by
/// `LedgerFlusher` in batches (the store takes the charges off the stored balance in the same
/// transaction). With a `LedgerJournal`, each entry is also written there before `record` returns
/// (it survives a crash of the process; the journal's syncer puts it on disk within milliseconds),
/// and the journal is trimmed as flushes succeed.
final class Accounting: Sendable {
    private struct Queue {
        var pending: [LedgerEntry] = []
        /// The batch a flush is writing (neither queued nor, until it commits, in the store).
        var flushing: [LedgerEntry] = []
    }

    private let queue = Mutex(Queue())
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
        queue.withLock { $0.pending.append(entry) }
        journal?.append(entry)
        return entry.cost
    }

    /// Appends queued entries to the store; on failure they stay queued for the next flush.
    func flush() async {
        let (batch, segment) = queue.withLock { queue -> ([LedgerEntry], Int?) in
            defer {
                queue.flushing = queue.pending
                queue.pending.removeAll()
            }
            // Every entry journaled so far is in this batch (or an earlier, flushed one).
            return (queue.pending, queue.pending.isEmpty ? nil : journal?.rotate())
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.appendLedger(batch)
            if let segment { journal?.delete(through: segment) }
            local.flushed(batch)
            queue.withLock { $0.flushing.removeAll() }
        } catch {
            // The store is unreachable (or refused): the rows stay queued here and in the journal
            // (written, synced by its thread) and go in with a later flush — each once, by request id.
            logger.error("ledger flush failed; will retry", metadata: ["entries": "\(batch.count)", "error": "\(error)"])
            queue.withLock { queue in
                queue.pending.insert(contentsOf: batch, at: 0)
                queue.flushing.removeAll()
            }
        }
    }

    var pendingCount: Int { queue.withLock { $0.pending.count } }

    /// What this replica charged `keyID` that the store may not have yet (queued or being flushed).
    func unflushedCharges(keyID: String) -> Money {
        queue.withLock { queue in
            (queue.pending + queue.flushing).filter { $0.keyID == keyID }.map(\.cost).reduce(.zero, +)
        }
    }
}
