import Foundation
import PostgresNIO
import SwitchyardAccounts
import SwitchyardTesting
import Testing
@testable import SwitchyardStorePostgres

/// The PostgreSQL store against a real server (a throwaway one, shared by the suite's tests).
@Suite(.enabled(if: PostgresServerProcess.isAvailable, "needs PostgreSQL (scripts/test.sh installs it)"))
struct PostgresAccountStoreTests {
    static func freshStore() async throws -> PostgresAccountStore {
        try PostgresAccountStore(url: try await PostgresServerProcess.freshDatabase())
    }

    @Test func passesTheAccountStoreConformanceSuite() async throws {
        try await AccountStoreConformance.run { try await Self.freshStore() }
    }

    @Test func replicasMigratingTogetherAreSafe() async throws {
        let url = try await PostgresServerProcess.freshDatabase()
        let stores = try (0..<4).map { _ in try PostgresAccountStore(url: url) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores { group.addTask { try await store.migrate() } }
            try await group.waitForAll()
        }
        try await stores[0].insert(AccountantConformance.key("migrated"))
        #expect(try await stores[3].keys().count == 1)
    }

    @Test func usageReadsRollupsForWholeHoursAndTheLedgerAtTheEdges() async throws {
        let store = try await Self.freshStore()
        try await store.migrate()
        let key = AccountantConformance.key("usage", credits: Money(nanos: 1_000_000_000))
        try await store.insert(key)
        // 10:30, 11:00, 11:59, 12:15 of one day (hour boundaries at 3600 s).
        let base: Int64 = 1_800_000_000 / 3600 * 3600
        let times = [base + 1800, base + 3600, base + 7199, base + 7200 + 900]
        let entries = times.enumerated().map { index, time in
            LedgerEntry(
                requestID: "req_\(index)", keyID: key.id, model: index % 2 == 0 ? "mini" : "big", provider: "openai", upstreamModel: "u",
                promptTokens: 10, completionTokens: 5, estimated: false, cost: Money(nanos: 100), status: 200, latencyMs: 1, attempts: 1,
                stream: false, createdAt: time)
        }
        try await store.appendLedger(entries)
        try await store.appendLedger(entries)  // replayed: nothing twice
        for (from, to, expected) in [(base + 1800, base + 7200, 3), (base + 1801, base + 7200 + 901, 3), (base, base + 10_800, 4), (base + 3601, base + 7199, 0)] {
            let total = try await store.usage(groupBy: .key, from: from, to: to).map(\.requests).reduce(0, +)
            #expect(total == expected, "\(from - base)..<\(to - base)")
        }
        let byModel = try await store.usage(groupBy: .model, from: nil, to: nil)
        #expect(byModel.map(\.group) == ["big", "mini"] && byModel.map(\.requests) == [2, 2])
        #expect(try await store.spend(keyID: key.id, since: base + 1801) == Money(nanos: 300))
        #expect(try await store.key(id: key.id)?.credits == Money(nanos: 1_000_000_000 - 400))

        // Retention drops raw rows; the rollups keep the totals of whole hours.
        #expect(try await store.purgeLedger(createdBefore: base + 7200 + 900) == 3)
        #expect(try await store.ledgerEntries(requestID: "req_0").isEmpty)
        #expect(try await store.usage(groupBy: .key, from: base, to: base + 10_800).first?.requests == 4)
    }

    @Test func parsesItsURL() throws {
        let configuration = try PostgresAccountStore.configuration(url: "postgres://sy:p%40ss@db.internal:6543/books?sslmode=require")
        #expect(configuration.host == "db.internal" && configuration.port == 6543)
        #expect(configuration.username == "sy" && configuration.password == "p@ss" && configuration.database == "books")
        #expect(throws: AccountStoreError.self) { try PostgresAccountStore.configuration(url: "mysql://x") }
    }
}
