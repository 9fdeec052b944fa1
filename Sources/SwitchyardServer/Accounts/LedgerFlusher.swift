import ServiceLifecycle

/// Writes the ledger behind the hot path: flushes queued entries every `interval`, and once more
/// after graceful shutdown began (the server has drained by then: it stops before this Service).
struct LedgerFlusher: Service {
    let accounting: Accounting
    let interval: Duration

    func run() async throws {
        await Periodic.run(every: interval) { await accounting.flush() }
        // Final flushes: whatever the drained requests settled.
        for _ in 0..<3 where accounting.pendingCount > 0 { await accounting.flush() }
    }
}
