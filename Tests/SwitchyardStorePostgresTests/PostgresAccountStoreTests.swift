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

    /// Errors in the SQL reach the caller as they are and keep the connection; errors about the
    /// server (raised here on purpose, with the SQLSTATEs of a shutdown and of too many clients)
    /// read as an outage; inside a transaction the first failure counts, not postgres-nio's wrapper.
    @Test func tellsTheSQLsErrorsFromTheServers() async throws {
        let store = try await Self.freshStore()
        try await store.migrate()
        let connector = store.connector
        await #expect(throws: PSQLError.self) { _ = try await connector.query("SELECT * FROM no_such_table") }
        for state in ["57P01", "53300", "08006"] {
            let raise = PostgresQuery(unsafeSQL: "DO $$ BEGIN RAISE EXCEPTION 'down' USING ERRCODE = '\(state)'; END $$")
            await #expect(throws: AccountStoreUnavailable.self) { _ = try await connector.query(raise) }
        }
        await #expect(throws: AccountStoreError.self) {
            try await connector.transaction { _ in throw AccountStoreError("refused") }
        }
        let logger = store.logger
        await #expect(throws: PSQLError.self) {
            try await connector.transaction { connection in _ = try await connection.query("SELECT * FROM no_such_table", logger: logger) }
        }
        #expect(try await store.keys().isEmpty)
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

/// Which rows a usage range reads from where (no database needed).
@Suite struct UsageRangeSplitTests {
    static let day: Int64 = 1_800_000_000 / 86_400 * 86_400

    @Test func wholeDaysComeFromDailyRollupsAndEdgesFromHoursThenRawRows() {
        let split = UsageRangeSplit(from: Self.day - 3600 - 10, to: Self.day + 2 * 86_400 + 7200 + 5)
        #expect(split.days == Self.day..<(Self.day + 2 * 86_400))
        #expect(split.hours == [(Self.day - 3600)..<Self.day, (Self.day + 2 * 86_400)..<(Self.day + 2 * 86_400 + 7200)])
        #expect(split.raw == [(Self.day - 3600 - 10)..<(Self.day - 3600), (Self.day + 2 * 86_400 + 7200)..<(Self.day + 2 * 86_400 + 7200 + 5)])
    }

    @Test func anOpenEndReadsRollupsToTheEnd() {
        let split = UsageRangeSplit(from: Self.day + 100, to: nil)
        #expect(split.raw == [(Self.day + 100)..<(Self.day + 3600)])
        #expect(split.hours == [(Self.day + 3600)..<(Self.day + 86_400)])
        #expect(split.days == (Self.day + 86_400)..<UsageRangeSplit.latest)
        #expect(UsageRangeSplit(from: nil, to: nil) == UsageRangeSplit(from: 0, to: nil))
        #expect(UsageRangeSplit(from: nil, to: nil).days == 0..<UsageRangeSplit.latest && UsageRangeSplit(from: nil, to: nil).raw.isEmpty)
    }

    @Test func rangesWithinAnHourOrADayAndBackwardsOrAbsurdOnes() {
        #expect(UsageRangeSplit(from: Self.day + 10, to: Self.day + 20) == UsageRangeSplit(days: 0..<0, hours: [], raw: [(Self.day + 10)..<(Self.day + 20)]))
        let withinDay = UsageRangeSplit(from: Self.day + 10, to: Self.day + 7300)
        #expect(withinDay.days.isEmpty && withinDay.hours == [(Self.day + 3600)..<(Self.day + 7200)])
        let backwards = UsageRangeSplit(from: Self.day, to: Self.day - 100)
        #expect(backwards.days.isEmpty && backwards.hours.isEmpty && backwards.raw.isEmpty)
        let absurd = UsageRangeSplit(from: .min, to: .max)
        #expect(absurd.days == 0..<UsageRangeSplit.latest)
    }

    @Test func dayLabelsMatchTheCalendar() {
        #expect(PostgresAccountStore.label(String(Self.day), .day) == "2027-01-15")
        #expect(PostgresAccountStore.label("0", .day) == "1970-01-01")
        #expect(PostgresAccountStore.label(String(951_782_400), .day) == "2000-02-29")
        #expect(PostgresAccountStore.label("", .key) == "-")
    }
}
