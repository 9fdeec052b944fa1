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
        accounting.refresh([capped], generation: accounting.generation)
        accounting.refreshBudget(keyID: capped.id, budget: capped.budget, storedSpend: .zero, generation: accounting.generation)
        let reservation = try accounting.reserve(.key(capped), estimate: Money(nanos: 80))
        accounting.settle(reservation, entry: entry(cost: 80))
        await accounting.flush()
        #expect(throws: GatewayError.self) { try accounting.reserve(.key(capped), estimate: Money(nanos: 30)) }
    }

    /// A reload that read the store before a flush committed is dropped instead of double-counting.
    @Test func aRefreshThatStraddlesAFlushIsIgnored() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await store.migrate()
        let paying = key(credits: Money(nanos: 100), budget: nil)
        try await store.insert(paying)
        let accounting = Accounting(store: store, logger: Logger(label: "test"))
        accounting.refresh([paying], generation: accounting.generation)
        let stale = accounting.generation
        accounting.settle(try accounting.reserve(.key(paying), estimate: Money(nanos: 60)), entry: entry(cost: 60))
        await accounting.flush()
        accounting.refresh([paying], generation: stale)  // credits 100 read before the flush
        #expect(throws: GatewayError.self) { try accounting.reserve(.key(paying), estimate: Money(nanos: 50)) }
        #expect(try accounting.reserve(.key(paying), estimate: Money(nanos: 40)) != nil)
    }
}
