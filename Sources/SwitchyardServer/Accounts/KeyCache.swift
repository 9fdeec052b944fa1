import Foundation
import Synchronization
import SwitchyardAccounts

/// Every virtual key in memory, by hash: authentication never touches the database.
/// Admin calls update it at once; `KeyCacheRefresher` reloads it so changes made by another
/// process (the CLI, another replica) arrive within seconds.
final class KeyCache: Sendable {
    private let keys = Mutex<[String: VirtualKey]>([:])
    let store: any AccountStore
    let accounting: Accounting

    init(store: any AccountStore, accounting: Accounting) {
        self.store = store
        self.accounting = accounting
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
