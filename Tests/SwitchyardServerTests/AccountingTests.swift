import Logging
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardStoreSQLite
import Testing
@testable import SwitchyardServer

@Suite struct AccountingTests {
    func key(credits: Money?, budget: Budget?) -> VirtualKey {
        VirtualKey(id: "key_t", name: "t", keyHash: "h", keyPrefix: "p", createdAt: 0, credits: credits, budget: budget)
    }

    func request(_ key: VirtualKey, _ estimate: Money) -> AdmissionRequest {
        AdmissionRequest(key: key, requestID: "req_\(Int.random(in: 0..<1_000_000))", estimatedTokens: 1, estimate: estimate)
    }

    func entry(cost: Int64) -> LedgerEntry {
        LedgerEntry(
            requestID: "req_\(cost)_\(Int.random(in: 0..<1_000_000))", keyID: "key_t", model: "m", provider: "p", upstreamModel: "u",
            promptTokens: 1, completionTokens: 1, estimated: false, cost: Money(nanos: cost), status: 200, latencyMs: 1, attempts: 1,
            stream: false, createdAt: 0)
    }

    /// Regression: a flush between settling and the next key reload cleared the unflushed charge
    /// while the budget still held the old stored spend, so the spent money became available again.
    @Test func aFlushDoesNotGiveSpentBudgetBack() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await store.migrate()
        let capped = key(credits: nil, budget: Budget(amount: Money(nanos: 100), period: .daily))
        try await store.insert(capped)
        let accounting = Accounting(store: store, logger: Logger(label: "test"))
        let local = accounting.local
        local.refresh([capped], generation: local.generation)
        local.refreshBudget(keyID: capped.id, budget: capped.budget, storedSpend: .zero, generation: local.generation)
        let hold = try local.admitNow(request(capped, Money(nanos: 80)))
        _ = await accounting.record(hold, entry: entry(cost: 80), actualTokens: 2)
        await accounting.flush()
        #expect(throws: GatewayError.self) { try local.admitNow(request(capped, Money(nanos: 30))) }
    }

    /// A reload that read the store before a flush committed is dropped instead of double-counting.
    @Test func aRefreshThatStraddlesAFlushIsIgnored() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await store.migrate()
        let paying = key(credits: Money(nanos: 100), budget: nil)
        try await store.insert(paying)
        let accounting = Accounting(store: store, logger: Logger(label: "test"))
        let local = accounting.local
        local.refresh([paying], generation: local.generation)
        let stale = local.generation
        _ = await accounting.record(try local.admitNow(request(paying, Money(nanos: 60))), entry: entry(cost: 60), actualTokens: 2)
        await accounting.flush()
        local.refresh([paying], generation: stale)  // credits 100 read before the flush
        #expect(throws: GatewayError.self) { try local.admitNow(request(paying, Money(nanos: 50))) }
        #expect(try local.admitNow(request(paying, Money(nanos: 40))) != nil)
    }
}
