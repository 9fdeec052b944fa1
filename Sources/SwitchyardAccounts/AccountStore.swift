/// Where keys and balances live. SQLite (embedded, default) and PostgreSQL implement it; every
/// implementation must pass `AccountStoreConformance` (SwitchyardTesting).
public protocol AccountStore: Sendable {
    /// Creates the schema if needed.
    func migrate() async throws
    func insert(_ key: VirtualKey) async throws
    func update(_ key: VirtualKey) async throws
    func key(id: String) async throws -> VirtualKey?
    func key(hash: String) async throws -> VirtualKey?
    /// Every key, newest first.
    func keys() async throws -> [VirtualKey]
    /// One page of keys, newest first (`KeyQuery`).
    func keys(_ query: KeyQuery) async throws -> [VirtualKey]
    /// Keys created or changed (edited, revoked, topped up — not charged by the ledger) at or
    /// after `time`, by this process's clock when it wrote them: how caches stay current
    /// without reading every key.
    func keys(changedSince time: Int64) async throws -> [VirtualKey]
    /// Marks the key revoked at `time`; false when there is no such key.
    func revoke(id: String, at time: Int64) async throws -> Bool
    /// Adds `amount` to the key's balance atomically and returns the new balance (a key without
    /// a balance starts from zero); nil when there is no such key.
    func addCredits(id: String, amount: Money) async throws -> Money?
    /// Appends ledger rows and, in the same transaction, takes each row's cost off its key's
    /// balance (keys without a balance are not charged). A request id already in the ledger is
    /// skipped, so a retried flush never meters twice.
    func appendLedger(_ entries: [LedgerEntry]) async throws
    /// Ledger totals grouped by day (UTC), model, key or provider, for rows created in
    /// `from..<to`, of one key when the query names it.
    func usage(_ query: UsageQuery) async throws -> [UsageTotals]
    /// Errors and latency percentiles of the window's most recent rows (`LedgerStats`).
    func ledgerStats(from: Int64, to: Int64, keyID: String?) async throws -> LedgerStats
    /// Routed requests in `from..<to` per day, router, label and alias.
    func routedUsage(from: Int64, to: Int64) async throws -> [RoutedUsage]
    /// One page of ledger rows, newest first (`LedgerQuery`).
    func ledger(_ query: LedgerQuery) async throws -> [LedgerEntry]
    /// What a key was charged in ledger rows created at or after `since`.
    func spend(keyID: String, since: Int64) async throws -> Money
    /// Deletes raw ledger rows created before `time` (`storage.ledger_retention_days`); totals
    /// a store keeps as rollups stay. Returns how many rows went.
    func purgeLedger(createdBefore time: Int64) async throws -> Int
    /// The ledger rows of one request id (for audits and tests).
    func ledgerEntries(requestID: String) async throws -> [LedgerEntry]
    /// Stores feedback on a routed request; a later verdict on the same request replaces it.
    func recordFeedback(_ feedback: RouteFeedback) async throws
    /// Every feedback row of `router`, oldest first.
    func feedback(router: String) async throws -> [RouteFeedback]
    /// How many feedback rows `router` has.
    func feedbackCount(router: String) async throws -> Int
    /// Keeps a Responses API answer (replacing one with the same id and owner).
    func saveResponse(_ response: StoredResponse) async throws
    /// The stored response `id`, only if `owner` made it.
    func response(id: String, owner: String) async throws -> StoredResponse?
    /// Deletes the stored response `id` of `owner`; false when there was none.
    func deleteResponse(id: String, owner: String) async throws -> Bool
    /// Deletes responses created before `time` (the retention); returns how many.
    func purgeResponses(createdBefore time: Int64) async throws -> Int
    /// Keeps a dashboard sign-in.
    func saveSession(_ session: DashboardSession) async throws
    /// The sign-in with this token hash, if it has not expired by `now`.
    func session(tokenHash: String, now: Int64) async throws -> DashboardSession?
    /// Ends a sign-in.
    func deleteSession(tokenHash: String) async throws
    /// Deletes sign-ins that expired before `time`; returns how many.
    func purgeSessions(expiredBefore time: Int64) async throws -> Int
}

/// A store operation that cannot work as asked (e.g. a duplicate id).
public struct AccountStoreError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The store cannot be reached right now (a networked store's server is down or did not answer
/// in time): the caller may retry; the gateway answers 503 with `retry-after`.
public struct AccountStoreUnavailable: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
