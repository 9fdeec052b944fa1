import Foundation
import Logging
import Synchronization
import SwitchyardAccounts
import SwitchyardRedis

/// Every virtual key in memory, by hash: authentication never touches the database.
/// Admin calls update it at once and, on a fleet, announce the change (`events`) so every other
/// replica reloads that key within moments; `KeyCacheRefresher` reloads them all periodically, so
/// changes made by the CLI, or announced while a replica was cut off, arrive within seconds.
final class KeyCache: Sendable {
    private let keys = Mutex<[String: VirtualKey]>([:])
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
            keys.withLock { all in all = all.filter { $0.value.id != id } }
        }
    }

    func key(hash: String) -> VirtualKey? {
        keys.withLock { $0[hash] }
    }

    func put(_ key: VirtualKey) async throws {
        let generation = accounting.local.generation
        keys.withLock { all in
            all = all.filter { $0.value.id != key.id }
            all[key.keyHash] = key
        }
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

    /// Replaces the cache with the store's current keys.
    func reload() async throws {
        let generation = accounting.local.generation
        let all = try await store.keys()
        keys.withLock { $0 = Dictionary(all.map { ($0.keyHash, $0) }, uniquingKeysWith: { first, _ in first }) }
        accounting.local.refresh(all, generation: generation)
        for key in all { try await refreshBudget(key, generation: generation) }
    }
}
