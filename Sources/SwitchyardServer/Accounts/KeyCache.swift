import Foundation
import Logging
import Synchronization
import SwitchyardAccounts
import SwitchyardRedis

/// Every virtual key in memory, by hash: authentication never touches the database.
/// Admin calls update it at once and, on a fleet, announce the change (`events`) so every other
/// replica reloads that key within moments; `KeyCacheRefresher` reads the keys changed since its
/// last look every couple of seconds (and all of them every few minutes), so changes made by the
/// CLI, or announced while a replica was cut off, arrive within seconds.
final class KeyCache: Sendable {
    /// Keys by hash (authentication) and each key's hash by id (changes, the dashboard).
    private struct Index {
        var byHash: [String: VirtualKey] = [:]
        var hashByID: [String: String] = [:]

        mutating func put(_ key: VirtualKey) {
            if let old = hashByID[key.id] { byHash[old] = nil }
            byHash[key.keyHash] = key
            hashByID[key.id] = key.keyHash
        }

        mutating func remove(id: String) {
            if let old = hashByID.removeValue(forKey: id) { byHash[old] = nil }
        }
    }

    private let keys = Mutex(Index())
    let store: any AccountStore
    let accounting: Accounting
    let events: RedisKeyEvents?
    let logger: Logger

    init(store: any AccountStore, accounting: Accounting, events: RedisKeyEvents? = nil, logger: Logger = Logger(label: "switchyard")) {
        self.store = store
        self.accounting = accounting
        self.events = events
        self.logger = logger
    }

    /// A key changed in the store through this replica: cache it here and tell the others.
    func changed(_ key: VirtualKey, _ change: RedisKeyEvents.Change = .edited) async throws {
        try await put(key)
        guard let events else { return }
        do {
            try await events.announce(keyID: key.id, change)
        } catch {
            // The periodic reload still brings the change within seconds.
            logger.warning("announcing a key change failed", metadata: ["key": "\(key.id)", "error": "\(error)"])
        }
    }

    /// Reloads one key from the store (another replica announced a change to it).
    func refresh(id: String) async throws {
        if let key = try await store.key(id: id) {
            try await put(key)
        } else {
            keys.withLock { $0.remove(id: id) }
        }
    }

    func key(hash: String) -> VirtualKey? {
        keys.withLock { $0.byHash[hash] }
    }

    func key(id: String) -> VirtualKey? {
        keys.withLock { index in index.hashByID[id].flatMap { index.byHash[$0] } }
    }

    func put(_ key: VirtualKey) async throws {
        let generation = accounting.local.generation
        keys.withLock { $0.put(key) }
        accounting.local.refresh([key], generation: generation)
        try await refreshBudget(key, generation: generation)
    }

    private func refreshBudget(_ key: VirtualKey, generation: Int) async throws {
        guard let budget = key.budget else {
            accounting.local.refreshBudget(keyID: key.id, budget: nil, storedSpend: .zero, generation: generation)
            return
        }
        let since = budget.periodStart(containing: Int64(Date().timeIntervalSince1970))
        let spend = try await store.spend(keyID: key.id, since: since)
        accounting.local.refreshBudget(keyID: key.id, budget: budget, storedSpend: spend, generation: generation)
    }

    /// Brings in the keys changed since `time` (by the CLI or another replica).
    func refreshChanged(since time: Int64) async throws {
        for key in try await store.keys(changedSince: time) { try await put(key) }
    }

    /// Keys read per store call when loading them all (each call well inside a store's deadline).
    static let reloadPage = 10_000

    /// Replaces the cache with the store's current keys, read a page at a time (newest first;
    /// a key created meanwhile is brought in by the next look for changes).
    func reload() async throws {
        let generation = accounting.local.generation
        var all: [VirtualKey] = []
        var cursor: PageCursor?
        repeat {
            let page = try await store.keys(KeyQuery(before: cursor, limit: Self.reloadPage))
            all += page
            cursor = page.count == Self.reloadPage ? page.last.map { PageCursor(createdAt: $0.createdAt, id: $0.id) } : nil
        } while cursor != nil
        var index = Index()
        for key in all where index.byHash[key.keyHash] == nil { index.put(key) }
        keys.withLock { $0 = index }
        accounting.local.refresh(all, generation: generation)
        for key in all { try await refreshBudget(key, generation: generation) }
    }
}
